// Regression: "a container removed from outside is never brought back" (issue #10). `docker rm -f`
// of a running project's preview left it failed ("no such container") with desired state
// running, for good. A level-triggered reconciler recreates what is missing — the container,
// the network — on the project's volume (its files are kept), and fails only when creating fails.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedInUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { createStandInTemplate, eventually, type ProjectsHarness, projectsHarness } from "./helpers/projects.js";

let database: TestDatabase;
let h: ProjectsHarness;
let owner: Awaited<ReturnType<typeof signedInUser>>;

beforeAll(async () => {
  database = await createTestDatabase();
  h = await projectsHarness(database, { intervalMs: 1000, healthTimeoutMs: 15_000 });
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
const settled = (id: string) =>
  eventually(
    async () => (await api("GET", `/projects/${id}`)).json(),
    (p) => p.status === "running" || p.status === "failed",
    20_000,
  );
/** The preview runs again in a new container (the project shown when it does not). */
const healed = (projectId: string, gone: string | null) =>
  eventually(
    async () => ({ svc: await service(projectId), status: (await api("GET", `/projects/${projectId}`)).json().status }),
    ({ svc, status }) =>
      svc.containerId !== gone && svc.observedState === "running" && svc.health === "healthy" && status === "running",
    30_000,
  )
    .then(({ svc }) => svc)
    .catch(async (err) => {
      throw new Error(
        `${err.message}\nproject: ${JSON.stringify((await api("GET", `/projects/${projectId}`)).json())}`,
      );
    });
/** A file only this project's volume holds, written through its running preview container. */
async function markFiles(containerId: string, text: string) {
  const exec = await h.runtime.docker.getContainer(containerId).exec({
    Cmd: ["sh", "-c", `echo ${text} > /app/marker.txt`],
    AttachStdout: true,
  });
  const stream = await exec.start({});
  await new Promise((r) => stream.on("end", r).resume());
}

describe("self-healing", () => {
  let projectId: string;

  beforeAll(async () => {
    const templateId = (await createStandInTemplate(database)).id;
    const { project } = (await api("POST", "/projects", { name: "Healer", templateId })).json();
    projectId = project.id;
    expect((await settled(projectId)).status).toBe("running");
    await markFiles((await service(projectId)).containerId ?? "", "kept");
  });

  it("recreates a container removed from outside, on the same volume, within seconds", async () => {
    const before = await service(projectId);
    await h.runtime.docker.getContainer(before.containerId ?? "").remove({ force: true });

    const after = await healed(projectId, before.containerId);
    const project = (await api("GET", `/projects/${projectId}`)).json();
    expect(project).toMatchObject({ status: "running", desiredState: "running" });
    expect((await h.serviceFetch(after.endpoint, `/marker.txt`)).status).toBe(200);
    expect((await (await h.serviceFetch(after.endpoint, `/marker.txt`)).text()).trim()).toBe("kept");
  });

  it("recreates the project's network when it is removed from outside", async () => {
    const [network] = await h.runtime.listNetworks({ "devsanctum.project": projectId });
    expect(network).toBeDefined();
    // A network with containers attached (the preview, the install's service gate) cannot be
    // removed: an outsider forces them off, removes it, and removes the preview container too.
    const before = await service(projectId);
    const net = h.runtime.docker.getNetwork(network?.name ?? "");
    // The reconciler keeps joining the gate back (it heals that too): try until the removal wins.
    for (let attempt = 1; ; attempt++) {
      for (const id of Object.keys((await net.inspect()).Containers ?? {})) {
        await net.disconnect({ Container: id, Force: true }).catch(() => {});
      }
      try {
        await net.remove();
        break;
      } catch (err) {
        if (attempt >= 20) throw err;
      }
    }
    await h.runtime.docker.getContainer(before.containerId ?? "").remove({ force: true });

    await eventually(
      () => service(projectId),
      (s) => s.containerId !== before.containerId && s.observedState === "running" && s.health === "healthy",
      30_000,
    ).catch(async (err) => {
      throw new Error(
        `${err.message}\nproject: ${JSON.stringify((await api("GET", `/projects/${projectId}`)).json())}`,
      );
    });
    const networks = await h.runtime.listNetworks({ "devsanctum.project": projectId });
    expect(networks.map((n) => n.name)).toEqual([network?.name]);
    expect((await api("GET", `/projects/${projectId}`)).json().status).toBe("running");
  });
});
