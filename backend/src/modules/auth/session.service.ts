import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { AccountStore, User } from "../../ports/account.port.js";
import type { AuditLog } from "../../ports/audit.port.js";
import type { Principal } from "../../ports/auth.port.js";
import type { LoginLinkStore, RefreshTokenStore } from "../../ports/session.port.js";
import type { AccessTokenCodec } from "./access-token.js";
import { hashToken } from "./api-token.js";
import { invalidLoginLink, invalidRefreshToken, refreshTokenReused } from "./auth.errors.js";

// Sessions: a short access JWT plus an opaque refresh token, rotated on every use. Each
// sign-in starts a family; presenting a used refresh token revokes the whole family.

const LOGIN_LINK_TTL_MS = 15 * 60 * 1000;
/** The user a bootstrap link creates when the installation has nobody yet. */
const OWNER_EMAIL = "owner@localhost";

export interface SessionTokens {
  accessToken: string;
  expiresAt: Date;
  refreshToken: string;
  refreshExpiresAt: Date;
}

export interface RequestMeta {
  ip?: string;
  userAgent?: string | undefined;
}

const opaqueToken = (prefix: string) => `${prefix}_${randomBytes(32).toString("base64url")}`;

/** Two tabs refreshing at once present the same token: the second, this soon, gets the same successor. */
export const REFRESH_GRACE_MS = 5000;

export function sessionServiceFactory(deps: {
  accessTokens: Pick<AccessTokenCodec, "sign">;
  refreshTokens: RefreshTokenStore;
  loginLinks: LoginLinkStore;
  accounts: Pick<AccountStore, "findById" | "findOwner" | "createUser">;
  audit: AuditLog;
  refreshTtlDays: number;
  publicUrl: string;
  /**
   * Names a token's successor: an HMAC of the token, so every replica that rotates the same
   * token (two tabs at once) hands out the same successor, and nothing stores it in the clear.
   */
  successorKey: Uint8Array;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  const successorOf = (token: string) =>
    `dsr_${createHmac("sha256", deps.successorKey).update(token).digest("base64url")}`;
  const refreshExpiry = (at: Date) => new Date(at.getTime() + deps.refreshTtlDays * 86_400_000);

  async function tokensFor(user: Pick<User, "id" | "role">, familyId: string, refreshToken: string, at: Date) {
    const access = await deps.accessTokens.sign({ userId: user.id, role: user.role, sessionId: familyId });
    return {
      accessToken: access.token,
      expiresAt: access.expiresAt,
      refreshToken,
      refreshExpiresAt: refreshExpiry(at),
    };
  }

  async function start(user: Pick<User, "id" | "role">, method: string, meta: RequestMeta): Promise<SessionTokens> {
    const at = now();
    const familyId = randomUUID();
    const refreshToken = opaqueToken("dsr");
    await deps.refreshTokens.create({
      userId: user.id,
      familyId,
      tokenHash: hashToken(refreshToken),
      expiresAt: refreshExpiry(at),
      userAgent: meta.userAgent,
    });
    await deps.audit.record({
      actorId: user.id,
      action: "auth.sign_in",
      target: `session:${familyId}`,
      data: { method },
      ip: meta.ip,
    });
    return tokensFor(user, familyId, refreshToken, at);
  }

  return {
    /** Signs a resolved user in (after OAuth or a bootstrap link). */
    start,

    async refresh(refreshToken: string, meta: RequestMeta): Promise<SessionTokens> {
      const at = now();
      const next = successorOf(refreshToken);
      const result = await deps.refreshTokens.rotate(
        hashToken(refreshToken),
        { tokenHash: hashToken(next), expiresAt: refreshExpiry(at) },
        at,
        { graceMs: REFRESH_GRACE_MS },
      );
      if (result.kind === "invalid") throw invalidRefreshToken(`it is ${result.reason}`);
      if (result.kind === "reused") {
        await deps.audit.record({
          actorId: result.userId,
          action: "auth.refresh_reuse",
          target: `session:${result.familyId}`,
          data: { revoked: "family" },
          ip: meta.ip,
        });
        throw refreshTokenReused();
      }
      // Read the user again: a role change takes effect at the next refresh.
      const user = await deps.accounts.findById(result.userId);
      if (!user) throw invalidRefreshToken("its user no longer exists");
      return tokensFor(user, result.familyId, next, at);
    },

    /** Deletes expired refresh tokens and used or expired sign-in links. */
    async prune() {
      const at = now();
      return { refreshTokens: await deps.refreshTokens.pruneExpired(at), loginLinks: await deps.loginLinks.prune(at) };
    },

    /** Revokes the session named by the refresh token or the access token; all of the user's with `everywhere`. */
    async signOut(
      input: { refreshToken?: string | undefined; principal?: Principal | null; everywhere: boolean },
      meta: RequestMeta,
    ): Promise<void> {
      const at = now();
      const fromRefresh = input.refreshToken ? await deps.refreshTokens.peek(hashToken(input.refreshToken), at) : null;
      const session = input.principal?.via === "session" ? input.principal : null;
      const userId = fromRefresh?.userId ?? session?.userId;
      const familyId = fromRefresh?.familyId ?? session?.sessionId;
      if (!userId) return; // nothing to revoke: signing out is idempotent
      if (input.everywhere) await deps.refreshTokens.revokeAllOfUser(userId, at);
      else if (familyId) await deps.refreshTokens.revokeFamily(familyId, at);
      await deps.audit.record({
        actorId: userId,
        action: "auth.sign_out",
        target: input.everywhere ? `user:${userId}` : `session:${familyId}`,
        data: { everywhere: input.everywhere },
        ip: meta.ip,
      });
    },

    /** A one-time link that signs the owner in (single use, 15 minutes). */
    async createLoginLink(): Promise<{ url: string; expiresAt: Date }> {
      const token = opaqueToken("dsl");
      const owner = await deps.accounts.findOwner();
      const expiresAt = new Date(now().getTime() + LOGIN_LINK_TTL_MS);
      await deps.loginLinks.create({ tokenHash: hashToken(token), userId: owner?.id ?? null, expiresAt });
      return { url: `${deps.publicUrl}/api/v1/auth/bootstrap?token=${token}`, expiresAt };
    },

    async redeemLoginLink(token: string, meta: RequestMeta): Promise<SessionTokens> {
      const link = await deps.loginLinks.consume(hashToken(token), now());
      if (!link) throw invalidLoginLink();
      // A link printed before anyone existed signs in (creating if need be) the owner.
      const user =
        (link.userId ? await deps.accounts.findById(link.userId) : await deps.accounts.findOwner()) ??
        (await deps.accounts.createUser({ email: OWNER_EMAIL, name: "Owner", avatarUrl: null }, () => true));
      if (!user) throw invalidLoginLink();
      return start(user, "login_link", meta);
    },
  };
}

export type SessionService = ReturnType<typeof sessionServiceFactory>;
