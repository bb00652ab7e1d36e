import { createHash, timingSafeEqual } from "node:crypto";

/** Compares digests, so neither the length nor the content of the secret leaks through timing. */
export function sameSecret(given: unknown, secret: string): boolean {
  if (typeof given !== "string") return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(secret));
}
