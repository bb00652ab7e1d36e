// The warm pool (issue #16) on a real Docker engine, a real PostgreSQL and the builtin edge: a
// template's prewarm keeps unowned, unrouted instances running; POST /projects claims one (the
// same containers, renamed, routed, owned) and the pool refills; a changed template is never
// served by a stale instance and its pool is replaced; the memory budget bounds the pool; a
// template is deleted only once its pool has drained; a bad prewarm is a 400 that changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedInUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { requestVia } from "./helpers/http-client.js";
import {
  createStandInTemplate,
  eventually,
  type ProjectsHarness,
  projectsHarness,
  standInPreview,
} from "./helpers/projects.js";

// The stand-in's preview is limited to 128 MB: the budget holds three instances, not four.
const BUDGET_MB = 400;
// A template made through the API has no seed files: its server is its command.
const SELF_CONTAINED = standInPreview({
  command: ["node", "-e", "require('node:http').createServer((q, r) => r.end('ok')).listen(3000)"],
});

let database: TestDatabase;
let h: ProjectsHarness;
let admin: Awaited<ReturnType<typeof signedInUser>>;
let owner: Awaited<ReturnType<typeof signedInUser>>;
let templateId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  h = await projectsHarness(database, { intervalMs: 500, idle: { timeoutS: 900 }, warmPoolMb: BUDGET_MB });
  admin = await signedInUser(database.db, {
    role: "admin",
    scopes: ["projects:read", "projects:write", "templates:read", "templates:write"],
  });
  owner = await signedInUser(database.db);
  templateId = (await createStandInTemplate(database)).id;
}, 120_000);
afterAll(async () => {
  await h?.close();
  await database?.drop();
});

const api = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object, as = owner) =>
  h.app.inject({ method, url: `/api/v1${url}`, headers: as.headers, ...(payload ? { payload } : {}) });
const poolOf = (id: string) =>
  database.db.project.findMany({ where: { templateId: id, poolKey: { not: null } }, include: { services: true } });
/** Waits until the template's pool is exactly `n` running instances (and nothing else). */
const poolRunning = (id: string, n: number, ms = 60_000) =>
  eventually(
    () => poolOf(id),
    (rows) => rows.length === n && rows.every((r) => r.status === "running"),
    ms,
    200,
  );
const containersOf = (projectId: string) => h.runtime.listContainers({ "devsanctum.project": projectId });

