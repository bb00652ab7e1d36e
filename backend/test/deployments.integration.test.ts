// Production deployments on the real Docker engine and PostgreSQL, through the builtin edge on
// loopback, with one project shared by the file (a tiny node server; its build.sh is rewritten
// per test to make builds slow, fail, run out of memory or serve an unhealthy server).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prismaRouteTable } from "../src/adapters/persistence/prisma-route-table.js";
import { renderTraefikConfig, routerNameFor } from "../src/modules/traefik/traefik-dynamic-config.js";
import { createApiToken, createUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import {
  baseUrl,
  createDeployTemplate,
  type DeploymentsHarness,
  deploymentsHarness,
  requestLoop,
  viaEdge,
  writeProjectFiles,
} from "./helpers/deployments.js";
import { eventually } from "./helpers/projects.js";
import { openSse } from "./helpers/sse.js";
import { traefikSchemaValidator } from "./helpers/traefik-schema.js";

let database: TestDatabase;
let h: DeploymentsHarness;
let owner: string;
let stranger: string;
let projectId: string;
let slug: string;
const KEEP = 3;
const KEEP_WARM_MS = 4000;

interface Dep {
  number: number;
  kind: string;
  rollbackOf: number | null;
  status: string;
  error: string | null;
  warm: boolean;
  url: string | null;
  sizeBytes: number | null;
  buildDurationMs: number | null;
  cancelRequested: boolean;
  requestedBy: { email: string } | null;
}

interface ApiBody {
  deployment: Dep & { log: string };
  operation: { kind: string };
  error: { code: string; message: string; details?: unknown };
  project: { id: string; slug: string; status: string };
  status: string;
  deployments: Dep[];
  diskBytes: number;
}

async function api(method: string, path: string, as = owner, body?: unknown) {
  const res = await fetch(`${baseUrl(h.app)}/api/v1${path}`, {
    method,
    headers: { authorization: as, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as ApiBody };
}

const deploymentsPath = () => `/projects/${projectId}/deployments`;
const list = async () => (await api("GET", deploymentsPath())).body;
const one = async (n: number) => (await api("GET", `${deploymentsPath()}/${n}`)).body.deployment;
const until = (n: number, ok: (d: Dep & { log: string }) => boolean, ms = 30_000) =>
  eventually(() => one(n), ok, ms, 100);
const finished = (d: Dep) => !["queued", "building", "starting"].includes(d.status);
const publicHost = () => `${slug}.localhost`;
const served = async () => (await viaEdge(h.edgePort, publicHost())).body.trim();

async function deploy(): Promise<number> {
  const r = await api("POST", deploymentsPath());
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body.deployment.number;
}

/** The preview container: the project's volume is mounted in it at /app. */
async function previewContainer() {
  const row = await database.db.serviceInstance.findFirst({ where: { projectId, kind: "preview" } });
  if (!row?.containerId) throw new Error("the project has no preview container");
  return row.containerId;
}
const edit = async (files: Record<string, string>) => writeProjectFiles(h.runtime, await previewContainer(), files);
const BUILD = `set -e\nmkdir -p dist\ncp index.html dist/index.html\necho built\n`;

beforeAll(async () => {
  database = await createTestDatabase();
  h = await deploymentsHarness(database, { keep: KEEP, keepWarmMs: KEEP_WARM_MS, healthTimeoutMs: 4000 });
  const user = await createUser(database.db, { name: "Ada" });
  owner = (await createApiToken(database.db, user.id)).authorization;
  stranger = (await createApiToken(database.db, (await createUser(database.db)).id)).authorization;
  const template = await createDeployTemplate(database);
  const created = await api("POST", "/projects", owner, { name: "Ship it", templateId: template.id });
  expect(created.status).toBe(202);
  projectId = created.body.project.id;
  slug = created.body.project.slug;
  await eventually(
    async () => (await api("GET", `/projects/${projectId}`)).body.status,
    (s) => s === "running",
  );
});

afterAll(async () => {
  await h?.close();
  await database?.drop();
});

describe("deploy", () => {
  it("builds a snapshot and serves it on the public host; the preview stays owner-only", async () => {
    expect((await viaEdge(h.edgePort, publicHost())).status).toBe(404);
    const r = await api("POST", deploymentsPath());
    expect(r.status).toBe(202);
    const d = r.body.deployment;
    expect(d).toMatchObject({ number: 1, kind: "build", requestedBy: { email: expect.any(String) } });
    expect(r.body.operation).toMatchObject({ kind: "deploy" });

    const sse = await openSse(`${baseUrl(h.app)}/api/v1${deploymentsPath()}/1/logs`, { authorization: owner });
    const end = await sse.next((e) => e.event === "end");
    expect(end.data).toEqual({ status: "live" });
    const lines = sse.events.filter((e) => e.event === "log").map((e) => (e.data as { line: string }).line);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^▸ snapshot/), "built dist/index.html"]));
    await sse.serverEnded();

    expect(await served()).toBe("<h1>version 1</h1>");
    const preview = await viaEdge(h.edgePort, `${slug}--preview.localhost`);
    expect(preview.status).toBe(302);

    const live = await one(1);
    expect(live).toMatchObject({ status: "live", url: `http://${slug}.localhost:${h.edgePort}` });
    expect(live.sizeBytes).toBeGreaterThan(0);
    expect(live.buildDurationMs).toBeGreaterThan(0);
    expect(live.log).toContain("▸ build: sh /app/build.sh");
    expect((await list()).diskBytes).toBe(live.sizeBytes);
  });
});

