import type { AuditLog } from "../../ports/audit.port.js";
import { type ApiTokenRepository, canReach, hasScope, type Principal, type Scope } from "../../ports/auth.port.js";
import { insufficientScope } from "../../shared/auth-errors.js";
import { generateApiToken } from "./api-token.js";
import { apiTokenNotFound } from "./auth.errors.js";

// API tokens for scripts and curl. The secret is returned once, at creation; only its
// hash is stored. A token can mint another only with scopes it has itself.
export function apiTokensServiceFactory(deps: { tokens: ApiTokenRepository; audit: AuditLog; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return {
    async create(
      principal: Principal,
      input: { name: string; scopes: Scope[]; expiresInDays?: number | undefined },
      meta: { ip?: string } = {},
    ) {
      for (const scope of input.scopes) if (!hasScope(principal, scope)) throw insufficientScope(scope);
      const { token, prefix, hash } = generateApiToken();
      const expiresAt = input.expiresInDays ? new Date(now().getTime() + input.expiresInDays * 86_400_000) : null;
      const apiToken = await deps.tokens.create({
        userId: principal.userId,
        name: input.name,
        prefix,
        tokenHash: hash,
        scopes: [...new Set(input.scopes)],
        expiresAt,
      });
      await deps.audit.record({
        actorId: principal.userId,
        action: "api_token.create",
        target: `api_token:${apiToken.id}`,
        data: { name: input.name, scopes: apiToken.scopes, via: principal.via },
        ip: meta.ip,
      });
      return { token, apiToken };
    },

    list: (principal: Principal) => deps.tokens.listActive(principal.userId),

    async revoke(principal: Principal, id: string, meta: { ip?: string } = {}) {
      const token = await deps.tokens.findActive(id);
      // Another user's token is indistinguishable from a missing one.
      if (!token || !canReach(principal, token.userId)) throw apiTokenNotFound();
      await deps.tokens.revoke(id, now());
      await deps.audit.record({
        actorId: principal.userId,
        action: "api_token.revoke",
        target: `api_token:${id}`,
        data: { ownerId: token.userId },
        ip: meta.ip,
      });
    },
  };
}

export type ApiTokensService = ReturnType<typeof apiTokensServiceFactory>;
