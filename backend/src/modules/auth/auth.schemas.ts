import { z } from "zod";
import { SCOPES } from "../../ports/auth.port.js";
import { ROLES } from "../../ports/vocabulary.js";
import { displayName } from "../../shared/schemas.js";

export const Me = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string().nullable(),
    avatarUrl: z.string().nullable(),
    role: z.enum(ROLES),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "Me" });

export const Providers = z
  .object({
    providers: z.array(z.object({ id: z.enum(["github", "google"]), name: z.string() })),
    bootstrap: z.boolean().describe("No provider is configured: sign in with the one-time link printed at start"),
  })
  .meta({ id: "AuthProviders" });

export const RefreshBody = z
  .object({
    refreshToken: z
      .string()
      .max(200)
      .optional()
      .describe("API clients send the refresh token here; the console sends its cookie instead"),
  })
  .strict();

export const RefreshResult = z
  .object({
    expiresAt: z.iso.datetime().describe("When the new access token expires"),
    accessToken: z.string().optional().describe("Only when the refresh token came in the body"),
    refreshToken: z.string().optional().describe("Only when the refresh token came in the body: keep this one"),
  })
  .meta({ id: "RefreshResult" });

export const LogoutBody = z
  .object({
    everywhere: z.boolean().default(false).describe("Sign out every session of this user, not only this one"),
    refreshToken: z.string().max(200).optional(),
  })
  .strict();

const Scope = z.enum(SCOPES).meta({ id: "Scope" });

export const ApiToken = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().describe("Shown in lists to tell tokens apart: dsk_<prefix>_…"),
    scopes: z.array(Scope),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    expiresAt: z.iso.datetime().nullable(),
  })
  .meta({ id: "ApiToken" });

export const CreateApiTokenBody = z
  .object({
    name: displayName(100),
    scopes: z.array(Scope).min(1),
    expiresInDays: z.number().int().min(1).max(3650).optional().describe("No expiry when omitted"),
  })
  .strict();

export const CreatedApiToken = z
  .object({
    token: z.string().describe("The secret: shown once, store it now"),
    apiToken: ApiToken,
  })
  .meta({ id: "CreatedApiToken" });
