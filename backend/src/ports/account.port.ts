// People and the external identities they sign in with.

export type { Role } from "./vocabulary.js";

import type { Role } from "./vocabulary.js";

export interface User {
  id: string;
  email: string;
  name: string | null;
  avatarUrl: string | null;
  role: Role;
  createdAt: Date;
}

export type ProviderId = "github" | "google";

/** What a provider vouches for after a successful sign-in. */
export interface ExternalProfile {
  provider: ProviderId;
  providerUserId: string;
  /** Lower-cased; present only when the provider says it is verified. */
  email: string | null;
  name: string | null;
  avatarUrl: string | null;
}

export interface AccountStore {
  findById(id: string): Promise<User | null>;
  findByIdentity(provider: string, providerUserId: string): Promise<User | null>;
  findByEmail(email: string): Promise<User | null>;
  /** The oldest admin: who a bootstrap link signs in. */
  findOwner(): Promise<User | null>;
  linkIdentity(
    userId: string,
    identity: { provider: string; providerUserId: string; email: string | null },
  ): Promise<void>;
  /**
   * Creates a user (and its identity). `allowed` decides with the number of existing users,
   * read under a lock, so two first sign-ins cannot both become admin. The first user is admin.
   * Returns null when `allowed` refuses.
   */
  createUser(
    input: {
      email: string;
      name: string | null;
      avatarUrl: string | null;
      identity?: { provider: string; providerUserId: string };
    },
    allowed: (existingUsers: number) => boolean,
  ): Promise<User | null>;
}
