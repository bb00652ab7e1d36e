// A prompt is durable work: SIGKILL the control plane right after creating a project with a
// prompt, start it again, SIGKILL it again while the model is answering that very prompt, start
// it again — the prompt reaches the model exactly once and the project ends `ready`. The real
// entry point (src/main.ts) as a child process, a real OpenCode, the fake model on the
// project's network (PROJECT_NETWORK_ATTACH, as in compose).
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
import { FAKE_KEY, type FakeModel, fakeScript, startFakeModel } from "./helpers/fake-model.js";
import { freePort, startControlPlane, waitFor } from "./helpers/process.js";
import { eventually, removeByInstall, TEST_RUN } from "./helpers/projects.js";
import { TEMPLATES_DIR } from "./helpers/template-service.js";

const runtime = testDocker();
const installId = `agentcrash-${randomBytes(3).toString("hex")}`;
const pgPort = 5523;
let dataDir = "";
let fake: FakeModel | undefined;
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
  await fake?.remove();
  await removeByInstall(runtime, installId);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("agent prompts across control-plane crashes", () => {
  it("sends the creation prompt exactly once through two SIGKILLs, one of them mid-answer", async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "devsanctum-agentcrash-"));
    await chmod(dataDir, 0o755);
    // An agent-only template (the vite-react OpenCode service): one container to wait for.
    const vite = JSON.parse(await readFile(path.join(TEMPLATES_DIR, "vite-react/template.json"), "utf8"));
    const templates = path.join(dataDir, "templates");
    await mkdir(path.join(templates, "agent-only"), { recursive: true });
    await writeFile(
      path.join(templates, "agent-only/template.json"),
      JSON.stringify({ slug: "agent-only", name: "Agent only", services: { opencode: vite.services.opencode } }),
    );
    fake = await startFakeModel();
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
      PROJECT_NETWORK_ATTACH: fake.name,
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
    const kill = async (cp: ReturnType<typeof startControlPlane>) => {
      cp.child.kill("SIGKILL");
      await cp.exited;
    };

    const first = await start();
    const db = createPrismaClient(await embeddedDatabaseUrl(path.join(dataDir, "postgres"), pgPort));
    const user = await createUser(db);
    const { authorization } = await createApiToken(db, user.id);
    await db.$disconnect();
    const headers = { authorization, "content-type": "application/json" };
    const call = async (method: string, url: string, body?: unknown) => {
      const res = await fetch(`${base}/api/v1${url}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const settings = await call("PUT", "/me/agent-settings", {
      provider: "openai-compatible",
      baseUrl: fake.baseUrl,
      model: "fake-model",
      apiKey: FAKE_KEY,
    });
    expect(settings.status).toBe(200);
    const { templates: list } = (await call("GET", "/templates")).body as {
      templates: Array<{ id: string; slug: string }>;
    };
    const templateId = list.find((t) => t.slug === "agent-only")?.id;
    const marker = `Exactly once ${randomBytes(3).toString("hex")}`;
    const prompt = `${marker}\n${fakeScript({ delayMs: 4000, write: { path: "once.txt", content: "once\n" } })}`;

    // 1. Killed right after the 202: nothing of the agent has run yet.
    const created = await call("POST", "/projects", { name: "Crashy", templateId, prompt });
    expect(created.status).toBe(202);
    const projectId = (created.body.project as { id: string }).id;
    await kill(first);

    // 2. Killed while the model is answering that prompt (it takes 4 s).
    const second = await start();
    const turnStarts = async () =>
      (await fake?.requests())?.filter((r) => r.turnStart && r.lastUser.startsWith(marker)) ?? [];
    await eventually(turnStarts, (t) => t.length === 1, 60_000, 100).catch((e) => {
      throw new Error(`${e.message}\n${second.output()}`);
    });
    await kill(second);

    // 3. Up again: the turn finishes, and nothing is sent twice.
    const third = await start();
    const project = await eventually(
      async () => (await call("GET", `/projects/${projectId}`)).body as { setup: { phase: string } },
      (p) => p.setup.phase === "ready" || p.setup.phase === "agent_failed",
      60_000,
      200,
    );
    expect(project.setup, third.output()).toEqual({ phase: "ready", message: null });
    expect(await turnStarts()).toHaveLength(1);
    const sessions = (await call("GET", `/projects/${projectId}/agent/sessions`)).body.sessions as Array<{
      id: string;
    }>;
    expect(sessions).toHaveLength(1);
    const messages = (await call("GET", `/projects/${projectId}/agent/sessions/${sessions[0]?.id}/messages`)).body
      .messages as Array<{ role: string }>;
    expect(messages.filter((m) => m.role === "user")).toHaveLength(1);
    // No process ever logged the key.
    for (const cp of children) expect(cp.output()).not.toContain(FAKE_KEY);

    third.child.kill("SIGTERM");
    expect(await third.exited).toBe(0);
  }, 240_000);
});
