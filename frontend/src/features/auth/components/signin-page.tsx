import { useQuery } from "@tanstack/react-query";
import { Navigate, useSearchParams } from "react-router";
import { ErrorMessage } from "../../../components/error-message";
import { PageTitle } from "../../../components/page-title";
import { Loading } from "../../../components/spinner";
import { useMe } from "../../../lib/auth";
import { providersQuery } from "../api/get-providers";

// What a refused or broken sign-in (`/signin?error=CODE`) means, in words a person can act on.
const ERRORS: Record<string, string> = {
  SIGNUP_CLOSED: "This installation does not accept new accounts. Ask its admin to invite your email address.",
  EMAIL_NOT_VERIFIED: "Your provider says your email address is not verified. Verify it there, then sign in again.",
  OAUTH_STATE_MISMATCH: "The sign-in expired or was started in another tab. Please try again.",
  OAUTH_DENIED: "Sign-in was canceled at the provider.",
  OAUTH_FAILED: "The provider did not complete the sign-in. Please try again.",
  ACCOUNT_DISABLED: "This account is disabled. Ask an admin.",
  BOOTSTRAP_TOKEN_INVALID: "That sign-in link was already used or has expired. Restart the server to print a new one.",
  UNAUTHENTICATED: "Your session ended. Please sign in again.",
};

/** Only same-site paths: never bounce a visitor to another origin after sign-in. */
export const safeNext = (next: string | null) => (next?.startsWith("/") && !next.startsWith("//") ? next : "/");

const ICON: Record<string, string> = { github: "GH", google: "G" };

export function SignInPage() {
  const [search] = useSearchParams();
  const next = safeNext(search.get("next"));
  const errorCode = search.get("error");
  const providers = useQuery(providersQuery());
  const me = useMe();

  if (me.data) return <Navigate to={next} replace />;

  return (
    <div className="signin">
      <div className="signin-card card">
        <p className="brand-big" aria-hidden="true">
          ◆ DevSanctum
        </p>
        <PageTitle>Sign in</PageTitle>
        {errorCode ? (
          <div className="alert alert-error" role="alert">
            <span>{ERRORS[errorCode] ?? "Sign-in did not work. Please try again."}</span>
            <small className="alert-meta">{errorCode}</small>
          </div>
        ) : null}
        {providers.isPending ? <Loading label="Loading sign-in options…" /> : null}
        <ErrorMessage error={providers.error} title="Could not load the sign-in options." />
        {providers.data ? (
          <div className="signin-providers">
            {providers.data.providers.map((p) => (
              <a
                key={p.id}
                className="button button-provider"
                href={`/api/v1/auth/${encodeURIComponent(p.id)}/start?next=${encodeURIComponent(next)}`}
              >
                <span className="provider-icon" aria-hidden="true">
                  {ICON[p.id] ?? "→"}
                </span>
                Continue with {p.name}
              </a>
            ))}
          </div>
        ) : null}
        {providers.data?.bootstrap ? (
          <div className="alert alert-info">
            <div>
              <p>
                <strong>No sign-in provider is configured yet.</strong> The owner signs in once with the one-time link
                the server printed when it started — look in its output for a line like
              </p>
              <pre className="snippet">Sign in as the owner: http://localhost:3000/api/v1/auth/bootstrap?token=…</pre>
              <p>
                Open that link in this browser. Then, to let others in, set <code>GITHUB_CLIENT_ID</code> /{" "}
                <code>GOOGLE_CLIENT_ID</code> (see <code>.env.example</code>).
              </p>
            </div>
          </div>
        ) : null}
      </div>
    </div>
  );
}
