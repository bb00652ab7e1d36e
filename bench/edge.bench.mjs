// Requests through the builtin edge vs straight to the container endpoint and vs nginx (upstream
// keep-alive, one worker per core) in front of the same container, same run: the real control
// plane (built, embedded PostgreSQL) in front of a real container.
// Then Traefik's HTTP provider: render time and size for 10,000 routes, and the 304 path
// (what Traefik gets on almost every 2 s poll) against the full 200 path.
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import pg from "pg";
import { removeLabelled } from "./lib/control-plane.mjs";
import { load, median, startControlPlane, table } from "./lib/measure.mjs";
import { startNginx } from "./lib/nginx.mjs";

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
  let server;
  let nginx;
  try {
    const container = await startContainer(label);
    nginx = await startNginx(container.url);
    // The bench's container publishes its port on loopback and the route points there, so the
    // edge connects straight to it (PROJECT_ENDPOINTS=network, as in compose): this measures the
    // edge itself. The embedded default adds the service gate's relay hop on top.
    server = await startControlPlane(ROOT, {
      label: `bench-edge-${process.pid}`,
      env: { PROJECT_ENDPOINTS: "network" },
    });
    const { edgePort } = server;
    await seedRoute(server.databaseUrl, container.url);
    const direct = await load(`${container.url}/`, { duration });
    const viaNginx = await load(`${nginx.url}/`, { duration });
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
      {
        path: "through nginx (keep-alive upstream)",
        "req/s": Math.round(viaNginx.rps),
        "p50 ms": viaNginx.p50,
        "p99 ms": viaNginx.p99,
      },
      { path: "through the builtin edge", "req/s": Math.round(edge.rps), "p50 ms": edge.p50, "p99 ms": edge.p99 },
    ]);
    console.log(
      `ratio edge/direct: ${(edge.rps / direct.rps).toFixed(2)} of the throughput, p99 +${edge.p99 - direct.p99} ms`,
    );
    console.log(
      `ratio edge/nginx: ${(edge.rps / viaNginx.rps).toFixed(2)} of the throughput (goal ≥ 0.85), p99 ${edge.p99 - viaNginx.p99 >= 0 ? "+" : ""}${edge.p99 - viaNginx.p99} ms (goal ≤ +5)`,
    );
  } finally {
    await server?.stop();
    await nginx?.stop();
    // The control plane's own (a files workspace for the seeded project), under its install id.
    await removeLabelled(`bench-edge-${process.pid}`);
    const { stdout } = await run("docker", ["ps", "-aq", "--filter", `label=devsanctum.bench=${label}`]);
    if (stdout.trim()) await run("docker", ["rm", "-f", ...stdout.trim().split("\n")]);
  }
}

const ROUTES = Number(process.env.BENCH_TRAEFIK_ROUTES ?? 10_000);
const APPS = "apps.bench.test";

/** ROUTES projects with a preview route each; one in ten stopped (they render as offline-page routers). */
export async function seedRouteTable(databaseUrl) {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query(
      `WITH u AS (INSERT INTO "User" (id, email, "updatedAt") VALUES (gen_random_uuid(), 'bench-traefik@localhost', now()) RETURNING id),
            t AS (INSERT INTO "Template" (id, slug, name, services, "updatedAt")
                  VALUES (gen_random_uuid(), 'bench-traefik', 'Bench', '{"preview":{"healthCheck":{"path":"/"}}}', now()) RETURNING id)
       INSERT INTO "Project" (id, "ownerId", "templateId", name, slug, status, "desiredState", "updatedAt")
       SELECT gen_random_uuid(), u.id, t.id, 'Project ' || i, 'p' || i, 'running',
              (CASE WHEN i % 10 = 0 THEN 'stopped' ELSE 'running' END)::"DesiredState", now()
       FROM u, t, generate_series(1, $1::int) i`,
      [ROUTES],
    );
    await c.query(
      `INSERT INTO "ServiceInstance" (id, "projectId", kind, endpoint, "observedState", "updatedAt")
       SELECT gen_random_uuid(), id, 'preview', 'http://ds-' || slug || '-preview:5173', 'running', now() FROM "Project"`,
    );
    await c.query(
      `INSERT INTO "Route" (id, hostname, "projectId", kind, target, access, "updatedAt")
       SELECT gen_random_uuid(), slug || '--preview.${APPS}', id, 'preview', 'http://ds-' || slug || '-preview:5173', 'owner', now()
       FROM "Project"`,
    );
  } finally {
    await c.end();
  }
}

