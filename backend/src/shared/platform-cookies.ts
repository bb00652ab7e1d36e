// Every cookie the platform sets is named ds_* (__Host-ds_* over https): the console's access
// and refresh tokens, the OAuth state and PKCE verifier, the per-host app session. None of them
// is ever handed to a project's code: the edge (HTTP and WebSocket) and forward-auth for Traefik
// remove them all by this one rule, whatever host the browser sent them to.
const PLATFORM_COOKIE = /^(__Host-|__Secure-)?ds_/;

export const isPlatformCookie = (name: string) => PLATFORM_COOKIE.test(name);

/** A Cookie header without the platform's cookies; undefined when nothing is left. */
export function withoutPlatformCookies(header: string | undefined): string | undefined {
  const kept = (header ?? "")
    .split(";")
    .map((c) => c.trim())
    .filter((c) => c && !isPlatformCookie(c.split("=", 1)[0] ?? ""));
  return kept.length ? kept.join("; ") : undefined;
}
