import { randomUUID } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import type { Role } from "../../ports/vocabulary.js";

// Per-host app sessions (Coder's app auth-redirect pattern). The control plane mints a
// 60-second code bound to one hostname; the edge on that hostname exchanges it for a
// cookie that only that hostname receives. Both are HS256 JWTs whose audience is the
// hostname, so a cookie issued for host A is refused on host B.
const ISSUER = "devsanctum-edge";
const ALG = "HS256";
const CODE_TTL_S = 60;
export const SESSION_TTL_S = 12 * 60 * 60;

export type AppSessionCodec = ReturnType<typeof appSessionCodec>;

export function appSessionCodec(secret: Uint8Array) {
  const sign = (userId: string, host: string, typ: string, ttl: number, role: Role) =>
    new SignJWT({ typ, role })
      .setProtectedHeader({ alg: ALG })
      .setIssuer(ISSUER)
      .setSubject(userId)
      .setAudience(host)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${ttl}s`)
      .sign(secret);

  const verify = async (token: string, host: string, typ: string) => {
    try {
      const { payload } = await jwtVerify(token, secret, { algorithms: [ALG], issuer: ISSUER, audience: host });
      if (payload.typ !== typ || !payload.sub || !payload.jti || !payload.exp) return null;
      const role: Role = payload.role === "admin" ? "admin" : "member";
      return { userId: payload.sub, role, jti: payload.jti, exp: payload.exp };
    } catch {
      return null;
    }
  };

  return {
    mintCode: (userId: string, host: string, role: Role) => sign(userId, host, "app-code", CODE_TTL_S, role),
    verifyCode: (code: string, host: string) => verify(code, host, "app-code"),
    mintSession: (userId: string, host: string, role: Role) => sign(userId, host, "app-session", SESSION_TTL_S, role),
    verifySession: (token: string, host: string) => verify(token, host, "app-session"),
  };
}

/** `__Host-` needs Secure, which browsers only honour over https. */
export const appCookieName = (scheme: "http" | "https") => (scheme === "https" ? "__Host-ds_app" : "ds_app");
