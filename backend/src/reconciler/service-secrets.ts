import type { ServiceSecrets } from "./converger-context.js";

/**
 * OpenCode runs shell commands: its server always gets its own password (derived per project),
 * which only the edge sends; the reconciler's health check sends it too.
 */
export function opencodeServiceSecrets(passwordFor: (projectId: string) => Promise<string>): ServiceSecrets {
  return async (projectId, kind): ReturnType<ServiceSecrets> => {
    if (kind !== "opencode") return { env: {}, healthHeaders: {} };
    const password = await passwordFor(projectId);
    const basic = `Basic ${Buffer.from(`opencode:${password}`).toString("base64")}`;
    return { env: { OPENCODE_SERVER_PASSWORD: password }, healthHeaders: { authorization: basic } };
  };
}