describe("blue-green switch", () => {
  it("takes the snapshot at the request, switches with zero failed requests, keeps the previous one warm", async () => {
    // A build slow enough to overlap the edit below and the second request.
    await edit({ "index.html": "<h1>version 2</h1>\n", "build.sh": `sleep 1\n${BUILD}` });
    const loop = requestLoop(h.edgePort, publicHost());
    const n = await deploy();
    // Saved after the 202: not in this deployment.
    await edit({ "index.html": "<h1>version 3, saved too late</h1>\n" });
    const second = await api("POST", deploymentsPath());
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: "DEPLOYMENT_IN_PROGRESS", details: { deployment: { number: n } } });

    await until(n, finished);
    await eventually(served, (b) => b === "<h1>version 2</h1>", 5000, 20);
    await new Promise((r) => setTimeout(r, 300));
    await loop.stop();
    expect(loop.failures).toEqual([]);
    expect([...loop.bodies.keys()].sort()).toEqual(["<h1>version 1</h1>\n", "<h1>version 2</h1>\n"]);
    expect(loop.total).toBeGreaterThan(20);

    const { deployments } = await list();
    expect(deployments.map((d) => [d.number, d.status, d.warm])).toEqual([
      [2, "live", false],
      [1, "superseded", true],
    ]);
  });

  it("rolls back to a warm deployment within a second, recorded as a deployment of its own", async () => {
    const t0 = performance.now();
    const r = await api("POST", `${deploymentsPath()}/1/rollback`);
    expect(r.status).toBe(202);
    expect(r.body.deployment).toMatchObject({ number: 3, kind: "rollback", rollbackOf: 1 });
    expect(r.body.operation).toMatchObject({ kind: "rollback" });
    await eventually(served, (b) => b === "<h1>version 1</h1>", 1000, 10);
    const ms = performance.now() - t0;
    console.log(`warm rollback: POST → old version through the edge in ${Math.round(ms)} ms`);

    await until(3, (d) => d.status === "live");
    const { deployments } = await list();
    expect(deployments.map((d) => [d.number, d.kind, d.status])).toEqual([
      [3, "rollback", "live"],
      [2, "build", "superseded"],
      [1, "build", "superseded"],
    ]);
    // The switch took #1's running container over.
    expect(deployments.find((d) => d.number === 1)?.warm).toBe(false);
    expect(deployments.find((d) => d.number === 2)?.warm).toBe(true);
    const again = await api("POST", `${deploymentsPath()}/3/rollback`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "DEPLOYMENT_ALREADY_LIVE" });
  });
});

