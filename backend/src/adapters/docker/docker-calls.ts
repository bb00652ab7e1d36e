import type { Labels } from "../../ports/container-runtime.port.js";

// Small helpers every dockerode call site shares.

export const statusOf = (err: unknown) => (err as { statusCode?: number }).statusCode;
export const labelFilter = (labels: Labels) => Object.entries(labels).map(([k, v]) => `${k}=${v}`);

/** Ignores the engine's "already so" answers: 304 not modified, 404 gone. */
export async function tolerate(fn: () => Promise<unknown>, ...codes: number[]) {
  try {
    await fn();
  } catch (err) {
    if (!codes.includes(statusOf(err) ?? 0)) throw err;
  }
}

/** Wraps a call so an engine that does not answer becomes DOCKER_UNAVAILABLE. */
export type Guard = <T>(fn: () => Promise<T>) => Promise<T>;
