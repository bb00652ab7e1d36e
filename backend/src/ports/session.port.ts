// Refresh tokens (rotating, in families) and one-time sign-in links. Only hashes are stored.

interface RefreshTokenRecord {
  userId: string;
  familyId: string;
}

export type RotateResult =
  | { kind: "rotated"; userId: string; familyId: string }
  /** The token was already used: the family has been revoked (likely theft). */
  | { kind: "reused"; userId: string; familyId: string }
  | { kind: "invalid"; reason: "unknown" | "revoked" | "expired" };

export interface RefreshTokenStore {
  create(input: {
    userId: string;
    familyId: string;
    tokenHash: string;
    expiresAt: Date;
    userAgent?: string | undefined;
  }): Promise<void>;
  /** Marks `tokenHash` used and stores its successor in the same family, atomically. */
  /**
   * Marks the token used and stores its successor. A token used less than `graceMs` ago whose
   * successor (the same `next`, which the caller derives from the token) is still unused counts
   * as rotated again: two tabs refreshing at once are not a theft.
   */
  rotate(
    tokenHash: string,
    next: { tokenHash: string; expiresAt: Date },
    now: Date,
    opts?: { graceMs?: number },
  ): Promise<RotateResult>;
  /** Deletes expired tokens (nothing can present them any more); returns how many. */
  pruneExpired(now: Date): Promise<number>;
  /** The owner of a live (unused, unrevoked, unexpired) token, without using it. */
  peek(tokenHash: string, now: Date): Promise<RefreshTokenRecord | null>;
  revokeFamily(familyId: string, now: Date): Promise<void>;
  revokeAllOfUser(userId: string, now: Date): Promise<void>;
  /** False once the family was revoked (sign-out, reuse) — access tokens of it stop working. */
  isFamilyActive(familyId: string): Promise<boolean>;
}

export interface LoginLinkStore {
  create(input: { tokenHash: string; userId: string | null; expiresAt: Date }): Promise<void>;
  /** Marks the link used and returns it; null when unknown, used or expired. Single use, atomically. */
  consume(tokenHash: string, now: Date): Promise<{ userId: string | null } | null>;
  /** Deletes used and expired links; returns how many. */
  prune(now: Date): Promise<number>;
}
