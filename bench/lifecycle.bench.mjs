// Project lifecycle latency: DevSanctum against plain Docker, same image, command and files,
// measured in the same run on loopback.
// (a) create: POST /api/v1/projects → the preview's first 200 through the edge,
//     vs `docker run` of the template's preview + first 200 at its 127.0.0.1 port;
// (b) the same create when the template keeps a warm pool (prewarm 1, issue #16): the claimed
//     instance is already running, so the time is the claim, one pass and the edge;
// (c) start of a stopped project → first 200, vs `docker start` + first 200.
// The baseline's volume is seeded once, untimed: `docker run` is only the container part.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import {
  apiClient,
  apiToken,
  get,
  ROOT,
  removeLabelled,
  row,
  sleep,
  startControlPlane,
  waitForProject,
} from "./lib/control-plane.mjs";
import { median, table } from "./lib/measure.mjs";

const run = promisify(execFile);
const TEMPLATE_DIR = path.join(ROOT, "backend/templates/vite-react");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WAIT_MS = 30_000;

/** Polls until the Vite page answers 200; returns the time it took from `t0`. */
async function firstOk(port, t0, headers = {}) {
  let last;
  for (;;) {
    const res = await get(port, "/", headers);
    if (process.env.BENCH_TRACE && res.status !== last) {
      last = res.status;
      console.log(
        `${Math.round(performance.now() - t0)} ms ${headers.host ?? port}: ${res.status} ${res.body.slice(0, 80).replace(/\s+/g, " ")}`,
      );
    }
    if (res.status === 200 && res.body.includes("/@vite/client")) return performance.now() - t0;
    if (performance.now() - t0 > WAIT_MS) throw new Error(`no 200 on 127.0.0.1:${port} within ${WAIT_MS} ms`);
    await sleep(10);
  }
}

function dockerRunArgs(spec, label, volume) {
  const p = spec.port;
  return [
    "run",
    "-d",
    "--init",
    "--label",
    `devsanctum.bench=${label}`,
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    "--memory",
    `${spec.limits.memoryMb}m`,
    "--cpus",
    String(spec.limits.cpus),
    "--pids-limit",
    String(spec.limits.pids),
    "-p",
    `127.0.0.1::${p}`,
    "-v",
    `${volume}:/app`,
    "-w",
    spec.workdir ?? "/app",
    ...Object.entries(spec.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
    spec.image,
    ...spec.command,
  ];
}

async function publishedPort(id, port) {
  const { stdout } = await run("docker", ["port", id, `${port}/tcp`]);
  return Number(stdout.trim().split("\n")[0].split(":").pop());
}

/** Plain Docker: N × (docker run + first 200), then N × (docker stop; docker start + first 200). */
async function baseline(spec, label) {
  const volume = `devsanctum-bench-${label}`;
  await run("docker", ["volume", "create", "--label", `devsanctum.bench=${label}`, volume]);
  // Seed the files as a project gets them, owned by the image's user (uid 1000).
  await run("sh", [
    "-c",
    `tar -C '${TEMPLATE_DIR}/files' -c --owner=1000 --group=1000 . | docker run --rm -i --label devsanctum.bench=${label} -v ${volume}:/app ${spec.image} tar -x -C /app`,
  ]);
  const create = [];
  const start = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const { stdout } = await run("docker", dockerRunArgs(spec, label, volume));
    const id = stdout.trim();
    const port = await publishedPort(id, spec.port);
    create.push(await firstOk(port, t0));
    await run("docker", ["stop", "-t", "5", id]);
    const t1 = performance.now();
    await run("docker", ["start", id]);
    start.push(await firstOk(await publishedPort(id, spec.port), t1));
    await run("docker", ["rm", "-f", id]);
  }
  return { create, start };
}

/** Resolves once the template's warm pool holds `want` running instances (0: none at all). */
async function poolReady(databaseUrl, templateId, want = 1) {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const until = performance.now() + 180_000;
    for (;;) {
      const { rows } = await c.query(
        `SELECT count(*) FILTER (WHERE status = 'running')::int AS running, count(*)::int AS total
         FROM "Project" WHERE "templateId" = $1 AND "poolKey" IS NOT NULL`,
        [templateId],
      );
      if (want > 0 ? rows[0].running >= want : rows[0].total === 0) return;
      if (performance.now() > until) throw new Error(`the warm pool did not reach ${want} within 180 s`);
      await sleep(200);
    }
  } finally {
    await c.end();
  }
}

