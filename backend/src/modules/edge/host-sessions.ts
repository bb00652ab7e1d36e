import type { Principal, PrincipalRef, PrincipalResolver } from "../../ports/auth.port.js";
import { type AppSession, type AppSessionCodec, RENEW_AFTER_S } from "./app-session.js";

// The edge checks every request's host session against what it came from (the console session
// or API token), so sign-out, revoking the token and a role change reach project hosts too.
// Asking the database per request would put a query on the edge's hot path: answers are kept
// `ttlMs` (5 s), which bounds how long a revoked session still opens a host.
export function cachedPrincipals(inner: PrincipalResolver, opts: { ttlMs: number; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const entries = new Map<string, { at: number; value: Promise<Principal | null> }>();
  const key = (ref: PrincipalRef) => (ref.via === "session" ? `s:${ref.sessionId}` : `t:${ref.tokenId}`);
  return {
    resolve(ref: PrincipalRef): Promise<Principal | null> {
      const k = key(ref);
      const hit = entries.get(k);
      if (hit && now() - hit.at < opts.ttlMs) return hit.value;
      if (entries.size > 10_000) entries.clear();
      const value = inner.resolve(ref);
      entries.set(k, { at: now(), value });
      value.catch(() => entries.delete(k));
      return value;
    },
  };
}

export interface HostSession {
  principal: Principal;
  /** A fresh cookie value when the session is old enough to renew (silent renewal). */
  renewed?: string;
}

export function hostSessions(deps: {
  codec: AppSessionCodec;
  principals: Pick<PrincipalResolver, "resolve">;
  now?: () => number;
}) {
  const nowS = () => Math.floor((deps.now ?? Date.now)() / 1000);
  const principalOf = async (s: AppSession | null) => (s ? deps.principals.resolve(s.ref) : null);
  return {
    /** The principal behind a host cookie, if it is valid for this hostname and still live. */
    async fromCookie(cookie: string, hostname: string): Promise<HostSession | null> {
      const session = await deps.codec.verifySession(cookie, hostname);
      const principal = await principalOf(session);
      if (!session || !principal || principal.userId !== session.ref.userId) return null;
      if (nowS() - session.iat < RENEW_AFTER_S) return { principal };
      return { principal, renewed: await deps.codec.mintSession(session.ref, hostname) };
    },
    /** Redeems a code for `origin`: the principal (if still live) and the session it opens. */
    async fromCode(code: string, origin: string, hostname: string) {
      const session = await deps.codec.verifyCode(code, origin);
      const principal = await principalOf(session);
      if (!session || !principal) return null;
      return {
        principal,
        jti: session.jti,
        exp: session.exp,
        cookie: await deps.codec.mintSession(session.ref, hostname),
      };
    },
  };
}
