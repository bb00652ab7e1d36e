// Issue #15, crash safety: SIGKILL the control plane the moment a project starts falling asleep,
// and again the moment a request through the edge wakes it. sleptAt is the intent, written
// before any container moves, so each restart converges: asleep with its container stopped,
// then awake with one running container answering through the edge.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { embeddedDatabaseUrl } from "../src/adapters/persistence/embedded-postgres.js";
import { createPrismaClient } from "../src/adapters/persistence/prisma-client.js";
import { testDocker } from "./helpers/app.js";
import { createApiToken, createUser } from "./helpers/auth.js";
import { requestVia } from "./helpers/http-client.js";
import { freePort, startControlPlane, waitFor } from "./helpers/process.js";
import { eventually, removeByInstall, TEMPLATES_FIXTURE, TEST_RUN } from "./helpers/projects.js";

const runtime = testDocker();
const installId = `sleepcrash-${randomBytes(4).toString("hex")}`;
const pgPort = 5527;
let dataDir = "";
const children: Array<ReturnType<typeof startControlPlane>> = [];

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

describe("control plane killed while a project falls asleep or wakes", () => {
  it("converges both times: asleep with its container stopped, then awake and answering", async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "devsanctum-sleep-crash-"));
    await chmod(dataDir, 0o755);
    const [port, edgePort] = [await freePort(), await freePort()];
    const env = {
      PORT: String(port),
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      INSTALL_ID: installId,
      DEVSANCTUM_TEST_RUN: TEST_RUN,
      TEMPLATES_DIR: TEMPLATES_FIXTURE,
      EDGE_PORT: String(edgePort),
      RECONCILE_INTERVAL_MS: "300",
      IDLE_TIMEOUT_SECONDS: "10",
      ACTIVITY_FLUSH_MS: "200",
    };
    const base = `http://127.0.0.1:${port}`;
    const boot = async () => {
      const cp = startControlPlane(env);
      children.push(cp);
      await waitFor(`${base}/readyz`, 60_000).catch((e) => {
        throw new Error(`${e.message}\n${cp.output()}`);
      });
      return cp;
    };
    const kill = async (cp: ReturnType<typeof startControlPlane>) => {
      cp.child.kill("SIGKILL");
      await cp.exited;
    };
    let cp = await boot();

    const db = createPrismaClient(await embeddedDatabaseUrl(path.join(dataDir, "postgres"), pgPort));
    try {
      const user = await createUser(db);
      const { authorization } = await createApiToken(db, user.id);
      const headers = { authorization, "content-type": "application/json" };
      const template = await db.template.findFirstOrThrow({ where: { slug: "stand-in" } });
      const res = await fetch(`${base}/api/v1/projects`, {
        method: "POST",
        headers,
        body: JSON.stringify({ name: "Night Owl", templateId: template.id }),
      });
      expect(res.status).toBe(202);
      const { id, slug } = ((await res.json()) as { project: { id: string; slug: string } }).project;
      const row = () => db.project.findUniqueOrThrow({ where: { id } });
      const previews = () => runtime.listContainers({ "devsanctum.project": id, "devsanctum.kind": "preview" });
      await eventually(row, (p) => p.status === "running", 60_000);

      // 1. Killed the moment it decides to sleep (its container may be mid-stop).
      await eventually(row, (p) => p.sleptAt !== null, 40_000, 20);
      await kill(cp);
      cp = await boot();
      const asleep = await eventually(row, (p) => p.status === "sleeping", 30_000, 100);
      expect(asleep, cp.output()).toMatchObject({ desiredState: "running" });
      expect((await previews()).map((c) => c.state)).toEqual(["exited"]);

      // 2. Killed the moment a request through the edge wakes it (the request is cut off).
      const host = `${slug}--preview.localhost:${edgePort}`;
      const cutOff = requestVia(edgePort, host, "/", { headers: { authorization } }).catch(() => null);
      await eventually(row, (p) => p.sleptAt === null, 20_000, 10);
      await kill(cp);
      await cutOff;
      cp = await boot();
      const awake = await eventually(row, (p) => p.status === "running", 40_000, 100);
      expect(awake.sleptAt).toBeNull();
      expect((await previews()).map((c) => c.state)).toEqual(["running"]);
      const page = await requestVia(edgePort, host, "/", { headers: { authorization } });
      expect(page.status).toBe(200);
      expect(page.body).toContain("seeded by the template");
    } finally {
      await db.$disconnect();
    }
    cp.child.kill("SIGTERM");
    expect(await cp.exited).toBe(0);
  }, 240_000);
});
