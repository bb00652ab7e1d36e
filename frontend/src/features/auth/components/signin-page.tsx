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
  EMAIL_DOMAIN_NOT_ALLOWED:
    "Accounts on this installation are limited to some email domains, and yours is not one of them.",
  EMAIL_NOT_VERIFIED: "Your provider says your email address is not verified. Verify it there, then sign in again.",
  OAUTH_STATE_MISMATCH: "The sign-in expired or was started in another tab. Please try again.",
  ACCESS_DENIED: "Sign-in was canceled at the provider.",
  ID_TOKEN_INVALID: "The provider's answer could not be verified. Please try again.",
  PROVIDER_ERROR: "The provider did not complete the sign-in. Please try again in a moment.",
  UNAUTHENTICATED: "Your session ended. Please sign in again.",
};

/** Only same-site paths: never bounce a visitor to another origin after sign-in. */
const safeNext = (next: string | null) => (next?.startsWith("/") && !next.startsWith("//") ? next : "/");

const ICON: Record<string, string> = { github: "GH", google: "G" };

export function SignInPage() {
  const [search] = useSearchParams();
  const next = safeNext(search.get("next"));
  const errorCode = search.get("error");
  const providers = useQuery(providersQuery());
  const me = useMe();

  if (me.data) return <Navigate to={next} replace />;

  return (
    <main className="signin">
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
              <pre className="snippet">
                sign in (one-time link, valid 15 minutes): http://…/api/v1/auth/bootstrap?token=dsl_…
              </pre>
              <p>
                Open that link in this browser. Expired or used? <code>pnpm --filter ./backend signin-link</code> prints
                a fresh one. To let others in, set <code>GITHUB_CLIENT_ID</code> / <code>GOOGLE_CLIENT_ID</code> (see{" "}
                <code>.env.example</code>).
              </p>
            </div>
          </div>
        ) : null}
      </div>
    </main>
  );
}
