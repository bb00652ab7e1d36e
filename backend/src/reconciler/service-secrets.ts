import { createHash } from "node:crypto";
import type { ServiceSecrets } from "./converger-context.js";

/**
 * OpenCode runs shell commands: its server always gets its own password (random per project,
 * modules/agent/opencode-password.ts), which only the edge sends; the reconciler's health check
 * sends it too. The fingerprint (a hash, never the password) names it on the container, so a
 * rotated password replaces the container.
 */
export function opencodeServiceSecrets(passwordFor: (projectId: string) => Promise<string>): ServiceSecrets {
  return async (projectId, kind): ReturnType<ServiceSecrets> => {
    if (kind !== "opencode") return { env: {}, healthHeaders: {} };
    const password = await passwordFor(projectId);
    const basic = `Basic ${Buffer.from(`opencode:${password}`).toString("base64")}`;
    const fingerprint = createHash("sha256").update(`opencode-password:${password}`).digest("hex").slice(0, 16);
    return { env: { OPENCODE_SERVER_PASSWORD: password }, healthHeaders: { authorization: basic }, fingerprint };
  };
}