describe("the warm pool", () => {
  let firstPool: string[] = [];

  it("keeps prewarm instances running: unowned, seeded, labelled, unrouted, in nobody's list", async () => {
    const res = await api("PATCH", `/templates/${templateId}`, { prewarm: 2 }, admin);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ prewarm: 2 });

    const pool = await poolRunning(templateId, 2);
    firstPool = pool.map((p) => p.id);
    for (const p of pool) {
      expect(p).toMatchObject({ ownerId: null, desiredState: "running", sleptAt: null });
      expect(p.seededAt).not.toBeNull();
      expect(p.services).toEqual([expect.objectContaining({ kind: "preview", health: "healthy" })]);
      expect(await database.db.route.count({ where: { projectId: p.id } })).toBe(0);
      const [c, ...more] = await containersOf(p.id);
      expect(more).toEqual([]);
      expect(c).toMatchObject({ state: "running", labels: expect.objectContaining({ "devsanctum.kind": "preview" }) });
      // Not anybody's project, not even an admin's to see.
      expect((await api("GET", `/projects/${p.id}`, undefined, admin)).statusCode).toBe(404);
    }
    const listed = (await api("GET", "/projects", undefined, admin)).json().projects as Array<{ id: string }>;
    expect(listed.filter((p) => firstPool.includes(p.id))).toEqual([]);
  });

  it("POST /projects claims a ready instance: its containers renamed and routed, served by the edge; the pool refills", async () => {
    const before = await poolOf(templateId);
    const containerIds = new Map(before.map((p) => [p.id, p.services[0]?.containerId]));

    const res = await api("POST", "/projects", { name: "Claimed App", templateId, prompt: "a bakery" });
    expect(res.statusCode).toBe(202);
    const { project, operation } = res.json();
    expect(firstPool).toContain(project.id);
    expect(project).toMatchObject({
      name: "Claimed App",
      slug: "claimed-app",
      ownerId: owner.user.id,
      prompt: "a bakery",
    });
    expect(operation).toMatchObject({ kind: "create", projectId: project.id });

    const running = await eventually(
      async () => (await api("GET", `/projects/${project.id}`)).json(),
      (p) => p.status === "running",
    );
    expect(running.urls).toEqual({ preview: "http://claimed-app--preview.localhost:8080" });
    // From now on an ordinary project: it sleeps after the installation's idle timeout.
    expect(running).toMatchObject({ idleTimeoutSeconds: null, effectiveIdleTimeoutSeconds: 900, sleptAt: null });
    // The same container, not a new one: renamed to the project's name and routed under it.
    const svc = await database.db.serviceInstance.findFirstOrThrow({ where: { projectId: project.id } });
    expect(svc.containerId).toBe(containerIds.get(project.id));
    expect(svc.endpoint).toMatch(/^http:\/\/ds-[a-z0-9-]+-claimed-app-preview:3000$/);
    const [c] = await containersOf(project.id);
    expect(c?.name).toMatch(/-claimed-app-preview$/);
    const route = await database.db.route.findFirstOrThrow({ where: { projectId: project.id } });
    expect(route).toMatchObject({ hostname: "claimed-app--preview.localhost", target: svc.endpoint });
    const page = await requestVia(h.edgePort as number, `claimed-app--preview.localhost:${h.edgePort}`, "/", {
      headers: owner.headers,
    });
    expect(page.status).toBe(200);
    expect(page.body).toContain("seeded by the template");
    // Another user does not reach it: it is the owner's private preview now.
    const other = await signedInUser(database.db);
    expect((await api("GET", `/projects/${project.id}`, undefined, other)).statusCode).toBe(404);

    const refilled = await poolRunning(templateId, 2);
    expect(refilled.map((p) => p.id)).not.toContain(project.id);
    firstPool = refilled.map((p) => p.id);
  });

  it("never claims an instance of an older version of the template; the stale pool is replaced", async () => {
    const stale = await poolOf(templateId);
    const changed = standInPreview({ env: { PORT: "3000", FLAVOUR: "second" } });
    const patched = await api("PATCH", `/templates/${templateId}`, { services: { preview: changed } }, admin);
    expect(patched.statusCode).toBe(200);

    const res = await api("POST", "/projects", { name: "After The Change", templateId });
    expect(res.statusCode).toBe(202);
    const { project } = res.json();
    expect(stale.map((p) => p.id)).not.toContain(project.id);

    const fresh = await poolRunning(templateId, 2);
    const freshIds = fresh.map((p) => p.id);
    for (const p of stale) expect(freshIds).not.toContain(p.id);
    expect(new Set(fresh.map((p) => p.poolKey)).size).toBe(1);
    expect(fresh[0]?.poolKey).not.toBe(stale[0]?.poolKey);
    // Retired instances leave nothing behind: their rows and containers are gone.
    for (const p of stale) {
      expect(await database.db.project.findUnique({ where: { id: p.id } })).toBeNull();
      expect(await containersOf(p.id)).toEqual([]);
    }
    const info = await h.runtime.docker.getContainer(fresh[0]?.services[0]?.containerId ?? "").inspect();
    expect(info.Config.Env).toContain("FLAVOUR=second");
  });

  it("holds no more than the memory budget allows, whatever prewarm asks", async () => {
    const res = await api("PATCH", `/templates/${templateId}`, { prewarm: 20 }, admin);
    expect(res.statusCode).toBe(200);
    // floor(400 MB / 128 MB) = 3; several refills later there are still 3.
    await poolRunning(templateId, 3);
    await h.reconciler.scan();
    await h.reconciler.scan();
    expect(await poolOf(templateId)).toHaveLength(3);
  });

  it("a bad prewarm is a 400 that changes nothing; only an admin sets it", async () => {
    for (const prewarm of [-1, 21, 1.5, "2", null]) {
      const res = await api("PATCH", `/templates/${templateId}`, { prewarm }, admin);
      expect(res.statusCode, JSON.stringify(prewarm)).toBe(400);
      expect(res.json().error.code).toBe("VALIDATION_FAILED");
    }
    const member = await signedInUser(database.db, { scopes: ["templates:read", "templates:write"] });
    const refused = await api("PATCH", `/templates/${templateId}`, { prewarm: 0 }, member);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe("ADMIN_ONLY");
    expect((await database.db.template.findUniqueOrThrow({ where: { id: templateId } })).prewarm).toBe(20);
  });

  it("prewarm 0 empties the pool, and a template goes only once its pool has drained", async () => {
    expect((await api("PATCH", `/templates/${templateId}`, { prewarm: 0 }, admin)).statusCode).toBe(200);
    await poolRunning(templateId, 0);

    const made = await api(
      "POST",
      "/templates",
      { slug: "pooled-only", name: "Pooled only", services: { preview: SELF_CONTAINED }, prewarm: 1 },
      admin,
    );
    expect(made.statusCode).toBe(201);
    const id = made.json().id as string;
    const [instance] = await poolRunning(id, 1);

    const first = await api("DELETE", `/templates/${id}`, undefined, admin);
    expect(first.statusCode).toBe(409);
    expect(first.json().error.code).toBe("TEMPLATE_POOL_DRAINING");
    await eventually(
      async () => (await api("DELETE", `/templates/${id}`, undefined, admin)).statusCode,
      (s) => s === 204,
      60_000,
      500,
    );
    expect(await containersOf(instance?.id ?? "")).toEqual([]);
  }, 120_000);
});
