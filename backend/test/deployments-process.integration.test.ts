// Deployments are durable work: SIGKILL the built control plane while a build runs, start it
// again, and the deployment ends live (or failed) — never stuck in building — with its whole
// log, and nothing left behind: no build container, one production container, one image.
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDocker } from "./helpers/app.js";
import { createApiToken, createUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { viaEdge, writeProjectFiles } from "./helpers/deployments.js";
import { freePort, startControlPlane, waitFor } from "./helpers/process.js";
import { eventually, removeByInstall, TEMPLATES_FIXTURE, TEST_RUN } from "./helpers/projects.js";

const runtime = testDocker();
const installId = `dkill-${randomBytes(4).toString("hex")}`;
const children: Array<ReturnType<typeof startControlPlane>> = [];
let database: TestDatabase;
let dataDir = "";
let env: Record<string, string>;
let base = "";
let edgePort = 0;
let authorization = "";

async function start() {
  const cp = startControlPlane(env, { built: true });
  children.push(cp);
  await waitFor(`${base}/readyz`, 60_000).catch((e) => {
    throw new Error(`${e.message}\n${cp.output()}`);
  });
  return cp;
}

async function api<T>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/api/v1${p}`, {
    method,
    headers: { authorization, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return (await res.json()) as T;
}

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(path.join(os.tmpdir(), "devsanctum-deploy-kill-"));
  await chmod(dataDir, 0o755);
  const port = await freePort();
  edgePort = await freePort();
  base = `http://127.0.0.1:${port}`;
  // An external database: a SIGKILL then kills the control plane alone, as in production.
  env = {
    PORT: String(port),
    EDGE_PORT: String(edgePort),
    DATABASE_URL: database.url,
    SECRET_KEY: randomBytes(32).toString("hex"),
    DATA_DIR: dataDir,
    INSTALL_ID: installId,
    DEVSANCTUM_TEST_RUN: TEST_RUN,
    TEMPLATES_DIR: TEMPLATES_FIXTURE,
    RECONCILE_INTERVAL_MS: "1000",
    LOG_LEVEL: "warn",
  };
  const user = await createUser(database.db);
  authorization = (await createApiToken(database.db, user.id)).authorization;
});

afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill("SIGKILL");
  await Promise.all(children.map((c) => c.exited));
  await removeByInstall(runtime, installId);
  for (const i of await runtime.listImages({ "devsanctum.install": installId })) await runtime.removeImage(i.id);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  await database?.drop();
});

describe("deployments survive the control plane", () => {
  it("a SIGKILL mid-build: the next process finishes the deployment, and nothing is orphaned", async () => {
    const first = await start();
    const { templates } = await api<{ templates: Array<{ id: string; slug: string }> }>("GET", "/templates");
    const template = templates.find((t) => t.slug === "deploy-stand-in");
    const { project } = await api<{ project: { id: string; slug: string } }>("POST", "/projects", {
      name: "Kill me",
      templateId: template?.id,
    });
    const status = async () => (await api<{ status: string }>("GET", `/projects/${project.id}`)).status;
    await eventually(status, (s) => s === "running", 30_000);
    const preview = await database.db.serviceInstance.findFirstOrThrow({
      where: { projectId: project.id, kind: "preview" },
    });
    await writeProjectFiles(runtime, preview.containerId ?? "", {
      "index.html": "<h1>survived</h1>\n",
      "build.sh": "echo step one\nsleep 3\necho step two\nmkdir -p dist\ncp index.html dist/index.html\n",
    });

    type Dep = { number: number; status: string; log: string };
    const posted = await api<{ deployment: Dep }>("POST", `/projects/${project.id}/deployments`);
    const one = async () =>
      (await api<{ deployment: Dep }>("GET", `/projects/${project.id}/deployments/${posted.deployment.number}`))
        .deployment;
    await eventually(one, (d) => d.status === "building" && d.log.includes("step one"), 20_000);

    first.child.kill("SIGKILL");
    await first.exited;
    // The build goes on without a control plane.
    const build = await runtime.listContainers({ "devsanctum.install": installId, "devsanctum.kind": "build" });
    expect(build.map((c) => c.state)).toEqual(["running"]);

    await start();
    const done = await eventually(one, (d) => !["queued", "building", "starting"].includes(d.status), 30_000);
    expect(done.status, done.log).toBe("live");
    // The log was read again from the build's start: nothing lost, nothing twice.
    expect(done.log.match(/step one/g)).toHaveLength(1);
    expect(done.log).toContain("step two");
    expect((await viaEdge(edgePort, `${project.slug}.localhost`)).body).toBe("<h1>survived</h1>\n");

    const mine = { "devsanctum.install": installId, "devsanctum.project": project.id };
    await eventually(
      async () => ({
        builds: (await runtime.listContainers({ ...mine, "devsanctum.kind": "build" })).length,
        snapshots: (await runtime.listContainers({ ...mine, "devsanctum.kind": "snapshot" })).length,
        production: (await runtime.listContainers({ ...mine, "devsanctum.kind": "production" })).length,
        images: (await runtime.listImages({ ...mine, "devsanctum.kind": "artifact" })).length,
      }),
      (x) => x.builds === 0 && x.snapshots === 0 && x.production === 1 && x.images === 1,
      10_000,
    );
  }, 120_000);
});
