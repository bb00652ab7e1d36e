import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf, SECURED } from "../../http/auth-hooks.js";
import type { ApiTokenInfo } from "../../ports/auth.port.js";
import { ErrorBody, errorResponses } from "../../shared/schemas.js";
import type { ApiTokensService } from "./api-tokens.service.js";
import { ApiToken, CreateApiTokenBody, CreatedApiToken } from "./auth.schemas.js";

const toJson = (t: ApiTokenInfo) => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  scopes: t.scopes,
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  expiresAt: t.expiresAt?.toISOString() ?? null,
});

export const apiTokensRoutes: FastifyPluginAsyncZod<{ apiTokens: ApiTokensService }> = async (app, { apiTokens }) => {
  app.post(
    "/tokens",
    {
      onRequest: app.requireAuth("tokens:write"),
      schema: {
        operationId: "createApiToken",
        tags: ["tokens"],
        summary: "Create an API token for scripts and curl (the secret is shown once)",
        description: "An API token can only create tokens whose scopes it has itself.",
        body: CreateApiTokenBody,
        response: { 201: CreatedApiToken, ...errorResponses, 403: ErrorBody },
        security: SECURED,
      },
    },
    async (req, reply) => {
      const { token, apiToken } = await apiTokens.create(principalOf(req), req.body, { ip: req.ip });
      return reply.status(201).send({ token, apiToken: toJson(apiToken) });
    },
  );

  app.get(
    "/tokens",
    {
      onRequest: app.requireAuth("tokens:read"),
      schema: {
        operationId: "listApiTokens",
        tags: ["tokens"],
        summary: "Your API tokens that are not revoked (never their secrets)",
        response: { 200: z.object({ tokens: z.array(ApiToken) }), ...errorResponses, 403: ErrorBody },
        security: SECURED,
      },
    },
    async (req) => ({ tokens: (await apiTokens.list(principalOf(req))).map(toJson) }),
  );

  app.delete(
    "/tokens/:id",
    {
      onRequest: app.requireAuth("tokens:write"),
      schema: {
        operationId: "revokeApiToken",
        tags: ["tokens"],
        summary: "Revoke an API token (it stops working at once)",
        params: z.object({ id: z.uuid() }),
        response: { 204: z.null(), ...errorResponses, 403: ErrorBody },
        security: SECURED,
      },
    },
    async (req, reply) => {
      await apiTokens.revoke(principalOf(req), req.params.id, { ip: req.ip });
      return reply.status(204).send(null);
    },
  );
};
