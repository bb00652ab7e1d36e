import { errors, jwtVerify, SignJWT } from "jose";
import type { Principal } from "../../ports/auth.port.js";
import type { Role } from "../../ports/vocabulary.js";
import { invalidToken } from "../../shared/auth-errors.js";
import type { AccessTokenVerifier } from "./authenticator.js";

// Session access tokens: HS256 JWTs (jose, as the app-session tokens), 15 minutes. The
// algorithm is pinned on both sides, so a token with `alg: none`, HS512 or RS256 is refused
// whatever it says. `sid` names the session (refresh-token family): signing out revokes it at once.
export const ACCESS_TOKEN_TTL_S = 15 * 60;
const ISSUER = "devsanctum";
const AUDIENCE = "devsanctum-api";
const ALG = "HS256";

interface AccessClaims {
  userId: string;
  role: Role;
  sessionId: string;
}

export interface AccessTokenCodec extends AccessTokenVerifier {
  sign(claims: AccessClaims): Promise<{ token: string; expiresAt: Date }>;
}

/**
 * `isSessionActive` is asked on every verification so a signed-out session stops working
 * before its access token expires.
 */
export async function accessTokenCodec(
  key: Uint8Array,
  deps: { isSessionActive: (sessionId: string) => Promise<boolean>; now?: () => number },
): Promise<AccessTokenCodec> {
  const nowS = () => Math.floor((deps.now ?? Date.now)() / 1000);
  return {
    async sign({ userId, role, sessionId }) {
      const iat = nowS();
      const exp = iat + ACCESS_TOKEN_TTL_S;
      const token = await new SignJWT({ role, sid: sessionId, typ: "access" })
        .setProtectedHeader({ alg: ALG })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(userId)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(key);
      return { token, expiresAt: new Date(exp * 1000) };
    },
    async verify(token): Promise<Principal> {
      let claims: { sub?: string; role?: unknown; sid?: unknown; typ?: unknown };
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALG],
          issuer: ISSUER,
          audience: AUDIENCE,
          requiredClaims: ["sub", "exp", "sid"],
          currentDate: new Date(nowS() * 1000),
        });
        claims = payload;
      } catch (err) {
        throw invalidToken(
          err instanceof errors.JWTExpired ? "the access token has expired; refresh it" : "bad access token",
        );
      }
      if (claims.typ !== "access" || typeof claims.sid !== "string" || !claims.sub) {
        throw invalidToken("not an access token");
      }
      if (!(await deps.isSessionActive(claims.sid))) throw invalidToken("this session has been signed out");
      return {
        userId: claims.sub,
        role: claims.role === "admin" ? "admin" : "member",
        scopes: "all",
        via: "session",
        sessionId: claims.sid,
      };
    },
  };
}
