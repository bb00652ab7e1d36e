// Wake on access (issue #15): a sleeping vite-react project → the first 200 of GET / through the
// builtin edge (one request, held while the project wakes), against `docker start` of the same
// two containers (preview and agent, what a wake starts) + the first 200 of the same preview
// through the same service gate, in the same run. The baseline runs while the bench holds the
// project's reconcile lock, so the control plane leaves those containers alone meanwhile.
// Then the memory 20 sleeping projects hold against the same 20 running.
import { execFile } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { apiClient, apiToken, ROOT, removeLabelled, row, sleep, startControlPlane } from "./lib/control-plane.mjs";
import { median, table } from "./lib/measure.mjs";

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PROJECTS = Number(process.env.BENCH_WAKE_PROJECTS ?? 20);
const IDLE_S = 10; // the shortest timeout the configuration accepts
const SECRET_KEY = `bench-wake-${"x".repeat(40)}`;

/** One GET with a long timeout: the edge holds it while the project wakes; no retry. */
function heldGet(port, pathName, headers) {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: pathName, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.setTimeout(60_000, () => req.destroy());
    req.on("error", () => resolve({ status: 0, body: "" }));
  });
}

async function status(db, id) {
  const r = await db.query(`SELECT status, "statusMessage", "sleptAt" FROM "Project" WHERE id = $1`, [id]);
  return r.rows[0];
}

/** Polls the database (an API call would be activity and keep the project awake). */
async function until(db, id, ok, ms, failedIsOk = false) {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await status(db, id);
    if (ok(s)) return s;
    if ((s.status === "failed" && !failedIsOk) || Date.now() > deadline)
      throw new Error(`project ${id} is ${s.status} (${s.statusMessage ?? ""})`);
    await sleep(100);
  }
}

/** The same path the edge uses to reach a container: the install's service gate on loopback. */
async function gateFetcher(installId) {
  const { deriveKey } = await import(path.join(ROOT, "backend/dist/config/secrets.js"));
  const { gateServiceConnector } = await import(path.join(ROOT, "backend/dist/adapters/network/service-connector.js"));
  const { stdout } = await run("docker", ["port", `ds-${installId}-gate`]);
  const gatePort = Number(stdout.trim().split("\n")[0].split(":").pop());
  const secret = Buffer.from(deriveKey(Buffer.from(SECRET_KEY, "utf8"), "service-gate")).toString("base64url");
  const connector = gateServiceConnector(
    { port: async () => gatePort, knownPort: () => gatePort, forget: () => {} },
    secret,
  );
  return connector;
}

/** Sum of the memory Docker reports for this install's running containers (MiB). */
async function containerMemoryMiB(installId) {
  const ids = (await run("docker", ["ps", "-q", "--filter", `label=devsanctum.install=${installId}`])).stdout
    .trim()
    .split("\n")
    .filter(Boolean);
  if (!ids.length) return { count: 0, mib: 0 };
  const { stdout } = await run("docker", ["stats", "--no-stream", "--format", "{{.MemUsage}}", ...ids]);
  const unit = { B: 1 / 2 ** 20, KiB: 1 / 1024, MiB: 1, GiB: 1024 };
  let mib = 0;
  for (const line of stdout.trim().split("\n")) {
    const m = /^([\d.]+)(B|KiB|MiB|GiB)/.exec(line.trim());
    if (m) mib += Number(m[1]) * unit[m[2]];
  }
  return { count: ids.length, mib: Math.round(mib) };
}

