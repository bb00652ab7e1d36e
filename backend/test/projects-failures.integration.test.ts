// What happens when a project's container dies: Docker's event is noticed within a second,
// the container restarts within the template's policy, then the project fails with the reason.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedInUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import {
  createStandInTemplate,
  eventually,
  type ProjectsHarness,
  projectsHarness,
  standInPreview,
} from "./helpers/projects.js";

let database: TestDatabase;
let h: ProjectsHarness;
let owner: Awaited<ReturnType<typeof signedInUser>>;

beforeAll(async () => {
  database = await createTestDatabase();
  // A slow re-scan, so only Docker's events can explain a reaction within a second.
  h = await projectsHarness(database, { intervalMs: 60_000, healthTimeoutMs: 4000 });
  owner = await signedInUser(database.db);
});
afterAll(async () => {
  await h?.close();
  await database?.drop();
});

const api = (method: "GET" | "POST", url: string, payload?: object) =>
  h.app.inject({ method, url: `/api/v1${url}`, headers: owner.headers, ...(payload ? { payload } : {}) });
const service = (projectId: string) =>
  database.db.serviceInstance.findFirstOrThrow({ where: { projectId, kind: "preview" } });
const running = (id: string) =>
  eventually(
    async () => (await api("GET", `/projects/${id}`)).json(),
    (p) => p.status === "running" || p.status === "failed",
  );

describe("crashed containers", () => {
  // Regression (CI at stop 21): "within a second" was a timed assertion and failed on a loaded
  // machine (4 s); the behaviour is the crash counted with its reason, then the restart.
  it("notices a killed container, restarts it, and fails after maxRetries with the reason", async () => {
    const templateId = (await createStandInTemplate(database)).id;
    const { project } = (await api("POST", "/projects", { name: "Crashy", templateId })).json();
    expect((await running(project.id)).status).toBe("running");

    for (let kill = 1; kill <= 2; kill++) {
      const before = await service(project.id);
      await h.runtime.docker.getContainer(before.containerId ?? "").kill();
      const noticed = await eventually(
        () => service(project.id),
        (s) => s.restartCount === kill,
        5000,
        20,
      );
      expect(noticed.lastError).toBe("preview exited with code 137");
      const back = await running(project.id);
      expect(back.status).toBe("running");
      const after = await service(project.id);
      expect(after).toMatchObject({ observedState: "running", health: "healthy", containerId: before.containerId });
      expect((await h.serviceFetch(after.endpoint, `/`)).status).toBe(200);
    }

    // The third crash is one more than the template allows (maxRetries 2).
    await h.runtime.docker.getContainer((await service(project.id)).containerId ?? "").kill();
    await eventually(
      () => service(project.id),
      (s) => s.restartCount === 3,
    );
    const failed = await running(project.id);
    expect(failed.status).toBe("failed");
    expect(failed.statusMessage).toBe("preview exited with code 137; gave up after 2 restarts");
    const route = await database.db.route.findFirstOrThrow({ where: { projectId: project.id } });
    expect(route.hostname).toBe("crashy--preview.localhost");

    // The owner's start gives it a fresh budget.
    const start = await api("POST", `/projects/${project.id}/start`);
    expect(start.statusCode).toBe(202);
    expect((await running(project.id)).status).toBe("running");
    expect((await service(project.id)).restartCount).toBe(0);
  });

  it("says so when a service runs out of memory", async () => {
    const hungry = standInPreview({
      command: [
        "node",
        "-e",
        "const a=[];setInterval(()=>a.push(Buffer.alloc(8e6,1)),5);require('http').createServer((q,s)=>s.end('ok')).listen(3000)",
      ],
      limits: { memoryMb: 96, cpus: 0.5, pids: 64 },
      restart: { maxRetries: 0 },
    });
    const templateId = (await createStandInTemplate(database, hungry)).id;
    const { project } = (await api("POST", "/projects", { name: "Hungry", templateId })).json();
    const p = await eventually(
      async () => (await api("GET", `/projects/${project.id}`)).json(),
      (p) => p.status === "failed",
      20_000,
    );
    expect(p.statusMessage).toMatch(/preview (ran out of memory \(limit 96 MB\)|exited with code 137)/);
  });

  it("fails the create with the health check's last answer when the service never gets healthy", async () => {
    const silent = standInPreview({
      command: ["sleep", "600"],
      healthCheck: { path: "/", intervalMs: 200, timeoutMs: 300, retries: 1 },
    });
    const templateId = (await createStandInTemplate(database, silent)).id;
    const { operation } = (await api("POST", "/projects", { name: "Silent", templateId })).json();
    const op = await eventually(
      async () => (await api("GET", `/operations/${operation.id}`)).json(),
      (o) => o.status === "failed",
      20_000,
    );
    expect(op.error).toMatch(/health check \/ failed for 4 s \(connection refused\)/);
    expect(op.steps.find((s: { name: string }) => s.name === "health")).toMatchObject({ status: "failed" });
  });

  it("tries to pull a missing image and fails the pull step with the engine's answer", async () => {
    // A registry on a closed loopback port: the engine's pull fails at once, without leaving the host.
    const missing = standInPreview({ image: "127.0.0.1:1/devsanctum/missing:1" });
    const templateId = (await createStandInTemplate(database, missing)).id;
    const { operation } = (await api("POST", "/projects", { name: "No Image", templateId })).json();
    const op = await eventually(
      async () => (await api("GET", `/operations/${operation.id}`)).json(),
      (o) => o.status === "failed",
    );
    expect(op.steps[0]).toMatchObject({
      name: "pull",
      status: "failed",
      message: expect.stringContaining("127.0.0.1:1"),
    });
    expect(op.error).toContain("127.0.0.1:1");
  });

  it("lets a stop overtake a create in flight: the create is canceled, the project ends stopped", async () => {
    const templateId = (await createStandInTemplate(database)).id;
    const created = (await api("POST", "/projects", { name: "Changed Mind", templateId })).json();
    const stop = await api("POST", `/projects/${created.project.id}/stop`);
    expect(stop.statusCode).toBe(202);
    const p = await eventually(
      async () => (await api("GET", `/projects/${created.project.id}`)).json(),
      (p) => p.status === "stopped",
    );
    expect(p.desiredState).toBe("stopped");
    const ops = (await api("GET", `/projects/${created.project.id}/operations`)).json().operations;
    expect(ops.map((o: { kind: string; status: string }) => `${o.kind}:${o.status}`)).toEqual([
      "stop:succeeded",
      "create:canceled",
    ]);
    const containers = await h.runtime.listContainers({ "devsanctum.project": created.project.id });
    expect(containers.every((c) => c.state !== "running")).toBe(true);
  });
});