describe("failures leave the live deployment serving", () => {
  const failWith = async (build: string) => {
    await edit({ "build.sh": build });
    const n = await deploy();
    const d = await until(n, finished);
    expect(await served()).toBe("<h1>version 1</h1>");
    return { ...d, log: (await one(n)).log };
  };

  it("a build that exits with an error: failed, with its output and the exit code", async () => {
    const d = await failWith(`echo compiling\necho "error: the widget is broken" >&2\nexit 3\n`);
    expect(d).toMatchObject({ status: "failed", error: "the build exited with code 3" });
    expect(d.log).toContain("error: the widget is broken");
    expect(d.log).toContain("▸ failed: the build exited with code 3");
  });

  it("a build that runs out of memory, and one that runs past its timeout", async () => {
    const oom = await failWith(`node -e 'const a = []; for (;;) a.push(Buffer.alloc(1 << 24, 1))'\n`);
    expect(oom).toMatchObject({ status: "failed", error: "the build ran out of memory (limit 96 MB)" });
    // The template's own build timeout, shortened for this one build.
    const template = await database.db.template.findFirstOrThrow({ where: { projects: { some: { id: projectId } } } });
    const services = template.services as { production: { build: { timeoutS?: number } } };
    services.production.build.timeoutS = 5;
    await database.db.template.update({ where: { id: template.id }, data: { services } });
    try {
      const slow = await failWith(`echo waiting\nsleep 30\n`);
      expect(slow).toMatchObject({ status: "failed", error: "the build did not finish within 5 s" });
      expect(slow.log).toContain("waiting");
    } finally {
      delete services.production.build.timeoutS;
      await database.db.template.update({ where: { id: template.id }, data: { services } });
    }
  });

  it("a server that never gets healthy: failed, with the reason and the server's last output", async () => {
    const d = await failWith(`${BUILD}touch dist/unhealthy\n`);
    expect(d.status).toBe("failed");
    expect(d.error).toMatch(/health check \/healthz failed .*HTTP 503/);
    expect(d.log).toContain("production server listening");
    // Failed attempts have no artifact: nothing to roll back to, no disk used.
    const rollback = await api("POST", `${deploymentsPath()}/${d.number}/rollback`);
    expect(rollback.body.error).toMatchObject({ code: "DEPLOYMENT_NOT_ROLLBACKABLE" });
  });

  it("cancels a build; the live deployment is untouched", async () => {
    await edit({ "build.sh": `echo started\nsleep 30\n` });
    const n = await deploy();
    // The log streams while the build runs.
    const sse = await openSse(`${baseUrl(h.app)}/api/v1${deploymentsPath()}/${n}/logs`, { authorization: owner });
    await sse.next((e) => e.event === "log" && (e.data as { line: string }).line === "started");
    expect((await one(n)).status).toBe("building");
    const r = await api("POST", `${deploymentsPath()}/${n}/cancel`);
    expect(r.status).toBe(202);
    expect(r.body.deployment).toMatchObject({ number: n, cancelRequested: true });
    const d = await until(n, finished, 5000);
    expect(d).toMatchObject({ status: "cancelled", error: "cancelled on request" });
    expect((await sse.next((e) => e.event === "end")).data).toEqual({ status: "cancelled" });
    await sse.close();
    expect(await served()).toBe("<h1>version 1</h1>");
    const builds = await h.runtime.listContainers({ "devsanctum.install": h.installId, "devsanctum.kind": "build" });
    expect(builds).toEqual([]);
    expect((await api("POST", `${deploymentsPath()}/${n}/cancel`)).body.error).toMatchObject({
      code: "DEPLOYMENT_FINISHED",
    });
  });
});

