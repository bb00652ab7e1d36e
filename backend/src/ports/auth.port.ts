import type { Role } from "./vocabulary.js";

// Who is calling, in domain terms. Routes get a Principal from the authenticator; services
// receive it and enforce ownership (another user's resource is a 404, admins reach all).

export const SCOPES = [
  "projects:read",
  "projects:write",
  "templates:read",
  "templates:write",
  "tokens:read",
  "tokens:write",
] as const;
export type Scope = (typeof SCOPES)[number];

export interface Principal {
  userId: string;
  role: Role;
  /** "all" for browser sessions; an API token carries the scopes it was created with. */
  scopes: "all" | readonly Scope[];
  via: "session" | "api_token";
  /** The API token id when via = api_token (audit, revocation). */
  tokenId?: string;
  /** The session (refresh-token family) id when via = session (sign-out). */
  sessionId?: string;
}

export const hasScope = (p: Principal, scope: Scope) => p.scopes === "all" || p.scopes.includes(scope);

/**
 * What a project host's session (the edge's per-host cookie) was issued from: a console session
 * or an API token. The edge asks for the principal behind it again (briefly cached), so signing
 * out, revoking the token or a changed role ends or changes the host session too.
 */
export type PrincipalRef =
  | { via: "session"; userId: string; sessionId: string }
  | { via: "api_token"; userId: string; tokenId: string };

export interface PrincipalResolver {
  /** The principal as it is now (role, scopes); null once signed out, revoked, expired or deleted. */
  resolve(ref: PrincipalRef): Promise<Principal | null>;
}

/** The reference a principal can be found again by; null when it has none (a test's bare principal). */
export function refOf(p: Principal): PrincipalRef | null {
  if (p.via === "session" && p.sessionId) return { via: "session", userId: p.userId, sessionId: p.sessionId };
  if (p.via === "api_token" && p.tokenId) return { via: "api_token", userId: p.userId, tokenId: p.tokenId };
  return null;
}

/** Headers and cookies of a request, without any HTTP framework type. */
export interface Credentials {
  authorization?: string | undefined;
  cookies: Record<string, string | undefined>;
}

export interface Authenticator {
  /** The principal behind these credentials; null when there are none; throws when they are invalid. */
  authenticate(credentials: Credentials): Promise<Principal | null>;
}

export interface ApiTokenRecord {
  id: string;
  userId: string;
  role: Role;
  scopes: Scope[];
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface ApiTokenStore {
  findByHash(tokenHash: string): Promise<ApiTokenRecord | null>;
  /** Records use; implementations may throttle writes. */
  touch(id: string, at: Date): Promise<void>;
}

/** An API token as its owner sees it: never the secret, never the hash. */
export interface ApiTokenInfo {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
}

export interface ApiTokenRepository {
  create(input: {
    userId: string;
    name: string;
    prefix: string;
    tokenHash: string;
    scopes: Scope[];
    expiresAt: Date | null;
  }): Promise<ApiTokenInfo>;
  /** Tokens of a user that are not revoked, newest first. */
  listActive(userId: string): Promise<ApiTokenInfo[]>;
  /** A token that is not revoked, whoever owns it. */
  findActive(id: string): Promise<ApiTokenInfo | null>;
  revoke(id: string, at: Date): Promise<void>;
}

/** Tenancy in one line: a user reaches their own resources; admins reach all. */
export const canReach = (p: Principal, ownerId: string) => p.userId === ownerId || p.role === "admin";
