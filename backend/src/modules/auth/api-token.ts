import { createHash, randomBytes } from "node:crypto";

// API tokens look like `dsk_<8 hex prefix>_<43 base64url secret>`. The prefix is shown in
// lists so a person can tell tokens apart; only the sha256 of the whole token is stored.
// sha256 (not a slow hash) is right here: the secret has 256 bits of entropy.
const PATTERN = /^dsk_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

export const isApiToken = (value: string) => value.startsWith("dsk_");

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function generateApiToken(): { token: string; prefix: string; hash: string } {
  const prefix = randomBytes(4).toString("hex");
  const token = `dsk_${prefix}_${randomBytes(32).toString("base64url")}`;
  return { token, prefix, hash: hashToken(token) };
}

export function parseApiToken(token: string): { prefix: string } | null {
  const m = PATTERN.exec(token);
  return m ? { prefix: m[1] as string } : null;
}
