// Requests through the builtin edge vs straight to the container endpoint, same run:
// the real control plane (built, embedded PostgreSQL) in front of a real container.
import { execFile } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort, load, startServer, table } from "./lib/measure.mjs";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "..");
const IMAGE = process.env.DEVSANCTUM_NODE_IMAGE ?? "devsanctum/node:20";
const duration = Number(process.env.BENCH_DURATION ?? 5);
const SERVER =
  "require('http').createServer((q,r)=>{r.setHeader('content-type','text/plain');r.end('hello from the project\\n')}).listen(3000)";

async function startContainer(label) {
  const { stdout } = await run("docker", [
    "run",
    "-d",
    "--init",
    "--label",
    `devsanctum.bench=${label}`,
    "--memory",
    "256m",
    "--pids-limit",
    "64",
    "-p",
    "127.0.0.1::3000",
    IMAGE,
    "node",
    "-e",
    SERVER,
  ]);
  const id = stdout.trim();
  const { stdout: port } = await run("docker", ["port", id, "3000/tcp"]);
  const url = `http://${port.trim().split("\n")[0]}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return { id, url };
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`container ${id} did not answer at ${url}`);
}

async function seedRoute(databaseUrl, target) {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const user = await c.query(
      `INSERT INTO "User" (id, email, "updatedAt") VALUES (gen_random_uuid(), 'bench@localhost', now()) RETURNING id`,
    );
    const tpl = await c.query(
      `INSERT INTO "Template" (id, slug, name, services, "updatedAt") VALUES (gen_random_uuid(), 'bench', 'Bench', '{}', now()) RETURNING id`,
    );
    const project = await c.query(
      `INSERT INTO "Project" (id, "ownerId", "templateId", name, slug, status, "updatedAt") VALUES (gen_random_uuid(), $1, $2, 'Bench', 'bench', 'running', now()) RETURNING id`,
      [user.rows[0].id, tpl.rows[0].id],
    );
    await c.query(
      `INSERT INTO "ServiceInstance" (id, "projectId", kind, endpoint, "observedState", "updatedAt") VALUES (gen_random_uuid(), $1, 'production', $2, 'running', now())`,
      [project.rows[0].id, target],
    );
    await c.query(
      `INSERT INTO "Route" (id, hostname, "projectId", kind, target, access, "updatedAt") VALUES (gen_random_uuid(), 'bench.localhost', $1, 'production', $2, 'public', now())`,
      [project.rows[0].id, target],
    );
  } finally {
    await c.end();
  }
}

export async function benchEdge() {
  const label = `edge-${process.pid}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "devsanctum-bench-edge-"));
  await chmod(dataDir, 0o755);
  const pgPort = Number(process.env.BENCH_PG_PORT ?? 5493);
  const [appPort, edgePort] = [await freePort(), await freePort()];
  let server;
  try {
    const container = await startContainer(label);
    server = await startServer(process.execPath, [path.join(ROOT, "backend/dist/main.js")], {
      env: {
        PORT: String(appPort),
        EDGE_PORT: String(edgePort),
        DATA_DIR: dataDir,
        EMBEDDED_PG_PORT: String(pgPort),
        NODE_ENV: "production",
        LOG_LEVEL: "warn",
      },
      readyUrl: `http://127.0.0.1:${appPort}/readyz`,
    });
    await seedRoute(`postgresql://devsanctum:devsanctum@127.0.0.1:${pgPort}/devsanctum`, container.url);
    const direct = await load(`${container.url}/`, { duration });
    const edge = await load(`http://127.0.0.1:${edgePort}/`, {
      duration,
      headers: { host: `bench.localhost:${edgePort}` },
    });
    console.log(`\nGET / of a container (node http server), 50 connections, ${duration} s after 1 s warm-up`);
    table([
      {
        path: "direct to container (127.0.0.1)",
        "req/s": Math.round(direct.rps),
        "p50 ms": direct.p50,
        "p99 ms": direct.p99,
      },
      { path: "through the builtin edge", "req/s": Math.round(edge.rps), "p50 ms": edge.p50, "p99 ms": edge.p99 },
    ]);
    console.log(
      `ratio edge/direct: ${(edge.rps / direct.rps).toFixed(2)} of the throughput, p99 +${edge.p99 - direct.p99} ms`,
    );
  } finally {
    await server?.stop();
    const { stdout } = await run("docker", ["ps", "-aq", "--filter", `label=devsanctum.bench=${label}`]);
    if (stdout.trim()) await run("docker", ["rm", "-f", ...stdout.trim().split("\n")]);
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchEdge();
