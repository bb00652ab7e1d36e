// Ten projects created at once, with two control-plane replicas reconciling the same database:
// every project reaches running, each with exactly one container (the advisory lock holds).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedInUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { createStandInTemplate, eventually, type ProjectsHarness, projectsHarness } from "./helpers/projects.js";

let database: TestDatabase;
let a: ProjectsHarness;
let b: ProjectsHarness;

beforeAll(async () => {
  database = await createTestDatabase();
  a = await projectsHarness(database, { intervalMs: 500 });
  b = await projectsHarness(database, { intervalMs: 500, installId: a.installId });
});
afterAll(async () => {
  // Both replicas stop before anything is removed, or one would recreate what the other removes.
  await Promise.all([a?.reconciler.stop(), b?.reconciler.stop()]);
  await b?.close();
  await a?.close();
  await database?.drop();
});

describe("many projects, two replicas", () => {
  it("brings 10 projects created at once to running, one container each", async () => {
    const owner = await signedInUser(database.db);
    const templateId = (await createStandInTemplate(database)).id;
    const started = Date.now();
    const created = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        // Alternate the replica that takes the request: both then race for every project.
        (i % 2 ? b : a).app.inject({
          method: "POST",
          url: "/api/v1/projects",
          headers: owner.headers,
          payload: { name: `Fleet ${i}`, templateId },
        }),
      ),
    );
    expect(created.map((r) => r.statusCode)).toEqual(Array(10).fill(202));
    const ids = created.map((r) => r.json().project.id as string);

    const projects = await eventually(
      () => database.db.project.findMany({ where: { id: { in: ids } } }),
      (ps) => ps.every((p) => p.status === "running" || p.status === "failed"),
      90_000,
      200,
    );
    expect(projects.map((p) => p.status)).toEqual(Array(10).fill("running"));
    console.log(`10 projects running ${Date.now() - started} ms after the requests`);

    for (const id of ids) {
      const containers = await a.runtime.listContainers({ "devsanctum.project": id });
      expect(containers.map((c) => c.state)).toEqual(["running"]);
      const svc = await database.db.serviceInstance.findFirstOrThrow({ where: { projectId: id } });
      expect(svc.containerId).toBe(containers[0]?.id);
      expect((await a.serviceFetch(svc.endpoint, `/`)).status).toBe(200);
    }
    const ops = await database.db.operation.findMany({ where: { projectId: { in: ids } } });
    expect(ops.map((o) => o.status)).toEqual(Array(10).fill("succeeded"));
    expect(await database.db.route.count({ where: { projectId: { in: ids } } })).toBe(10);
  }, 120_000);
});
