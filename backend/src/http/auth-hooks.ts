import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { type Authenticator, hasScope, type Principal, type Scope } from "../ports/auth.port.js";
import { crossOriginRequest, insufficientScope, unauthenticated } from "../shared/auth-errors.js";
import { isSameOriginRequest } from "./csrf.js";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /**
     * onRequest hook: 401 without valid credentials, 403 when an API token lacks `scope`
     * or when a cookie-authenticated mutation does not come from the console (CSRF).
     */
    requireAuth(scope?: Scope): (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

/** What routes put in `schema.security` so /docs shows how they are authenticated. */
export const SECURED: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { cookieAuth: [] }];

/** The authenticated principal of a request whose route used requireAuth. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw unauthenticated();
  return req.principal;
}

export const authHooks = fp<{ authenticator: Authenticator; publicUrl: string }>(
  async (app: FastifyInstance, { authenticator, publicUrl }) => {
    app.decorateRequest("principal", null);
    app.decorate("requireAuth", (scope?: Scope) => async (req: FastifyRequest) => {
      const cookies = (req as unknown as { cookies?: Record<string, string | undefined> }).cookies ?? {};
      const principal = await authenticator.authenticate({ authorization: req.headers.authorization, cookies });
      if (!principal) throw unauthenticated();
      // No Authorization header: the session cookie authenticated this request.
      if (!req.headers.authorization && !isSameOriginRequest(req, publicUrl)) throw crossOriginRequest();
      if (scope && !hasScope(principal, scope)) throw insufficientScope(scope);
      req.principal = principal;
    });
  },
  { name: "auth-hooks" },
);
