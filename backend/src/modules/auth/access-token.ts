import fastifyJwt from "@fastify/jwt";
import Fastify from "fastify";
import type { Role } from "../../ports/account.port.js";
import type { Principal } from "../../ports/auth.port.js";
import { invalidToken } from "../../shared/auth-errors.js";
import type { AccessTokenVerifier } from "./authenticator.js";

// Session access tokens: HS256 JWTs from @fastify/jwt, 15 minutes. The algorithm is pinned
// on both sides, so a token with `alg: none`, HS512 or RS256 is refused whatever it says.
// `sid` names the session (refresh-token family): signing out revokes it at once.
export const ACCESS_TOKEN_TTL_S = 15 * 60;
const ISSUER = "devsanctum";
const AUDIENCE = "devsanctum-api";

export interface AccessClaims {
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
  deps: { isSessionActive: (sessionId: string) => Promise<boolean> },
): Promise<AccessTokenCodec> {
  // @fastify/jwt hands out its signer only through a Fastify instance. The authenticator
  // also serves the builtin edge (another server), so the codec owns a bare instance:
  // no routes, never listening.
  const host = Fastify({ logger: false });
  await host.register(fastifyJwt, {
    secret: Buffer.from(key),
    sign: { algorithm: "HS256", iss: ISSUER, aud: AUDIENCE, expiresIn: ACCESS_TOKEN_TTL_S * 1000 },
    verify: { algorithms: ["HS256"], allowedIss: ISSUER, allowedAud: AUDIENCE, requiredClaims: ["sub", "exp", "sid"] },
  });
  await host.ready();
  const jwt = host.jwt;

  return {
    async sign({ userId, role, sessionId }) {
      const token = jwt.sign({ sub: userId, role, sid: sessionId, typ: "access" });
      const exp = jwt.decode<{ exp: number }>(token)?.exp ?? 0;
      return { token, expiresAt: new Date(exp * 1000) };
    },
    async verify(token): Promise<Principal> {
      let claims: { sub: string; role: unknown; sid: string; typ: unknown };
      try {
        claims = jwt.verify(token);
      } catch (err) {
        const code = (err as { code?: string }).code;
        throw invalidToken(
          code === "FAST_JWT_EXPIRED" ? "the access token has expired; refresh it" : "bad access token",
        );
      }
      if (claims.typ !== "access") throw invalidToken("not an access token");
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
