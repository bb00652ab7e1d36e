// The whole lifecycle on a real Docker engine and a real PostgreSQL: create → running with a
// green health check, stop keeps the files, start, restart, delete leaves nothing by label.
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
let templateId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  h = await projectsHarness(database);
  owner = await signedInUser(database.db);
  templateId = (await createStandInTemplate(database)).id;
});
afterAll(async () => {
  await h?.close();
  await database?.drop();
});

const api = (method: "GET" | "POST" | "DELETE", url: string, payload?: object) =>
  h.app.inject({ method, url: `/api/v1${url}`, headers: owner.headers, ...(payload ? { payload } : {}) });
const project = async (id: string) => (await api("GET", `/projects/${id}`)).json();
const operation = async (id: string) => (await api("GET", `/operations/${id}`)).json();
/** Waits for an operation to finish, whatever its outcome. */
const settled = (opId: string) =>
  eventually(
    () => operation(opId),
    (o) => o.status !== "pending" && o.status !== "running",
  );
const endpointOf = async (id: string) =>
  (await database.db.serviceInstance.findFirstOrThrow({ where: { projectId: id, kind: "preview" } })).endpoint;

describe("project lifecycle", () => {
  let id: string;

  it("creates a project: 202 with an operation, then running with a healthy preview answering 200", async () => {
    const res = await api("POST", "/projects", { name: "My First App", templateId, prompt: "a todo list" });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    id = body.project.id;
    expect(body.project).toMatchObject({
      name: "My First App",
      slug: "my-first-app",
      desiredState: "running",
      templateName: "Stand-in",
      prompt: "a todo list",
    });
    expect(body.operation).toMatchObject({ kind: "create", projectId: id });
    expect(body.operation.steps.map((s: { name: string }) => s.name).join(" ")).toBe(
      "pull network volume seed create start health route",
    );

    const op = await settled(body.operation.id);
    expect(op).toMatchObject({ status: "succeeded", progress: 100, error: null });
    const p = await project(id);
    expect(p).toMatchObject({
      status: "running",
      services: [{ kind: "preview", observedState: "running", health: "healthy" }],
      urls: { preview: "http://my-first-app--preview.localhost:8080" },
    });
    const endpoint = await endpointOf(id);
    // Its name on the project's network: the control plane reaches it through the service gate.
    expect(endpoint).toMatch(/^http:\/\/ds-[a-z0-9-]+-my-first-app-preview:3000$/);
    const page = await h.serviceFetch(endpoint, `/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("seeded by the template");

    const route = await database.db.route.findFirstOrThrow({ where: { projectId: id } });
    expect(route).toMatchObject({ hostname: "my-first-app--preview.localhost", target: endpoint, access: "owner" });
  });

  // Regression (issue #10): "private services answer anonymously on their published loopback
  // port" — any local user or process reached a private preview at 127.0.0.1:<port>.
  it("runs the container hardened: init, limits, no privileges, no published port, labelled", async () => {
    const [c] = await h.runtime.listContainers({ "devsanctum.project": id });
    const info = await h.runtime.docker.getContainer(c?.id ?? "").inspect();
    expect(info.HostConfig).toMatchObject({
      Init: true,
      Memory: 128 * 1024 * 1024,
      NanoCpus: 0.5e9,
      PidsLimit: 64,
      Privileged: false,
      SecurityOpt: ["no-new-privileges"],
      CapDrop: ["ALL"],
    });
    expect(info.HostConfig.Binds ?? []).toEqual([]);
    expect(info.Mounts.map((m) => m.Type)).toEqual(["volume"]);
    expect(JSON.stringify(info.Mounts)).not.toContain("docker.sock");
    const bindings = Object.values(info.HostConfig.PortBindings ?? {}).flat();
    expect(bindings).toEqual([]);
    expect(
      Object.values(info.NetworkSettings.Ports ?? {})
        .flat()
        .filter(Boolean),
    ).toEqual([]);
    expect(info.Config.Labels).toMatchObject({
      "devsanctum.install": h.installId,
      "devsanctum.project": id,
      "devsanctum.kind": "preview",
    });
  });

  it("stops (files kept), starts again, and a repeated stop is harmless", async () => {
    // A file written while running must survive stop and start.
    const [c] = await h.runtime.listContainers({ "devsanctum.project": id, "devsanctum.kind": "preview" });
    const exec = await h.runtime.docker.getContainer(c?.id ?? "").exec({
      Cmd: ["sh", "-c", "echo kept-across-stop > /app/note.txt"],
    });
    await exec.start({});
    await eventually(
      async () => (await h.serviceFetch(await endpointOf(id), `/note.txt`)).status,
      (s) => s === 200,
    );

    const stop = await api("POST", `/projects/${id}/stop`);
    expect(stop.statusCode).toBe(202);
    expect(stop.json().operation.kind).toBe("stop");
    await eventually(
      () => project(id),
      (p) => p.status === "stopped",
    );
    expect((await project(id)).services[0]).toMatchObject({ observedState: "exited" });
    const running = await h.runtime.listContainers({ "devsanctum.project": id });
    expect(running.map((r) => r.state)).toEqual(["exited"]);

    const again = await api("POST", `/projects/${id}/stop`);
    expect(again.statusCode).toBe(202);
    expect(again.json().operation.status).toBe("succeeded");

    const start = await api("POST", `/projects/${id}/start`);
    expect(start.statusCode).toBe(202);
    const op = await settled(start.json().operation.id);
    expect(op.status).toBe("succeeded");
    const note = await h.serviceFetch(await endpointOf(id), `/note.txt`);
    expect(await note.text()).toBe("kept-across-stop\n");
  });

  it("restarts with a new container on the same volume", async () => {
    const [before] = await h.runtime.listContainers({ "devsanctum.project": id, "devsanctum.kind": "preview" });
    const res = await api("POST", `/projects/${id}/restart`);
    expect(res.statusCode).toBe(202);
    const op = await settled(res.json().operation.id);
    expect(op.status).toBe("succeeded");
    const after = await h.runtime.listContainers({ "devsanctum.project": id, "devsanctum.kind": "preview" });
    expect(after).toHaveLength(1);
    expect(after[0]?.id).not.toBe(before?.id);
    expect((await h.serviceFetch(await endpointOf(id), `/note.txt`)).status).toBe(200);
    expect((await project(id)).status).toBe("running");
  });

  it("lists its operations newest first", async () => {
    const res = await api("GET", `/projects/${id}/operations`);
    expect(res.json().operations.map((o: { kind: string }) => o.kind)).toEqual([
      "restart",
      "start",
      "stop",
      "stop",
      "create",
    ]);
  });

  it("deletes: containers, network, volume and routes are gone", async () => {
    const res = await api("DELETE", `/projects/${id}`);
    expect(res.statusCode).toBe(202);
    const op = await settled(res.json().operation.id);
    expect(op.status).toBe("succeeded");
    const labels = { "devsanctum.project": id };
    expect(await h.runtime.listContainers(labels)).toEqual([]);
    expect(await h.runtime.listNetworks(labels)).toEqual([]);
    expect(await h.runtime.listVolumes(labels)).toEqual([]);
    expect(await database.db.route.count({ where: { projectId: id } })).toBe(0);
    expect((await api("GET", `/projects/${id}`)).statusCode).toBe(404);
    expect((await api("GET", "/projects")).json().projects).toEqual([]);
    // The name is free again.
    const reuse = await api("POST", "/projects", { name: "My First App", templateId });
    expect(reuse.statusCode).toBe(202);
    expect(reuse.json().project.slug).toBe("my-first-app");
  });

  it("runs an opencode service with its own password, which its health check sends", async () => {
    const agent = standInPreview({ command: ["node", "/app/agent.js"], port: 4096, env: {} });
    const template = await createStandInTemplate(database, standInPreview());
    await database.db.template.update({
      where: { id: template.id },
      data: { services: { preview: standInPreview(), opencode: agent } as object },
    });
    const res = await api("POST", "/projects", { name: "With Agent", templateId: template.id });
    const op = await settled(res.json().operation.id);
    expect(op.status).toBe("succeeded");
    const p = await project(res.json().project.id);
    expect(p.urls).toEqual({
      preview: "http://with-agent--preview.localhost:8080",
      opencode: "http://with-agent--opencode.localhost:8080",
    });
    const svc = await database.db.serviceInstance.findFirstOrThrow({ where: { projectId: p.id, kind: "opencode" } });
    expect((await h.serviceFetch(svc.endpoint, `/`)).status).toBe(401);
    const basic = Buffer.from(`opencode:${await h.opencodePassword(p.id)}`).toString("base64");
    expect((await h.serviceFetch(svc.endpoint, `/`, { headers: { authorization: `Basic ${basic}` } })).status).toBe(
      200,
    );
    const route = await database.db.route.findFirstOrThrow({ where: { projectId: p.id, kind: "opencode" } });
    expect(route).toMatchObject({ hostname: "with-agent--opencode.localhost", access: "owner" });
  });

  it("deletes with keepData: the volume stays, even across the stray sweep", async () => {
    const [p] = (await api("GET", "/projects"))
      .json()
      .projects.filter((x: { slug: string }) => x.slug === "with-agent");
    const res = await api("DELETE", `/projects/${p.id}?keepData=true`);
    expect(res.statusCode).toBe(202);
    expect((await settled(res.json().operation.id)).status).toBe("succeeded");
    await h.reconciler.scan();
    const labels = { "devsanctum.project": p.id };
    expect(await h.runtime.listContainers(labels)).toEqual([]);
    expect(await h.runtime.listNetworks(labels)).toEqual([]);
    expect((await h.runtime.listVolumes(labels)).map((v) => v.name)).toEqual([`ds-${h.installId}-${p.id}-files`]);
    expect(await database.db.route.count({ where: { projectId: p.id } })).toBe(0);
  });
});
