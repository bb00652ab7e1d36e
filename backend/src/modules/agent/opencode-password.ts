// OpenCode runs shell commands, so its server always has a password: random per project, stored
// sealed, sent only by the edge and the control plane (never to a browser), and rotatable — a
// rotation gives the project's OpenCode container a new configuration, so the reconciler
// replaces it. Reads are cached briefly: the edge asks on every OpenCode request. Another
// replica sees a rotation within the cache's lifetime.
import { randomBytes } from "node:crypto";
import type { ProjectSecretStore } from "../../ports/project-secrets.port.js";

const NAME = "opencode-password";

export interface OpencodePasswords {
  passwordFor(projectId: string): Promise<string>;
  /** A new password; the caller wakes the reconciler to replace the container. */
  rotate(projectId: string): Promise<Date>;
}

export function opencodePasswords(store: ProjectSecretStore, opts: { cacheMs?: number } = {}): OpencodePasswords {
  const cacheMs = opts.cacheMs ?? 10_000;
  const cache = new Map<string, { value: Promise<string>; until: number }>();
  const make = () => randomBytes(32).toString("base64url");
  return {
    passwordFor(projectId) {
      const hit = cache.get(projectId);
      if (hit && hit.until > Date.now()) return hit.value;
      const value = store.getOrCreate(projectId, NAME, make);
      cache.set(projectId, { value, until: Date.now() + cacheMs });
      value.catch(() => cache.delete(projectId));
      return value;
    },
    async rotate(projectId) {
      const value = make();
      const at = await store.replace(projectId, NAME, value);
      cache.set(projectId, { value: Promise.resolve(value), until: Date.now() + cacheMs });
      return at;
    },
  };
}