/**
 * DevSanctum: N × (POST /projects → first 200 at the preview's hostname through the edge), then
 * stop / start the same way. Only the edge is measured: a service publishes no port on the host
 * (the service gate), so there is no container endpoint to time from here.
 */
async function devsanctum(label) {
  const server = await startControlPlane(label);
  const { appPort, edgePort, databaseUrl } = server;
  const created = [];
  try {
    const authorization = await apiToken(databaseUrl, [
      "projects:read",
      "projects:write",
      "templates:read",
      "templates:write",
    ]);
    const api = apiClient(appPort, authorization);
    const probe = await fetch(`http://127.0.0.1:${appPort}/api/v1/templates`);
    if (probe.status === 404) return null; // this build has no projects API yet
    const { templates } = await api("GET", "/templates");
    const template = templates.find((t) => t.slug === "vite-react");
    if (!template) throw new Error("the built-in vite-react template is not seeded");
    const out = { create: [], pooled: [], start: [] };
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const { project } = await api("POST", "/projects", { name: `bench ${label} ${i}`, templateId: template.id });
      created.push(project.id);
      const host = { host: `${project.slug}--preview.localhost:${edgePort}`, authorization };
      out.create.push(await firstOk(edgePort, t0, host));
      await waitForProject(api, project.id, "running"); // the agent's container too, before stopping
      await api("POST", `/projects/${project.id}/stop`);
      await waitForProject(api, project.id, "stopped");
      const t1 = performance.now();
      await api("POST", `/projects/${project.id}/start`);
      out.start.push(await firstOk(edgePort, t1, host));
    }
    for (const id of created.splice(0)) await api("DELETE", `/projects/${id}?keepData=false`);

    // The warm pool: one instance kept ready; each create claims it and the pool refills.
    await api("PATCH", `/templates/${template.id}`, { prewarm: 1 });
    for (let i = 0; i < RUNS; i++) {
      await poolReady(databaseUrl, template.id);
      const t0 = performance.now();
      const { project } = await api("POST", "/projects", {
        name: `bench ${label} pooled ${i}`,
        templateId: template.id,
      });
      created.push(project.id);
      const host = { host: `${project.slug}--preview.localhost:${edgePort}`, authorization };
      out.pooled.push(await firstOk(edgePort, t0, host));
      await waitForProject(api, project.id, "running");
    }
    await api("PATCH", `/templates/${template.id}`, { prewarm: 0 });
    for (const id of created.splice(0)) await api("DELETE", `/projects/${id}?keepData=false`);
    await poolReady(databaseUrl, template.id, 0);
    return out;
  } finally {
    await server.stop();
  }
}

export async function benchLifecycle() {
  const template = JSON.parse(await readFile(path.join(TEMPLATE_DIR, "template.json"), "utf8"));
  const spec = template.services.preview;
  const label = `bench-lc-${process.pid}`;
  try {
    const base = await baseline(spec, label);
    const ours = await devsanctum(label);
    console.log(`\nvite-react preview (${spec.image}), ${RUNS} runs each, time to the first 200 of GET /`);
    const rows = [row("docker run + first 200", base.create), row("docker start + first 200", base.start)];
    if (ours) {
      rows.splice(1, 0, row("POST /projects → first 200 via the edge", ours.create));
      rows.splice(2, 0, row("POST /projects, warm pool → first 200 via edge", ours.pooled));
      rows.push(row("POST /projects/{id}/start → first 200 via edge", ours.start));
    }
    table(rows);
    if (!ours) console.log("DevSanctum rows skipped: this build has no projects API (GET /api/v1/templates is 404)");
    else {
      const ratio = (a, b) => (median(a) / median(b)).toFixed(2);
      console.log(`ratio create DevSanctum/docker run: ${ratio(ours.create, base.create)} via the edge`);
      console.log(`ratio create from the warm pool/docker run: ${ratio(ours.pooled, base.create)} via the edge`);
      console.log(`ratio start DevSanctum/docker start: ${ratio(ours.start, base.start)} via the edge`);
    }
    return rows;
  } finally {
    await removeLabelled(label);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchLifecycle();
