import type { AccountStore } from "../../ports/account.port.js";
import type { ApiTokenRepository, Principal, PrincipalResolver } from "../../ports/auth.port.js";
import type { RefreshTokenStore } from "../../ports/session.port.js";

// Finds the principal behind a host session again, as it is now: the session's family must be
// live, the token unrevoked and unexpired, the user still there; the role is the user's today.
export function principalResolverFactory(deps: {
  refreshTokens: Pick<RefreshTokenStore, "isFamilyActive">;
  apiTokens: Pick<ApiTokenRepository, "findActive">;
  accounts: Pick<AccountStore, "findById">;
  now?: () => Date;
}): PrincipalResolver {
  const now = deps.now ?? (() => new Date());
  return {
    async resolve(ref): Promise<Principal | null> {
      const user = await deps.accounts.findById(ref.userId);
      if (!user) return null;
      if (ref.via === "session") {
        if (!(await deps.refreshTokens.isFamilyActive(ref.sessionId))) return null;
        return { userId: user.id, role: user.role, scopes: "all", via: "session", sessionId: ref.sessionId };
      }
      const token = await deps.apiTokens.findActive(ref.tokenId);
      if (!token || token.userId !== user.id || (token.expiresAt && token.expiresAt <= now())) return null;
      return { userId: user.id, role: user.role, scopes: token.scopes, via: "api_token", tokenId: token.id };
    },
  };
}