describe("history and retention", () => {
  const imageOf = async (n: number) =>
    (await database.db.deployment.findUnique({ where: { projectId_number: { projectId, number: n } } }))?.image ?? null;

  it("keeps DEPLOY_KEEP deployments one can serve; the next one removes the oldest with its container and image", async () => {
    await edit({ "index.html": "<h1>version 4</h1>\n", "build.sh": BUILD });
    const before = (await list()).deployments;
    // #1's image is shared with #3 (the rollback to it): removing #1 must keep it.
    const [shared, second] = [await imageOf(1), await imageOf(2)];
    expect(shared).toBe(await imageOf(3));
    const n = await deploy();
    await until(n, (d) => d.status === "live");
    const after = await eventually(
      () => list(),
      (l) => !l.deployments.some((d) => d.number === 1),
    );
    const serving = (ds: Dep[]) => ds.filter((d) => d.status === "live" || d.status === "superseded");
    expect(serving(after.deployments).map((d) => d.number)).toEqual([n, 3, 2]);
    // Failed and cancelled attempts: the newest KEEP of them stay, with their logs.
    const records = before.filter((d) => d.status === "failed" || d.status === "cancelled").map((d) => d.number);
    expect(after.deployments.filter((d) => !serving([d]).length).map((d) => d.number)).toEqual(records.slice(0, KEEP));
    expect(shared && (await h.runtime.inspectImage(shared))).toBeTruthy();

    const m = await deploy();
    await until(m, (d) => d.status === "live");
    await eventually(
      () => list(),
      (l) => !l.deployments.some((d) => d.number === 2),
    );
    expect(second && (await h.runtime.inspectImage(second))).toBeNull();
    const { deployments, diskBytes } = await list();
    expect(serving(deployments).map((d) => d.number)).toEqual([m, n, 3]);
    // Disk counts each image once: #3 shares #1's.
    const sizes = new Map<string, number>();
    for (const d of serving(deployments)) sizes.set((await imageOf(d.number)) ?? "", d.sizeBytes ?? 0);
    expect(diskBytes).toBe([...sizes.values()].reduce((a, b) => a + b, 0));
    expect(await served()).toBe("<h1>version 4</h1>");
  });

  it("stops a superseded deployment once DEPLOY_KEEP_WARM_S is over; a rollback to it starts, checks and switches", async () => {
    const { deployments } = await list();
    const [live, previous] = deployments.filter((d) => d.status === "live" || d.status === "superseded");
    if (!live || !previous) throw new Error("expected a live and a superseded deployment");
    await edit({ "index.html": "<h1>version 5</h1>\n" });
    const n = await deploy();
    await until(n, (d) => d.status === "live");
    expect(await served()).toBe("<h1>version 5</h1>");
    // The one it replaced is warm, then stopped but kept.
    expect((await one(live.number)).warm).toBe(true);
    const row = await database.db.deployment.findUnique({
      where: { projectId_number: { projectId, number: live.number } },
    });
    await eventually(
      async () => (await h.runtime.inspectContainer(row?.containerId ?? ""))?.state,
      (s) => s === "exited",
      KEEP_WARM_MS + 5000,
    );
    expect((await one(live.number)).warm).toBe(false);

    const t0 = performance.now();
    const r = await api("POST", `${deploymentsPath()}/${live.number}/rollback`);
    expect(r.status).toBe(202);
    await eventually(served, (b) => b === "<h1>version 4</h1>", 10_000, 20);
    console.log(`cold rollback: POST → old version through the edge in ${Math.round(performance.now() - t0)} ms`);
    // The kept container served again (no new one was made).
    expect((await h.runtime.inspectContainer(row?.containerId ?? ""))?.state).toBe("running");
  });
});

describe("with the project's lifecycle", () => {
  const projectStatus = async () => (await api("GET", `/projects/${projectId}`)).body.status;
  const liveContainer = async () =>
    (await database.db.deployment.findFirst({ where: { projectId, status: "live" } }))?.containerId ?? "";

  it("stop stops production at once, even during a build; a stopped project deploys; start brings it back", async () => {
    await edit({ "index.html": "<h1>version 6</h1>\n", "build.sh": `echo sleeping\nsleep 4\n${BUILD}` });
    const building = await deploy();
    await until(building, (d) => d.status === "building" && d.log.includes("sleeping"));
    const serving = await liveContainer();
    expect((await api("POST", `/projects/${projectId}/stop`)).status).toBe(202);
    // The build holds no lock the stop needs: production stops while it still builds.
    await eventually(
      async () => (await h.runtime.inspectContainer(serving))?.state,
      (s) => s === "exited",
      3000,
      50,
    );
    expect((await one(building)).status).toBe("building");
    await eventually(projectStatus, (s) => s === "stopped");
    // The edge may serve its cached route for up to a second (cached-route-lookup.ts).
    const stoppedPage = await eventually(
      () => viaEdge(h.edgePort, publicHost()),
      (r) => r.status === 503,
      2000,
      50,
    );
    expect(stoppedPage.body).toContain("is stopped");

    // It finishes while the project is stopped: health-checked, then kept stopped.
    expect((await until(building, finished)).status).toBe("live");
    expect((await h.runtime.inspectContainer(await liveContainer()))?.state).toBe("exited");
    await edit({ "index.html": "<h1>version 7</h1>\n", "build.sh": BUILD });
    const whileStopped = await deploy();
    expect((await until(whileStopped, finished)).status).toBe("live");
    expect((await h.runtime.inspectContainer(await liveContainer()))?.state).toBe("exited");
    expect((await viaEdge(h.edgePort, publicHost())).status).toBe(503);

    expect((await api("POST", `/projects/${projectId}/start`)).status).toBe(202);
    await eventually(served, (b) => b === "<h1>version 7</h1>", 20_000, 50);
    const project = (await api("GET", `/projects/${projectId}`)).body as unknown as { urls: { production?: string } };
    expect(project.urls.production).toBe(`http://${slug}.localhost:${h.edgePort}`);
  });
});

