// The metrics ports on prom-client, in a registry of their own (not prom-client's global one):
// two control planes in one process (tests) do not share counters.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type {
  EdgeMetrics,
  FailureMetrics,
  HttpMetrics,
  MetricsScrape,
  OperationMetrics,
  ReconcilerMetrics,
} from "../../ports/metrics.port.js";

const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const PASS_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export interface PromMetrics {
  http: HttpMetrics;
  edge: EdgeMetrics;
  reconciler: ReconcilerMetrics;
  operations: OperationMetrics;
  failures: FailureMetrics;
  /** Queue depth read at scrape time. */
  gaugeQueueDepth(read: () => number): void;
  /** Containers by kind and state, listed at scrape time. */
  gaugeContainers(list: () => Promise<Array<{ kind: string; state: string }>>): void;
  scrape: MetricsScrape;
}

export function promMetrics(opts: { defaultMetrics?: boolean } = {}): PromMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "devsanctum_" });
  const registers = [registry];

  const httpRequests = new Counter({
    name: "devsanctum_http_requests_total",
    help: "API requests answered, by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    registers,
  });
  const httpSeconds = new Histogram({
    name: "devsanctum_http_request_duration_seconds",
    help: "API request duration, by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: SECONDS,
    registers,
  });
  const edgeRequests = new Counter({
    name: "devsanctum_edge_requests_total",
    help: "Requests through the builtin edge, by service kind (none: refused before a route) and status",
    labelNames: ["kind", "status"] as const,
    registers,
  });
  const edgeSeconds = new Histogram({
    name: "devsanctum_edge_request_duration_seconds",
    help: "Duration of requests through the builtin edge, by service kind and status",
    labelNames: ["kind", "status"] as const,
    buckets: SECONDS,
    registers,
  });
  const edgeBytes = new Counter({
    name: "devsanctum_edge_response_bytes_total",
    help: "Bytes the builtin edge sent to clients (headers included), by service kind and status",
    labelNames: ["kind", "status"] as const,
    registers,
  });
  const edgeWebsockets = new Gauge({
    name: "devsanctum_edge_open_websockets",
    help: "WebSockets open through the builtin edge",
    registers,
  });
  const passes = new Counter({
    name: "devsanctum_reconciler_passes_total",
    help: "Reconciler passes over one project, by outcome",
    labelNames: ["outcome"] as const,
    registers,
  });
  const passSeconds = new Histogram({
    name: "devsanctum_reconciler_pass_duration_seconds",
    help: "Duration of reconciler passes, by outcome",
    labelNames: ["outcome"] as const,
    buckets: PASS_SECONDS,
    registers,
  });

  const operations = new Counter({
    name: "devsanctum_operations_total",
    help: "Operations ended, by kind (create, start, deploy …) and outcome",
    labelNames: ["kind", "outcome"] as const,
    registers,
  });
  const stepSeconds = new Histogram({
    name: "devsanctum_operation_step_duration_seconds",
    help: "Duration of operation steps (pull, create, health …), by operation kind (none: a pass no operation asked for) and step",
    labelNames: ["kind", "step"] as const,
    buckets: PASS_SECONDS,
    registers,
  });
  const dockerErrors = new Counter({
    name: "devsanctum_docker_errors_total",
    help: "Container runtime calls that failed, by operation (the port's method: startContainer, containerStats …)",
    labelNames: ["operation"] as const,
    registers,
  });
  const databaseErrors = new Counter({
    name: "devsanctum_database_errors_total",
    help: "Database calls that failed, by Prisma error code (P2002 …) or unknown",
    labelNames: ["code"] as const,
    registers,
  });

  let queueDepth = () => 0;
  new Gauge({
    name: "devsanctum_reconciler_queue_depth",
    help: "Projects waiting for or in a reconciler pass",
    registers,
    collect() {
      this.set(queueDepth());
    },
  });
  let listContainers: () => Promise<Array<{ kind: string; state: string }>> = async () => [];
  new Gauge({
    name: "devsanctum_containers",
    help: "This install's containers, by kind (service kind, gate, workspace …) and Docker state",
    labelNames: ["kind", "state"] as const,
    registers,
    async collect() {
      this.reset();
      // Docker unreachable: the gauge is empty for this scrape, the rest is still served.
      const list = await listContainers().catch(() => []);
      for (const c of list) this.inc({ kind: c.kind, state: c.state });
    },
  });

  // Per request, prom-client would hash the label object for each metric; the series of a
  // label combination are looked up once and kept (label values are bounded, so is this map).
  const httpSeries = seriesCache((method: string, route: string, status: string) => ({
    count: httpRequests.labels(method, route, status),
    seconds: httpSeconds.labels(method, route, status),
  }));
  const edgeSeries = seriesCache((kind: string, status: string) => ({
    count: edgeRequests.labels(kind, status),
    seconds: edgeSeconds.labels(kind, status),
    bytes: edgeBytes.labels(kind, status),
  }));
  return {
    http: {
      request({ method, route, status, seconds }) {
        const series = httpSeries(method, route, String(status));
        series.count.inc();
        series.seconds.observe(seconds);
      },
    },
    edge: {
      request({ kind, status, seconds, bytes }) {
        const series = edgeSeries(kind, String(status));
        series.count.inc();
        series.seconds.observe(seconds);
        if (bytes > 0) series.bytes.inc(bytes);
      },
      websockets(change) {
        edgeWebsockets.inc(change);
      },
    },
    reconciler: {
      pass(outcome, seconds) {
        passes.inc({ outcome });
        passSeconds.observe({ outcome }, seconds);
      },
    },
    operations: {
      finished(kind, outcome) {
        operations.inc({ kind, outcome });
      },
      step(kind, step, seconds) {
        stepSeconds.observe({ kind, step }, seconds);
      },
    },
    failures: {
      dockerError(operation) {
        dockerErrors.inc({ operation });
      },
      databaseError(code) {
        databaseErrors.inc({ code });
      },
    },
    gaugeQueueDepth(read) {
      queueDepth = read;
    },
    gaugeContainers(list) {
      listContainers = list;
    },
    scrape: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}

/** `make(...labels)`, made once per distinct combination of label values. */
function seriesCache<A extends string[], S>(make: (...labels: A) => S): (...labels: A) => S {
  const made = new Map<string, S>();
  return (...labels) => {
    const key = labels.join("\u0000");
    let series = made.get(key);
    if (!series) {
      series = make(...labels);
      made.set(key, series);
    }
    return series;
  };
}
