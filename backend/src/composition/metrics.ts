// GET /metrics (issue #16): one registry per control plane, fed by the API's hook, the edge,
// the reconciler, and read at scrape time from Docker (this install's containers) and the
// reconciler's queue. main.ts builds it first and hands the parts to the areas.
import { countedContainerRuntime } from "../adapters/docker/counted-container-runtime.js";
import { promMetrics } from "../adapters/metrics/prom-metrics.js";
import type { ContainerRuntime } from "../ports/container-runtime.port.js";
import { LABEL } from "../reconciler/converger-context.js";

export function composeMetrics(opts: { token?: string | undefined; defaultMetrics?: boolean } = {}) {
  const metrics = promMetrics({ defaultMetrics: opts.defaultMetrics ?? true });
  return {
    http: metrics.http,
    edge: metrics.edge,
    reconciler: metrics.reconciler,
    operations: metrics.operations,
    failures: metrics.failures,
    /** What buildApp takes (AppDeps.metrics). */
    app: { http: metrics.http, scrape: metrics.scrape, ...(opts.token ? { token: opts.token } : {}) },
    scrape: metrics.scrape,
    /** Counts this install's containers by kind and state on every scrape (one list call). */
    watchContainers(runtime: Pick<ContainerRuntime, "listContainers">, installId: string) {
      metrics.gaugeContainers(async () =>
        (await runtime.listContainers({ [LABEL.install]: installId })).map((c) => ({
          kind: c.labels[LABEL.kind] ?? "other",
          state: c.state,
        })),
      );
    },
    /** The runtime, its failed calls counted by operation (adapters/docker/counted-container-runtime.ts). */
    countDockerErrors<R extends ContainerRuntime>(runtime: R): R {
      return countedContainerRuntime(runtime, (op) => metrics.failures.dockerError(op));
    },
    watchQueue(reconciler: { queueDepth(): number }) {
      metrics.gaugeQueueDepth(() => reconciler.queueDepth());
    },
  };
}

export type ComposedMetrics = ReturnType<typeof composeMetrics>;
