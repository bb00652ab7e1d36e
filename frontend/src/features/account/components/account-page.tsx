import { useNavigate } from "react-router";
import { ErrorMessage } from "../../../components/error-message";
import { PageTitle } from "../../../components/page-title";
import { Loading } from "../../../components/spinner";
import { useMe } from "../../../lib/auth";
import { absoluteTime } from "../../../lib/format";
import { useLogout } from "../api/logout";

export function AccountPage() {
  const me = useMe();
  const logout = useLogout();
  const navigate = useNavigate();
  const signOut = (everywhere: boolean) =>
    logout.mutate({ everywhere }, { onSuccess: () => void navigate("/signin", { replace: true }) });

  return (
    <>
      <PageTitle>Account</PageTitle>
      {me.isPending ? <Loading /> : null}
      <ErrorMessage error={me.error} />
      {me.data ? (
        <section className="card account">
          <div className="account-who">
            {me.data.avatarUrl ? (
              <img src={me.data.avatarUrl} alt="" className="avatar" width={56} height={56} />
            ) : (
              <span className="avatar avatar-initial" aria-hidden="true">
                {(me.data.name ?? me.data.email).slice(0, 1).toUpperCase()}
              </span>
            )}
            <div>
              <h2>{me.data.name ?? me.data.email}</h2>
              <p className="muted">{me.data.email}</p>
            </div>
          </div>
          <dl className="facts">
            <dt>Role</dt>
            <dd>{me.data.role === "admin" ? "Admin" : "Member"}</dd>
            <dt>Member since</dt>
            <dd>{absoluteTime(me.data.createdAt)}</dd>
          </dl>
        </section>
      ) : null}
      <section className="card">
        <h2>Sessions</h2>
        <p className="muted">
          “Sign out everywhere” ends every session of yours, on every device. API tokens keep working.
        </p>
        <ErrorMessage error={logout.error} title="Sign-out failed." />
        <div className="form-actions">
          <button type="button" className="button" disabled={logout.isPending} onClick={() => signOut(false)}>
            Sign out
          </button>
          <button
            type="button"
            className="button button-danger"
            disabled={logout.isPending}
            onClick={() => signOut(true)}
          >
            Sign out everywhere
          </button>
        </div>
      </section>
    </>
  );
}