describe("access and input", () => {
  it("another user gets 404 for every deployment endpoint; nothing changes", async () => {
    const before = (await list()).deployments.map((d) => [d.number, d.status]);
    const n = before[0]?.[0];
    for (const [method, path] of [
      ["GET", deploymentsPath()],
      ["POST", deploymentsPath()],
      ["GET", `${deploymentsPath()}/${n}`],
      ["GET", `${deploymentsPath()}/${n}/logs`],
      ["POST", `${deploymentsPath()}/${n}/rollback`],
      ["POST", `${deploymentsPath()}/${n}/cancel`],
    ] as const) {
      const r = await api(method, path, stranger);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.body.error.code).toBe("PROJECT_NOT_FOUND");
    }
    expect((await list()).deployments.map((d) => [d.number, d.status])).toEqual(before);
  });

  it("answers bad input with a 400 or 404 that says why, and changes nothing", async () => {
    const before = (await list()).deployments.length;
    expect((await api("GET", `${deploymentsPath()}/abc`)).status).toBe(400);
    expect((await api("POST", `${deploymentsPath()}/0/rollback`)).status).toBe(400);
    expect((await api("POST", "/projects/not-a-uuid/deployments")).status).toBe(400);
    const missing = await api("POST", `${deploymentsPath()}/9999/rollback`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("DEPLOYMENT_NOT_FOUND");
    const readOnly = await createApiToken(database.db, (await database.db.user.findFirstOrThrow()).id, {
      scopes: ["projects:read"],
    });
    expect((await api("POST", deploymentsPath(), readOnly.authorization)).status).toBe(403);
    expect((await list()).deployments.length).toBe(before);
  });
});

describe("Traefik", () => {
  it("renders the production route public, to the live container, valid against Traefik's schema", async () => {
    const routes = await prismaRouteTable(database.db).listRoutes();
    const { config, skipped } = renderTraefikConfig(routes, {
      appsDomain: "localhost",
      controlPlaneUrl: "http://control-plane:3000",
      controlPlaneEdgeUrl: "http://control-plane:8080",
      forwardAuthKey: "k".repeat(32),
    });
    expect(skipped).toEqual([]);
    expect(traefikSchemaValidator()(config)).toEqual([]);
    const name = routerNameFor(publicHost());
    const live = await database.db.deployment.findFirstOrThrow({ where: { projectId, status: "live" } });
    expect(config.http.routers[name]).toMatchObject({ rule: `Host(\`${publicHost()}\`)` });
    expect(config.http.services[name]?.loadBalancer.servers).toEqual([{ url: live.endpoint }]);
    expect(config.http.services[name]?.loadBalancer.healthCheck?.path).toBe("/healthz");
    // Public: no forward-auth before it, while the preview beside it has one.
    const forwardAuth = (router: string) =>
      (config.http.routers[router]?.middlewares ?? []).filter(
        (m) => "forwardAuth" in (config.http.middlewares[m] ?? {}),
      );
    expect(forwardAuth(name)).toEqual([]);
    expect(forwardAuth(routerNameFor(`${slug}--preview.localhost`))).toHaveLength(1);
  });
});

describe("deleting the project", () => {
  it("removes every deployment: rows, containers and images", async () => {
    const labels = { "devsanctum.install": h.installId, "devsanctum.project": projectId };
    expect((await h.runtime.listImages(labels)).length).toBeGreaterThan(0);
    expect((await api("DELETE", `/projects/${projectId}`)).status).toBe(202);
    await eventually(
      async () => ({
        rows: await database.db.deployment.count({ where: { projectId } }),
        containers: (await h.runtime.listContainers(labels)).length,
        images: (await h.runtime.listImages(labels)).length,
      }),
      (x) => x.rows === 0 && x.containers === 0 && x.images === 0,
    );
  });
});
