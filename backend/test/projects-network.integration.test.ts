// Compose runs the control plane and Traefik in containers that join each project's own
// network (PROJECT_NETWORK_ATTACH); they must be attached on create and detached on delete, or
// the network could never be removed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedInUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import {
  createStandInTemplate,
  eventually,
  NODE_IMAGE,
  type ProjectsHarness,
  projectsHarness,
  TEST_RUN,
} from "./helpers/projects.js";

let database: TestDatabase;
let h: ProjectsHarness;
const proxyName = `ds-test-proxy-${process.pid}-${Date.now().toString(36)}`;

beforeAll(async () => {
  database = await createTestDatabase();
  h = await projectsHarness(database, { attachContainers: [proxyName] });
  const proxy = await h.runtime.docker.createContainer({
    name: proxyName,
    Image: NODE_IMAGE,
    Cmd: ["sleep", "600"],
    Labels: { "devsanctum.test-run": TEST_RUN },
    HostConfig: { Init: true },
  });
  await proxy.start();
});
afterAll(async () => {
  await h?.close();
  await h?.runtime.removeContainer(proxyName);
  await database?.drop();
});

const networksOf = async (name: string) =>
  Object.keys((await h.runtime.docker.getContainer(name).inspect()).NetworkSettings.Networks);

describe("containers attached to project networks", () => {
  it("joins them to a new project's network and takes them off before removing it", async () => {
    const owner = await signedInUser(database.db);
    const templateId = (await createStandInTemplate(database)).id;
    const inject = (method: "GET" | "POST" | "DELETE", url: string, payload?: object) =>
      h.app.inject({ method, url: `/api/v1${url}`, headers: owner.headers, ...(payload ? { payload } : {}) });
    const { project } = (await inject("POST", "/projects", { name: "Networked", templateId })).json();
    await eventually(
      async () => (await inject("GET", `/projects/${project.id}`)).json().status,
      (s) => s === "running" || s === "failed",
    );
    const network = `ds-${h.installId}-${project.id}`;
    expect(await networksOf(proxyName)).toContain(network);
    // A re-scan joins it again, harmlessly.
    await h.reconciler.scan();
    await h.reconciler.idle();

    const del = (await inject("DELETE", `/projects/${project.id}`)).json();
    await eventually(
      async () => (await inject("GET", `/operations/${del.operation.id}`)).json().status,
      (s) => s === "succeeded" || s === "failed",
    );
    expect((await inject("GET", `/operations/${del.operation.id}`)).json().status).toBe("succeeded");
    expect(await h.runtime.listNetworks({ "devsanctum.project": project.id })).toEqual([]);
    expect(await networksOf(proxyName)).not.toContain(network);
    expect((await h.runtime.docker.getContainer(proxyName).inspect()).State.Running).toBe(true);
  });
});
