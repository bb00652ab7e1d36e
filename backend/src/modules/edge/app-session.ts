import { randomUUID } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import type { PrincipalRef } from "../../ports/auth.port.js";

// Per-host app sessions (Coder's app auth-redirect pattern). The control plane mints a
// 60-second code bound to one project origin (scheme, host and port: only the edge's own
// origins get one); the edge on that origin exchanges it for a cookie that only that hostname
// receives. Both are HS256 JWTs naming the session or API token they came from (never a role
// or scopes: those are read again on use), so signing out or revoking the token ends them.
const ISSUER = "devsanctum-edge";
const ALG = "HS256";
const CODE_TTL_S = 60;
/** A host session lives an hour; the edge renews it while it is used (see RENEW_AFTER_S). */
export const SESSION_TTL_S = 60 * 60;
/** A session older than this is replaced by a fresh one on its next use. */
export const RENEW_AFTER_S = 10 * 60;

export interface AppSession {
  ref: PrincipalRef;
  jti: string;
  iat: number;
  exp: number;
}

export type AppSessionCodec = ReturnType<typeof appSessionCodec>;

export function appSessionCodec(secret: Uint8Array) {
  const sign = (ref: PrincipalRef, audience: string, typ: string, ttl: number) =>
    new SignJWT({
      typ,
      via: ref.via,
      ...(ref.via === "session" ? { sid: ref.sessionId } : { tid: ref.tokenId }),
    })
      .setProtectedHeader({ alg: ALG })
      .setIssuer(ISSUER)
      .setSubject(ref.userId)
      .setAudience(audience)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${ttl}s`)
      .sign(secret);

  const verify = async (token: string, audience: string, typ: string): Promise<AppSession | null> => {
    try {
      const { payload: p } = await jwtVerify(token, secret, { algorithms: [ALG], issuer: ISSUER, audience });
      if (p.typ !== typ || !p.sub || !p.jti || !p.exp || !p.iat) return null;
      let ref: PrincipalRef;
      if (p.via === "session" && typeof p.sid === "string") ref = { via: "session", userId: p.sub, sessionId: p.sid };
      else if (p.via === "api_token" && typeof p.tid === "string")
        ref = { via: "api_token", userId: p.sub, tokenId: p.tid };
      else return null;
      return { ref, jti: p.jti, iat: p.iat, exp: p.exp };
    } catch {
      return null;
    }
  };

  return {
    /** A one-time code for one project origin (`http://app--preview.localhost:8080`). */
    mintCode: (ref: PrincipalRef, origin: string) => sign(ref, origin, "app-code", CODE_TTL_S),
    verifyCode: (code: string, origin: string) => verify(code, origin, "app-code"),
    /** The host session cookie's value; cookies are per hostname, so is the session. */
    mintSession: (ref: PrincipalRef, hostname: string) => sign(ref, hostname, "app-session", SESSION_TTL_S),
    verifySession: (token: string, hostname: string) => verify(token, hostname, "app-session"),
  };
}

/** `__Host-` needs Secure, which browsers only honour over https. */
export const appCookieName = (scheme: "http" | "https") => (scheme === "https" ? "__Host-ds_app" : "ds_app");
