import { Navigate, Outlet, useLocation } from "react-router";
import { ErrorMessage } from "../components/error-message";
import { Loading } from "../components/spinner";
import { useMe } from "../lib/auth";

export function RequireAuth() {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Loading label="Checking your session…" />;
  if (me.isError) return <ErrorMessage error={me.error} title="The server did not answer." />;
  if (!me.data) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/signin?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Outlet />;
}
