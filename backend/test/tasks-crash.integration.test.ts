// QA gates converge across a crash (issue #14): SIGKILL the control plane while a task's gate
// container runs, start it again — the task is never stuck in qa: the orphaned gate container is
// removed, the gates run again from the first, and the task reaches review. The real entry point
// (src/main.ts) as a child process; a template with the vite-react preview service only (no
// agent: the task's worktree is worked by hand, its gates re-run with POST …/qa).
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { embeddedDatabaseUrl } from "../src/adapters/persistence/embedded-postgres.js";
import { createPrismaClient } from "../src/adapters/persistence/prisma-client.js";
import { testDocker } from "./helpers/app.js";
import { createApiToken, createUser } from "./helpers/auth.js";
import { freePort, startControlPlane, waitFor } from "./helpers/process.js";
import { eventually, removeByInstall, TEST_RUN } from "./helpers/projects.js";
import { TEMPLATES_DIR } from "./helpers/template-service.js";

const runtime = testDocker();
const installId = `taskcrash-${randomBytes(3).toString("hex")}`;
const pgPort = 5531;
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

interface Gate {
  name: string;
  status: string;
  output: string;
}
interface TaskJson {
  status: string;
  qaResults: { status: string; startedAt: string; gates: Gate[] } | null;
}

describe("QA gates across a control-plane crash", () => {
  it("re-runs the gates after a SIGKILL during a gate: the orphan goes, the task reaches review", async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "devsanctum-taskcrash-"));
    await chmod(dataDir, 0o755);
    const vite = JSON.parse(await readFile(path.join(TEMPLATES_DIR, "vite-react/template.json"), "utf8"));
    const templates = path.join(dataDir, "templates");
    await mkdir(path.join(templates, "preview-only"), { recursive: true });
    await writeFile(
      path.join(templates, "preview-only/template.json"),
      JSON.stringify({
        slug: "preview-only",
        name: "Preview only",
        filesSeed: path.join(TEMPLATES_DIR, "vite-react/files"),
        services: { preview: vite.services.preview },
        qaGates: [
          {
            name: "slow",
            command: "echo started; sleep 5; echo finished",
            timeoutSeconds: 60,
            required: true,
            order: 0,
          },
          { name: "typecheck", command: "tsc --noEmit --pretty false", timeoutSeconds: 120, required: true, order: 1 },
        ],
      }),
    );
    const port = await freePort();
    const env = {
      PORT: String(port),
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      INSTALL_ID: installId,
      DEVSANCTUM_TEST_RUN: TEST_RUN,
      TEMPLATES_DIR: templates,
      EDGE_PORT: "0",
      RECONCILE_INTERVAL_MS: "1000",
    };
    const base = `http://127.0.0.1:${port}`;
    const start = async () => {
      const cp = startControlPlane(env);
      children.push(cp);
      await waitFor(`${base}/readyz`, 60_000).catch((e) => {
        throw new Error(`${e.message}\n${cp.output()}`);
      });
      return cp;
    };

    const first = await start();
    const db = createPrismaClient(await embeddedDatabaseUrl(path.join(dataDir, "postgres"), pgPort));
    const user = await createUser(db);
    const { authorization } = await createApiToken(db, user.id);
    await db.$disconnect();
    const call = async (method: string, url: string, body?: unknown) => {
      const res = await fetch(`${base}/api/v1${url}`, {
        method,
        headers: { authorization, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const { templates: list } = (await call("GET", "/templates")).body as {
      templates: Array<{ id: string; slug: string }>;
    };
    const templateId = list.find((t) => t.slug === "preview-only")?.id;
    const created = await call("POST", "/projects", { name: "Gates", templateId });
    expect(created.status).toBe(202);
    const projectId = (created.body.project as { id: string }).id;
    await eventually(
      async () => (await call("GET", `/projects/${projectId}`)).body as { status: string },
      (p) => p.status === "running" || p.status === "failed",
      90_000,
      250,
    ).then((p) => expect(p.status, first.output()).toBe("running"));
    const n = ((await call("POST", `/projects/${projectId}/tasks`, { title: "Gated" })).body as { n: number }).n;
    expect((await call("POST", `/projects/${projectId}/tasks/${n}/run`)).status).toBe(202);
    const qa = await call("POST", `/projects/${projectId}/tasks/${n}/qa`);
    expect(qa.status, JSON.stringify(qa.body)).toBe(202);
    const task = async () => (await call("GET", `/projects/${projectId}/tasks/${n}`)).body as unknown as TaskJson;
    const gateContainers = () =>
      runtime.listContainers({
        "devsanctum.install": installId,
        "devsanctum.kind": "qa-gate",
        "devsanctum.task": `${n}`,
      });

    // Killed while the first gate runs (it has printed, it has not finished).
    await eventually(task, (t) => t.qaResults?.gates[0]?.output.includes("started") ?? false, 60_000, 100);
    const [orphan] = await gateContainers();
    expect(orphan).toBeDefined();
    first.child.kill("SIGKILL");
    await first.exited;
    const killedAt = Date.now();
    expect((await task().catch(() => null)) === null).toBe(true);

    const second = await start();
    const done = await eventually(task, (t) => t.status !== "qa", 90_000, 250).catch((e) => {
      throw new Error(`${e.message}\n${second.output()}`);
    });
    const convergedMs = Date.now() - killedAt;
    console.log(`tasks crash figures (ms): ${JSON.stringify({ killToReview: convergedMs })}`);
    expect(done.status).toBe("review");
    expect(done.qaResults?.status).toBe("passed");
    expect(done.qaResults?.gates.map((g) => [g.name, g.status])).toEqual([
      ["slow", "passed"],
      ["typecheck", "passed"],
    ]);
    // The gate ran again to its end in a new container; the orphan is gone, nothing is left.
    expect(done.qaResults?.gates[0]?.output).toContain("finished");
    expect(await runtime.inspectContainer(orphan?.id ?? "")).toBeNull();
    expect(await gateContainers()).toEqual([]);

    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 240_000);
});