/** The pure renderer alone, in this process, on a synthetic table of ROUTES routes. */
async function renderInProcess() {
  const { renderTraefikConfig, serializeTraefikConfig, traefikDocumentRenderer } = await import(
    path.join(ROOT, "backend/dist/modules/traefik/traefik-dynamic-config.js")
  );
  const routes = Array.from({ length: ROUTES }, (_, i) => ({
    hostname: `p${i}--preview.${APPS}`,
    kind: "preview",
    access: "owner",
    target: `http://ds-p${i}-preview:5173`,
    project: { id: String(i), slug: `p${i}`, desiredState: i % 10 === 0 ? "stopped" : "running" },
    serviceState: "running",
    healthCheckPath: "/",
  }));
  const opts = {
    appsDomain: APPS,
    controlPlaneUrl: "http://control-plane:3000",
    controlPlaneEdgeUrl: "http://control-plane:8080",
    forwardAuthKey: "bench",
    tls: { certResolver: "le", wildcard: true },
  };
  const times = [];
  let body = "";
  for (let i = 0; i < 12; i++) {
    const t0 = performance.now();
    body = serializeTraefikConfig(renderTraefikConfig(routes, opts).config);
    createHash("sha256").update(body).digest("base64url");
    times.push(performance.now() - t0);
  }
  // What the provider runs: the renderer that remembers each route's fragment, one route
  // changed between renders (a restart moved its container).
  const renderDocument = traefikDocumentRenderer(opts);
  renderDocument(routes);
  const cached = [];
  for (let i = 0; i < 12; i++) {
    const table = routes.map((r, j) => (j === 42 ? { ...r, target: `http://ds-p42-preview-${i}:5173` } : r));
    const t0 = performance.now();
    const doc = renderDocument(table).body;
    createHash("sha256").update(doc).digest("base64url");
    cached.push(performance.now() - t0);
  }
  return {
    ms: median(times.slice(2)),
    cachedMs: median(cached.slice(2)),
    bytes: Buffer.byteLength(body),
    gzip: gzipSync(body).length,
  };
}

