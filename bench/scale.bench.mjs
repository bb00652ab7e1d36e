// Scale (issue #16): BENCH_SCALE_PROJECTS (100) small projects — a tiny node HTTP server template —
// on one control plane, against the same control plane with 1 project, in the same run: its
// RSS, `GET /api/v1/projects` latency (10 connections), one periodic re-scan (every project's
// pass, from GET /metrics), and the edge's throughput to one project's host with 1 and with 100
// routes in the table (50 connections).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { apiClient, apiToken, removeLabelled, sleep, startControlPlane } from "./lib/control-plane.mjs";
import { load, table } from "./lib/measure.mjs";

const run = promisify(execFile);
const PROJECTS = Number(process.env.BENCH_SCALE_PROJECTS ?? 100);
const duration = Number(process.env.BENCH_DURATION ?? 5);
const RESCAN_MS = 5000;
const METRICS_TOKEN = `bench-scale-${"m".repeat(24)}`;
const SERVER =
  "require('http').createServer((q,r)=>{r.setHeader('content-type','text/plain');r.end('tiny\\n')}).listen(3000)";

const tiny = (image) => ({
  slug: "bench-tiny",
  name: "Bench tiny",
  description: "A node HTTP server in a few lines",
  services: {
    preview: {
      image,
      command: ["node", "-e", SERVER],
      port: 3000,
      env: {},
      healthCheck: { path: "/", intervalMs: 200, timeoutMs: 1000, retries: 3 },
      limits: { memoryMb: 64, cpus: 0.25, pids: 32 },
      restart: { maxRetries: 1 },
    },
  },
});

async function rssMiB(appPort) {
  const { stdout } = await run("sh", ["-c", `ss -ltnpH 'sport = :${appPort}' | grep -o 'pid=[0-9]*' | head -1`]);
  const pid = stdout.trim().replace("pid=", "");
  if (!pid) return "-";
  const status = (await run("cat", [`/proc/${pid}/status`])).stdout;
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/** The reconciler's pass counters from GET /metrics: count and summed seconds. */
async function passes(appPort) {
  const text = await (
    await fetch(`http://127.0.0.1:${appPort}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  ).text();
  const sum = (re) => [...text.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
  return {
    count: sum(/^devsanctum_reconciler_pass_duration_seconds_count\{[^}]*\} ([\d.e+-]+)$/gm),
    seconds: sum(/^devsanctum_reconciler_pass_duration_seconds_sum\{[^}]*\} ([\d.e+-]+)$/gm),
  };
}

/** What one re-scan costs: the passes between two re-scans, summed (they run one project at a time). */
async function oneRescan(appPort) {
  await sleep(RESCAN_MS + 500);
  const a = await passes(appPort);
  await sleep(RESCAN_MS);
  const b = await passes(appPort);
  return { passes: Math.round(b.count - a.count), ms: Math.round((b.seconds - a.seconds) * 1000) };
}

async function measure(state, server, api, authorization, edgeHeaders) {
  const list = await load(`http://127.0.0.1:${server.appPort}/api/v1/projects`, {
    connections: 10,
    duration,
    headers: { authorization },
  });
  const edge = await load(`http://127.0.0.1:${server.edgePort}/`, { duration, headers: edgeHeaders });
  const rescan = await oneRescan(server.appPort);
  const { projects } = await api("GET", "/projects");
  return {
    state,
    "projects (running)": `${projects.length} (${projects.filter((p) => p.status === "running").length})`,
    "RSS MiB": await rssMiB(server.appPort),
    "GET /projects p50 ms": list.p50,
    "GET /projects p99 ms": list.p99,
    "re-scan passes": rescan.passes,
    "re-scan ms": rescan.ms,
    "edge req/s": Math.round(edge.rps),
    "edge p99 ms": edge.p99,
  };
}

/** Waits until every project runs or failed; failures (a loaded machine missing a health deadline) are reported. */
async function untilSettled(api, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const { projects } = await api("GET", "/projects");
    const failed = projects.filter((p) => p.status === "failed");
    const notYet = projects.filter((p) => p.status !== "running" && p.status !== "failed");
    if (!notYet.length) {
      if (failed.length) console.log(`${failed.length} projects failed to start: ${failed[0].statusMessage}`);
      return projects;
    }
    if (Date.now() > deadline) throw new Error(`${notYet.length} projects not running yet (${notYet[0].status})`);
    await sleep(500);
  }
}

export async function benchScale() {
  const label = `bench-scale-${process.pid}`;
  const server = await startControlPlane(label, {
    RECONCILE_INTERVAL_MS: String(RESCAN_MS),
    METRICS_TOKEN,
    IDLE_TIMEOUT_SECONDS: "0",
  });
  try {
    const authorization = await apiToken(server.databaseUrl, [
      "projects:read",
      "projects:write",
      "templates:read",
      "templates:write",
    ]);
    const api = apiClient(server.appPort, authorization);
    const image = process.env.DEVSANCTUM_NODE_IMAGE ?? "devsanctum/node:20";
    const template = await api("POST", "/templates", tiny(image));
    const first = (await api("POST", "/projects", { name: `scale 0`, templateId: template.id })).project;
    await untilSettled(api, 120_000);
    const host = `${first.slug}--preview.localhost:${server.edgePort}`;
    // The tiny server's host is owner-only like every preview: the API token opens it too.
    const edgeAuth = { host, authorization };
    const one = await measure("1 project", server, api, authorization, edgeAuth);
    const t0 = performance.now();
    for (let i = 1; i < PROJECTS; i++) await api("POST", "/projects", { name: `scale ${i}`, templateId: template.id });
    await untilSettled(api, 20 * 60_000);
    const createAll = performance.now() - t0;
    const many = await measure(`${PROJECTS} projects`, server, api, authorization, edgeAuth);
    console.log(`\n${PROJECTS} tiny projects (node HTTP server, 64 MB each) on one control plane, vs 1`);
    table([one, many]);
    console.log(
      `${PROJECTS - 1} more projects created and running in ${Math.round(createAll / 1000)} s (${Math.round(createAll / (PROJECTS - 1))} ms each)`,
    );
  } finally {
    await server.stop();
    await removeLabelled(label);
  }
}
