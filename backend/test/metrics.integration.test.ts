// GET /metrics (issue #16) on the real app, a real PostgreSQL, Docker and the builtin edge:
// real traffic first (API requests, a project created by the reconciler, requests and a
// WebSocket through the edge), then a scrape, asserting the counters moved — and who may read it.
import { randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import net from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { networkServiceConnector } from "../src/adapters/network/service-connector.js";
import { composeMetrics } from "../src/composition/metrics.js";
import { buildEdge } from "../src/edge/edge-server.js";
import { startUpstream, type Upstream } from "./fixtures/upstream-server.js";
import { createUser, signedInUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { requestVia } from "./helpers/http-client.js";
import {
  createStandInTemplate,
  eventually,
  type ProjectsHarness,
  projectsHarness,
  testEdge,
} from "./helpers/projects.js";

const METRICS_TOKEN = `metrics-${randomBytes(12).toString("hex")}`;
let database: TestDatabase;
/** The edge's own database: its seeded route must not be a project the harness's reconciler converges. */
let edgeDatabase: TestDatabase;
let h: ProjectsHarness;
let edge: FastifyInstance;
let edgePort: number;
let upstream: Upstream;
let owner: Awaited<ReturnType<typeof signedInUser>>;
let admin: Awaited<ReturnType<typeof signedInUser>>;
const metrics = composeMetrics({ token: METRICS_TOKEN });

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

/** The sum of a metric's samples whose labels include `labels` (0 when none). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[4]);
  }
  return sum;
}

const scrape = async (authorization = `Bearer ${METRICS_TOKEN}`) => {
  const res = await h.app.inject({ method: "GET", url: "/metrics", headers: { authorization } });
  expect(res.statusCode).toBe(200);
  return res.body;
};

beforeAll(async () => {
  database = await createTestDatabase();
  h = await projectsHarness(database, { metrics });
  owner = await signedInUser(database.db);
  admin = await signedInUser(database.db, { role: "admin" });
  upstream = await startUpstream();
  edgePort = await freePort();
  edgeDatabase = await createTestDatabase();
  const { edge: composed } = testEdge(edgeDatabase, { edgePort });
  edge = await buildEdge({
    access: composed.access,
    logger: false,
    connector: networkServiceConnector(),
    metrics: metrics.edge,
  });
  await edge.listen({ host: "127.0.0.1", port: edgePort });
});

afterAll(async () => {
  await edge?.close();
  await upstream?.close();
  await h?.close();
  await database?.drop();
  await edgeDatabase?.drop();
});

/** A running project whose public production route points at the upstream fixture. */
async function publicRoute(slug: string) {
  const { db } = edgeDatabase;
  const template = await createStandInTemplate(edgeDatabase);
  const user = await createUser(db);
  const project = await db.project.create({
    data: { slug, name: slug, ownerId: user.id, templateId: template.id, desiredState: "running", status: "running" },
  });
  await db.serviceInstance.create({
    data: { projectId: project.id, kind: "production", observedState: "running", endpoint: upstream.url },
  });
  await db.route.create({
    data: {
      hostname: `${slug}.localhost`,
      projectId: project.id,
      kind: "production",
      access: "public",
      target: upstream.url,
    },
  });
  return `${slug}.localhost:${edgePort}`;
}

describe("GET /metrics", () => {
  it("counts API requests by route pattern and status, never by URL", async () => {
    const before = await scrape();
    for (let i = 0; i < 3; i++) {
      const res = await h.app.inject({ method: "GET", url: "/api/v1/projects", headers: owner.headers });
      expect(res.statusCode).toBe(200);
    }
    const unknownId = randomUUID();
    const missing = await h.app.inject({
      method: "GET",
      url: `/api/v1/projects/${unknownId}`,
      headers: owner.headers,
    });
    expect(missing.statusCode).toBe(404);
    const after = await scrape();
    const list = { method: "GET", route: "/api/v1/projects", status: "200" };
    expect(
      sample(after, "devsanctum_http_requests_total", list) - sample(before, "devsanctum_http_requests_total", list),
    ).toBe(3);
    expect(sample(after, "devsanctum_http_request_duration_seconds_count", list)).toBeGreaterThanOrEqual(3);
    expect(sample(after, "devsanctum_http_requests_total", { route: "/api/v1/projects/:id", status: "404" })).toBe(1);
    // Bounded labels: the id asked for appears nowhere.
    expect(after).not.toContain(unknownId);
    // Process metrics (collectDefaultMetrics).
    expect(sample(after, "devsanctum_process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("counts the reconciler's passes and this install's containers by kind and state", async () => {
    const template = await createStandInTemplate(database);
    const res = await h.app.inject({
      method: "POST",
      url: "/api/v1/projects",
      headers: owner.headers,
      payload: { name: `Metrics ${randomBytes(2).toString("hex")}`, templateId: template.id },
    });
    expect(res.statusCode).toBe(202);
    const id = res.json().project.id;
    await eventually(
      async () => (await h.app.inject({ method: "GET", url: `/api/v1/projects/${id}`, headers: owner.headers })).json(),
      (p) => p.status === "running",
      60_000,
    );
    const text = await scrape();
    expect(sample(text, "devsanctum_reconciler_passes_total", { outcome: "converged" })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "devsanctum_reconciler_pass_duration_seconds_count")).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^devsanctum_reconciler_queue_depth \d+$/m);
    expect(sample(text, "devsanctum_containers", { kind: "preview", state: "running" })).toBe(1);
    expect(text).not.toContain(id);
  });

  it("counts edge requests, bytes and open WebSockets by service kind and status", async () => {
    const host = await publicRoute(`metrics-${randomBytes(3).toString("hex")}`);
    const before = await scrape();
    for (let i = 0; i < 2; i++) expect((await requestVia(edgePort, host, "/hello")).status).toBe(200);
    expect((await requestVia(edgePort, `nothing-here.localhost:${edgePort}`, "/")).status).toBe(404);
    const ws = new WebSocket(`ws://127.0.0.1:${edgePort}/`, { headers: { host } });
    await new Promise<void>((resolve, reject) => {
      ws.on("open", () => ws.send("ping"));
      ws.on("message", () => resolve());
      ws.on("error", reject);
    });
    const during = await scrape();
    expect(sample(during, "devsanctum_edge_open_websockets")).toBe(1);
    ws.close();
    const ok = { kind: "production", status: "200" };
    const delta = (text: string, name: string, labels: Record<string, string>) =>
      sample(text, name, labels) - sample(before, name, labels);
    expect(delta(during, "devsanctum_edge_requests_total", ok)).toBe(2);
    expect(delta(during, "devsanctum_edge_request_duration_seconds_count", ok)).toBe(2);
    // The echo's JSON body and the response headers, at least 100 bytes each.
    expect(delta(during, "devsanctum_edge_response_bytes_total", ok)).toBeGreaterThan(200);
    expect(delta(during, "devsanctum_edge_requests_total", { kind: "none", status: "404" })).toBe(1);
    const closed = await eventually(scrape, (t) => sample(t, "devsanctum_edge_open_websockets") === 0, 5000);
    expect(sample(closed, "devsanctum_edge_open_websockets")).toBe(0);
  });

  it("is readable with METRICS_TOKEN or an admin's token: anonymous 401, a member or a wrong token 401/404", async () => {
    const get = (authorization?: string) =>
      h.app.inject({ method: "GET", url: "/metrics", headers: authorization ? { authorization } : {} });
    const ok = await get(admin.headers.authorization);
    expect(ok.statusCode).toBe(200);
    expect(ok.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    expect((await get(`Bearer ${METRICS_TOKEN}`)).statusCode).toBe(200);

    const anonymous = await get();
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe("UNAUTHENTICATED");
    expect((await get(`Bearer ${METRICS_TOKEN}x`)).statusCode).toBe(401);
    expect((await get(`Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString("base64")}`)).statusCode).toBe(401);
    const member = await get(owner.headers.authorization);
    expect(member.statusCode).toBe(404);
    expect(member.body).not.toContain("devsanctum_");
  });
});
