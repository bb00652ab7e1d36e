import type { ContainerRuntime } from "../../ports/container-runtime.port.js";
import type { DatabaseProbe } from "../../ports/database.port.js";

export type CheckResult = { status: "ok"; latencyMs: number } | { status: "failed"; latencyMs: number; error: string };

const CHECK_TIMEOUT_MS = 2_000;

async function timed(check: () => Promise<unknown>): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: "ok", latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return {
      status: "failed",
      latencyMs: Math.round(performance.now() - started),
      error: err instanceof Error ? err.message : String(err),
    };
  } finally {
    clearTimeout(timer);
  }
}

export function healthServiceFactory(deps: { database: DatabaseProbe; containers: Pick<ContainerRuntime, "ping"> }) {
  return {
    async readiness() {
      const [database, docker] = await Promise.all([
        timed(() => deps.database.ping()),
        timed(() => deps.containers.ping()),
      ]);
      const ready = database.status === "ok" && docker.status === "ok";
      return { ready, checks: { database, docker } };
    },
  };
}

export type HealthService = ReturnType<typeof healthServiceFactory>;
