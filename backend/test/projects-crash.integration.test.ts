// Crash safety: SIGKILL the control plane while projects are being created, start it again on
// the same data directory, and every project converges with no duplicate and no orphan.
import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { embeddedDatabaseUrl } from "../src/adapters/persistence/embedded-postgres.js";
import { createPrismaClient } from "../src/adapters/persistence/prisma-client.js";
import { testDocker } from "./helpers/app.js";
import { createApiToken, createUser } from "./helpers/auth.js";
import { freePort, startControlPlane, waitFor } from "./helpers/process.js";
import { eventually, NODE_IMAGE, removeByInstall, TEMPLATES_FIXTURE, TEST_RUN } from "./helpers/projects.js";

const runtime = testDocker();
const installId = `crash-${randomBytes(4).toString("hex")}`;
const pgPort = 5522;
let dataDir = "";
const children: Array<ReturnType<typeof startControlPlane>> = [];

/** Postgres processes serving our data directory (a SIGKILLed parent leaves them running). */
function postgresPids(dir: string): number[] {
  return execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.includes(dir) && l.includes("postgres"))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill("SIGKILL");
  await Promise.all(children.map((c) => c.exited));
  if (dataDir) for (const pid of postgresPids(dataDir)) process.kill(pid, "SIGKILL");
  await removeByInstall(runtime, installId);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("control plane crash", () => {
  it("converges after a SIGKILL mid-create: one container per project, unknown projects left alone", async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "devsanctum-crash-"));
    await chmod(dataDir, 0o755);
    const port = await freePort();
    const env = {
      PORT: String(port),
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      INSTALL_ID: installId,
      DEVSANCTUM_TEST_RUN: TEST_RUN,
      TEMPLATES_DIR: TEMPLATES_FIXTURE,
      EDGE_PORT: "0",
      RECONCILE_INTERVAL_MS: "1000",
    };
    const base = `http://127.0.0.1:${port}`;
    const first = startControlPlane(env);
    children.push(first);
    await waitFor(`${base}/readyz`, 60_000).catch((e) => {
      throw new Error(`${e.message}\n${first.output()}`);
    });

    // A caller, written straight into the control plane's own database.
    const db = createPrismaClient(await embeddedDatabaseUrl(path.join(dataDir, "postgres"), pgPort));
    const user = await createUser(db);
    const { authorization } = await createApiToken(db, user.id);
    const headers = { authorization, "content-type": "application/json" };
    await db.$disconnect();

    const { templates } = (await (await fetch(`${base}/api/v1/templates`, { headers })).json()) as {
      templates: Array<{ id: string; slug: string; builtIn: boolean }>;
    };
    const template = templates.find((t) => t.slug === "stand-in");
    expect(template).toMatchObject({ builtIn: true });

    const ids: string[] = [];
    for (const name of ["crash one", "crash two", "crash three"]) {
      const res = await fetch(`${base}/api/v1/projects`, {
        method: "POST",
        headers,
        body: JSON.stringify({ name, templateId: template?.id }),
      });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { project: { id: string } }).project.id);
    }
    // Kill it as soon as the first container exists: creates are in flight, none healthy yet.
    await eventually(
      () => runtime.listContainers({ "devsanctum.install": installId }),
      (list) => list.length > 0,
      20_000,
      10,
    );
    first.child.kill("SIGKILL");
    await first.exited;

    // Resources labelled for this install whose project its database never knew: left alone and
    // reported (issue #10: they may be another install's, and a volume holds files).
    const stray = randomUUID();
    const strayLabels = {
      "devsanctum.install": installId,
      "devsanctum.project": stray,
      "devsanctum.kind": "preview",
      "devsanctum.test-run": TEST_RUN,
    };
    await runtime.ensureNetwork(`ds-${installId}-${stray}`, strayLabels);
    await runtime.ensureVolume(`ds-${installId}-${stray}-files`, strayLabels);
    await runtime.docker.createContainer({ Image: NODE_IMAGE, Cmd: ["true"], Labels: strayLabels });

    // The embedded PostgreSQL of the killed process may still be up; the new one must cope.
    const second = startControlPlane(env);
    children.push(second);
    await waitFor(`${base}/readyz`, 60_000).catch((e) => {
      throw new Error(`${e.message}\n${second.output()}`);
    });

    for (const id of ids) {
      const p = await eventually(
        async () => (await (await fetch(`${base}/api/v1/projects/${id}`, { headers })).json()) as { status: string },
        (p) => p.status === "running" || p.status === "failed",
        40_000,
      );
      expect(p.status, second.output()).toBe("running");
      const ops = (await (await fetch(`${base}/api/v1/projects/${id}/operations`, { headers })).json()) as {
        operations: Array<{ kind: string; status: string }>;
      };
      expect(ops.operations).toMatchObject([{ kind: "create", status: "succeeded" }]);
      // One preview per project (a workspace container for files and git may run beside it).
      const containers = await runtime.listContainers({ "devsanctum.project": id, "devsanctum.kind": "preview" });
      expect(containers.map((c) => c.state)).toEqual(["running"]);
    }
    await eventually(
      async () => second.output(),
      (out) => out.includes("belong to a project this database has never known"),
      10_000,
    );
    const strays = async () => [
      ...(await runtime.listContainers({ "devsanctum.project": stray })),
      ...(await runtime.listNetworks({ "devsanctum.project": stray })),
      ...(await runtime.listVolumes({ "devsanctum.project": stray })),
    ];
    expect(await strays()).toHaveLength(3);
    await removeByInstall(runtime, installId, { "devsanctum.project": stray });
    const all = await runtime.listContainers({ "devsanctum.install": installId, "devsanctum.kind": "preview" });
    expect(all).toHaveLength(ids.length);

    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 150_000);
});