export async function benchTraefikProvider() {
  const secret = randomBytes(32).toString("hex");
  let server;
  try {
    const pure = await renderInProcess();
    server = await startControlPlane(ROOT, {
      label: `bench-traefik-${process.pid}`,
      env: {
        APPS_DOMAIN: APPS,
        PROXY_PROVIDER: "traefik",
        TRAEFIK_PROVIDER_SECRET: secret,
        TRAEFIK_API_URL: "http://127.0.0.1:9", // nothing there: the start-up check just warns
        TRAEFIK_VERIFY_TIMEOUT_MS: "1000",
        // The seeded projects have no containers: a reconciler would try to create 9,000 of
        // them and move the table under the measurement. This measures the provider alone.
        RECONCILER_ENABLED: "false",
      },
    });
    const { appPort, databaseUrl } = server;
    await seedRouteTable(databaseUrl);
    const url = `http://127.0.0.1:${appPort}/internal/traefik/dynamic`;
    const headers = { "x-devsanctum-provider-token": secret };

    // With the ETag of the document in hand, a poll is a 304 until the document changes.
    const get = async (ifNoneMatch) => {
      const res = await fetch(url, {
        headers: {
          ...headers,
          "accept-encoding": "identity",
          ...(ifNoneMatch ? { "if-none-match": ifNoneMatch } : {}),
        },
      });
      const text = await res.text();
      return { etag: res.headers.get("etag") ?? ifNoneMatch, bytes: Buffer.byteLength(text), text, status: res.status };
    };
    let { etag, bytes } = await get();
    // Steady state: the 1 s cache expired, the table's fingerprint has not moved.
    const steady = [];
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 1100));
      const t0 = performance.now();
      await get();
      steady.push(performance.now() - t0);
    }
    // A route changes: how long until a poll gets the new document (notification, read of the
    // project's routes, render, one download), polling with If-None-Match as a watcher would.
    const change = [];
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 1100));
      // As the reconciler does after a restart: the service's endpoint (which the proxies
      // prefer) and the route's target both move.
      const target = `http://ds-changed-${i}:5173`;
      // One transaction: the two writes land together (and are announced together).
      await db.query("BEGIN");
      await db.query(`UPDATE "Route" SET target = $1, "updatedAt" = now() WHERE hostname = $2`, [
        target,
        `p1--preview.${APPS}`,
      ]);
      await db.query(
        `UPDATE "ServiceInstance" SET endpoint = $1, "updatedAt" = now()
          WHERE kind = 'preview' AND "projectId" = (SELECT "projectId" FROM "Route" WHERE hostname = $2)`,
        [target, `p1--preview.${APPS}`],
      );
      await db.query("COMMIT");
      const t0 = performance.now();
      for (;;) {
        const now = await get(etag);
        if (now.status === 304) continue;
        // The document that carries this change (not merely a different one: the first poll
        // after seeding may still be catching up with the seed).
        etag = now.etag;
        if (now.text.includes(`"url":"${target}"`)) {
          bytes = now.bytes;
          break;
        }
      }
      change.push(performance.now() - t0);
    }
    await db.end();
    console.log(`a changed Route row shows after ${change.map(Math.round).join(", ")} ms`);
    const full = await load(url, { connections: 10, duration, headers, status: 200 });
    const zipped = await load(url, {
      connections: 10,
      duration,
      headers: { ...headers, "accept-encoding": "gzip" },
      status: 200,
    });
    const notModified = await load(url, {
      connections: 10,
      duration,
      headers: { ...headers, "if-none-match": etag },
      status: 304,
    });

    const kb = (n) => `${Math.round(n / 1024)} KiB`;
    console.log(`\nTraefik dynamic configuration for ${ROUTES} routes (one in ten stopped)`);
    table([
      { what: "pure render + JSON + ETag (in process, median of 10)", value: `${pure.ms.toFixed(1)} ms` },
      {
        what: "provider's render, one route changed, + ETag (median of 10)",
        value: `${pure.cachedMs.toFixed(1)} ms`,
      },
      { what: "document size (gzip)", value: `${kb(pure.bytes)} (${kb(pure.gzip)})` },
      { what: "GET, cache expired, table unchanged (median of 5)", value: `${median(steady).toFixed(1)} ms` },
      {
        what: "a Route row changes → a GET returns the new doc (median of 5)",
        value: `${median(change).toFixed(1)} ms`,
      },
      { what: "size served over HTTP", value: kb(bytes) },
    ]);
    console.log(`\nGET /internal/traefik/dynamic, 10 connections, ${duration} s after 1 s warm-up`);
    table([
      {
        path: "200, full document",
        "req/s": Math.round(full.rps),
        "p50 ms": full.p50,
        "p99 ms": full.p99,
        "MB/s": full.mbps,
      },
      {
        path: "200, gzip (what Traefik asks for)",
        "req/s": Math.round(zipped.rps),
        "p50 ms": zipped.p50,
        "p99 ms": zipped.p99,
        "MB/s": zipped.mbps,
      },
      {
        path: "304, If-None-Match",
        "req/s": Math.round(notModified.rps),
        "p50 ms": notModified.p50,
        "p99 ms": notModified.p99,
        "MB/s": notModified.mbps,
      },
    ]);
    console.log(`ratio 304/200: ${(notModified.rps / full.rps).toFixed(1)}x the requests per second`);
  } finally {
    await server?.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchEdge();
  await benchTraefikProvider();
}