async function controlPlaneRssMiB(appPort) {
  const { stdout } = await run("sh", ["-c", `ss -ltnpH 'sport = :${appPort}' | grep -o 'pid=[0-9]*' | head -1`]);
  const pid = stdout.trim().replace("pid=", "");
  if (!pid) return null;
  const status = (await run("cat", [`/proc/${pid}/status`])).stdout;
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

export async function benchWake() {
  const label = `bench-wake-${process.pid}`;
  const server = await startControlPlane(label, {
    SECRET_KEY,
    IDLE_TIMEOUT_SECONDS: String(IDLE_S),
    RECONCILE_INTERVAL_MS: "1000",
    ACTIVITY_FLUSH_MS: "500",
    WAKE_HOLD_MS: "30000",
  });
  const { appPort, edgePort, databaseUrl, installId } = server;
  const db = new pg.Client({ connectionString: databaseUrl });
  const lock = new pg.Client({ connectionString: databaseUrl });
  try {
    await db.connect();
    await lock.connect();
    const authorization = await apiToken(databaseUrl);
    const api = apiClient(appPort, authorization);
    const { templates } = await api("GET", "/templates");
    const template = templates.find((t) => t.slug === "vite-react");
    if (!template) throw new Error("the built-in vite-react template is not seeded");
    const port = template.services.preview.port;

    // (a) wake latency, RUNS times on one project, the baseline interleaved.
    const { project } = await api("POST", "/projects", { name: `wake ${label}`, templateId: template.id });
    await until(db, project.id, (s) => s.status === "running", 120_000);
    const host = { host: `${project.slug}--preview.localhost:${edgePort}`, authorization };
    const containers = ["preview", "opencode"].map((k) => `ds-${installId}-${project.slug}-${k}`);
    const preview = `http://${containers[0]}:${port}/`;
    const gate = await gateFetcher(installId);
    const wake = [];
    const dockerStart = [];
    const lockKey = "SELECT hashtextextended($2::text || ':' || $1::text, 0)";
    for (let i = 0; i < RUNS; i++) {
      await until(db, project.id, (s) => s.status === "sleeping", (IDLE_S + 30) * 1000);
      // Baseline: the control plane is kept off this project while plain Docker starts it.
      await lock.query(`SELECT pg_advisory_lock((${lockKey}))`, [project.id, "devsanctum.project"]);
      try {
        const t0 = performance.now();
        await run("docker", ["start", ...containers]);
        for (;;) {
          const res = await gate.fetch(preview, { signal: AbortSignal.timeout(2000) }).catch(() => null);
          const body = res ? await res.text() : "";
          if (res?.status === 200 && body.includes("/@vite/client")) break;
          if (performance.now() - t0 > 60_000) throw new Error("baseline: no 200 within 60 s");
          await sleep(10);
        }
        dockerStart.push(performance.now() - t0);
        await run("docker", ["stop", "-t", "5", ...containers]);
      } finally {
        await lock.query(`SELECT pg_advisory_unlock((${lockKey}))`, [project.id, "devsanctum.project"]);
      }
      // DevSanctum: one request to the sleeping host; the edge holds it until the project serves.
      const t1 = performance.now();
      const res = await heldGet(edgePort, "/", host);
      if (res.status !== 200 || !res.body.includes("/@vite/client"))
        throw new Error(`wake: the held request got ${res.status} ${res.body.slice(0, 120)}`);
      wake.push(performance.now() - t1);
    }
    await gate.close();
    console.log(`\nvite-react project asleep → first 200 of GET / (${RUNS} runs each, interleaved)`);
    table([
      row("sleeping → first 200 via the edge (one held request)", wake),
      row("docker start preview+agent → first 200 via the gate", dockerStart),
    ]);
    console.log(`ratio wake/docker start: ${(median(wake) / median(dockerStart)).toFixed(2)} (goal ≤ 1.25)`);

    // (b) memory: PROJECTS running, then the same asleep.
    const ids = [project.id];
    for (let i = 1; i < PROJECTS; i++) {
      ids.push((await api("POST", "/projects", { name: `mem ${label} ${i}`, templateId: template.id })).project.id);
    }
    // Kept awake (0 = never) until all run at once, then back to the default to let them sleep.
    for (const id of ids) await api("PATCH", `/projects/${id}`, { idleTimeoutSeconds: 0 });
    for (const id of ids) if ((await status(db, id)).status === "sleeping") await api("POST", `/projects/${id}/start`);
    // On a loaded machine a project may fail its health deadline: reported, left out of the figures.
    const failed = [];
    for (const id of ids) {
      const s = await until(db, id, (x) => x.status === "running" || x.status === "failed", 300_000, true);
      if (s.status === "failed") failed.push(id);
    }
    if (failed.length) console.log(`${failed.length} of ${ids.length} projects failed to start; measured without them`);
    for (const id of failed) await api("POST", `/projects/${id}/stop`);
    const measured = ids.filter((id) => !failed.includes(id));
    await sleep(2000);
    const running = await containerMemoryMiB(installId);
    const rssRunning = await controlPlaneRssMiB(appPort);
    for (const id of measured) await api("PATCH", `/projects/${id}`, { idleTimeoutSeconds: null });
    for (const id of measured) await until(db, id, (s) => s.status === "sleeping", (IDLE_S + 120) * 1000);
    await sleep(1000);
    const asleep = await containerMemoryMiB(installId);
    const rssAsleep = await controlPlaneRssMiB(appPort);
    console.log(
      `\nmemory of ${measured.length} vite-react projects (preview + agent), docker stats, plus the control plane`,
    );
    table([
      {
        state: "running",
        "containers up": running.count,
        "containers MiB": running.mib,
        "control plane RSS MiB": rssRunning ?? "-",
      },
      {
        state: "sleeping",
        "containers up": asleep.count,
        "containers MiB": asleep.mib,
        "control plane RSS MiB": rssAsleep ?? "-",
      },
    ]);
    console.log(
      "(containers up includes the install's service gate and each project's files workspace, which stops after WORKSPACE_IDLE_S; a sleeping project's stopped containers hold no memory)",
    );
    return { wake, dockerStart, running, asleep };
  } finally {
    await db.end().catch(() => {});
    await lock.end().catch(() => {});
    await server.stop();
    await removeLabelled(label);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchWake();
