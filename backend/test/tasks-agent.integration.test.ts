// Issue #14 end to end on real parts: the vite-react template (its OpenCode server driven by the
// scripted fake model, its QA gates in one-shot containers of its image), real PostgreSQL and
// Docker, the builtin edge on *.localhost. One project is shared by the tests of this file, which
// run in order: two tasks run at once and reach review with their gates passed, one breaks tsc,
// one changes nothing, a review round goes back to the agent, one is rejected, one is cancelled
// while its gate runs; the task preview host serves the task's branch only.
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prismaApiTokenStore } from "../src/adapters/persistence/prisma-api-token-store.js";
import { prismaAuditLog } from "../src/adapters/persistence/prisma-audit-log.js";
import { prismaRouteTable } from "../src/adapters/persistence/prisma-route-table.js";
import { prismaTemplateStore } from "../src/adapters/persistence/prisma-template-store.js";
import { fsBuiltInTemplates } from "../src/adapters/templates/fs-built-in-templates.js";
import { composeEdge } from "../src/composition/edge.js";
import { buildEdge } from "../src/edge/edge-server.js";
import { authenticatorFactory } from "../src/modules/auth/authenticator.js";
import { templatesServiceFactory } from "../src/modules/templates/templates.service.js";
import { signedInUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { FAKE_KEY, type FakeModel, fakeScript, startFakeModel } from "./helpers/fake-model.js";
import { requestVia } from "./helpers/http-client.js";
import { eventually, type ProjectsHarness, projectsHarness } from "./helpers/projects.js";
import { openSse } from "./helpers/sse.js";
import { TEMPLATES_DIR } from "./helpers/template-service.js";

let database: TestDatabase;
let h: ProjectsHarness;
let fake: FakeModel;
let edge: FastifyInstance;
let edgePort: number;
let owner: Awaited<ReturnType<typeof signedInUser>>;
let stranger: Awaited<ReturnType<typeof signedInUser>>;
let projectId: string;
let slug: string;
const figures: Record<string, number> = {};

type Who = { headers: Record<string, string> };
type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
const api = (method: Method, url: string, payload?: unknown, who: Who = owner) =>
  h.app.inject({
    method,
    url: `/api/v1/projects/${projectId}${url}`,
    headers: { ...who.headers, ...(payload !== undefined ? { "content-type": "application/json" } : {}) },
    ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
  });
interface Gate {
  name: string;
  status: string;
  exitCode: number | null;
  output: string;
  durationMs: number | null;
}
interface TaskJson {
  n: number;
  status: string;
  emptyDiff: boolean;
  previewUrl: string | null;
  sessionId: string | null;
  agent: { state: string; lastActivityAt: string | null; error: string | null; summary: string | null };
  qaResults: { status: string; gates: Gate[]; override: object | null } | null;
  reviewHistory: Array<{ action: string; override?: boolean; comments?: object[]; message?: string }>;
}
const task = async (n: number): Promise<TaskJson> => (await api("GET", `/tasks/${n}`)).json();
const create = async (title: string, description: string) => {
  const res = await api("POST", "/tasks", { title, description });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as TaskJson;
};
const run = async (n: number) => {
  const res = await api("POST", `/tasks/${n}/run`);
  expect(res.statusCode, res.body).toBe(202);
  return res.json().task as TaskJson;
};
const until = (n: number, ok: (t: TaskJson) => boolean, ms = 120_000) => eventually(() => task(n), ok, ms, 250);
const settled = (t: TaskJson) => t.status === "review" || t.agent.state === "error" || t.emptyDiff;
const writes = (path: string, content: string) => fakeScript({ write: { path, content } });

/** Runs a shell command in the project's workspace container, for its output. */
async function inWorkspace(cmd: string) {
  const [c] = await h.runtime.listContainers({ "devsanctum.project": projectId, "devsanctum.kind": "workspace" });
  const exec = await h.runtime.docker.getContainer(c?.id ?? "").exec({
    Cmd: ["sh", "-c", cmd],
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ Detach: false });
  const chunks: Buffer[] = [];
  stream.on("data", (d: Buffer) => chunks.push(d));
  await new Promise((resolve) => stream.on("end", resolve));
  const out = Buffer.concat(chunks);
  const parts: Buffer[] = [];
  for (let i = 0; i + 8 <= out.length; ) {
    const size = out.readUInt32BE(i + 4);
    parts.push(out.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(parts).toString("utf8");
}
const treeOf = (n: number) => `/app/.git/devsanctum/tasks/${n}`;
const mainHead = async () => (await inWorkspace("git -C /app rev-parse HEAD")).trim();
const gateContainers = (n: number) =>
  h.runtime.listContainers({
    "devsanctum.project": projectId,
    "devsanctum.kind": "qa-gate",
    "devsanctum.task": `${n}`,
  });
const viaEdge = (host: string, path: string, who: Who = owner) =>
  requestVia(edgePort, `${host}:${edgePort}`, path, { headers: who.headers });
async function baseUrl() {
  if (!h.app.server.listening) await h.app.listen({ host: "127.0.0.1", port: 0 });
  return `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const setupStarted = Date.now();
  database = await createTestDatabase();
  await templatesServiceFactory({
    templates: prismaTemplateStore(database.db),
    audit: prismaAuditLog(database.db),
  }).seedBuiltIns(fsBuiltInTemplates(TEMPLATES_DIR));
  const templateId = (await database.db.template.findFirstOrThrow({ where: { slug: "vite-react" } })).id;
  fake = await startFakeModel();
  h = await projectsHarness(database, {
    healthTimeoutMs: 60_000,
    attachContainers: [fake.name],
    agent: { tuning: { workerIntervalMs: 300 } },
    files: {},
    tasks: { tuning: { intervalMs: 300, flushMs: 300 } },
  });
  owner = await signedInUser(database.db);
  stranger = await signedInUser(database.db);
  const { access } = composeEdge({
    db: database.db,
    rootSecret: randomBytes(32),
    config: {
      appsDomain: "localhost",
      publicUrl: "http://localhost:1",
      proxyProvider: "builtin",
      edge: { host: "127.0.0.1", port: 0, httpsPort: 0 },
    },
    authenticator: authenticatorFactory({ apiTokens: prismaApiTokenStore(database.db) }),
    log: { warn: () => {} },
    opencodePasswords: { passwordFor: h.opencodePassword },
  });
  edge = await buildEdge({ access, logger: false, connector: h.connector });
  await edge.listen({ host: "127.0.0.1", port: 0 });
  edgePort = (edge.server.address() as AddressInfo).port;

  const settings = await h.app.inject({
    method: "PUT",
    url: "/api/v1/me/agent-settings",
    headers: owner.headers,
    payload: { provider: "openai-compatible", baseUrl: fake.baseUrl, model: "fake-model", apiKey: FAKE_KEY },
  });
  expect(settings.statusCode, settings.body).toBe(200);
  const res = await h.app.inject({
    method: "POST",
    url: "/api/v1/projects",
    headers: owner.headers,
    payload: { name: "Board", templateId },
  });
  projectId = res.json().project.id;
  slug = res.json().project.slug;
  const started = Date.now();
  await eventually(
    async () => (await h.app.inject({ url: `/api/v1/projects/${projectId}`, headers: owner.headers })).json(),
    (p) =>
      p.status === "failed" ||
      (p.status === "running" && p.services.every((s: { health: string }) => s.health === "healthy")),
    120_000,
    200,
  ).then((p) => expect(p.status).toBe("running"));
  figures.projectRunning = Date.now() - started;
  figures.setup = Date.now() - setupStarted;
}, 180_000);

afterAll(async () => {
  await edge?.close();
  const closing = Date.now();
  try {
    await h?.close();
    figures.close = Date.now() - closing;
    if (process.env.DEBUG_CLOSE) {
      console.log(
        h
          .logs()
          .split("\n")
          .filter((l) => l.includes("task"))
          .slice(-20)
          .join("\n"),
      );
    }
    console.log(`tasks figures (ms): ${JSON.stringify(figures)}`);
  } finally {
    await fake?.remove();
    await database?.drop();
  }
});

describe("QA gates per template, overridable per project", () => {
  it("shows the template's gates; a bad PUT is a 400 that changes nothing; a project's own gates and back", async () => {
    const got = (await api("GET", "/qa-gates")).json();
    expect(got.source).toBe("template");
    expect(got.gates.map((g: { name: string }) => g.name)).toEqual(["typecheck", "lint", "build"]);
    expect(got.gates[0]).toMatchObject({ command: "tsc --noEmit --pretty false", required: true, order: 0 });
    const gate = { name: "quick", command: "true", timeoutSeconds: 10, required: true, order: 0 };
    for (const bad of [
      {},
      { gates: [] },
      { gates: [{ ...gate, timeoutSeconds: 0 }] },
      { gates: [{ ...gate, command: "" }] },
      { gates: [{ ...gate, name: "" }] },
      { gates: [gate, { ...gate, order: 1 }] },
      { gates: [{ ...gate, extra: 1 }] },
      { gates: [{ ...gate, required: "yes" }] },
    ]) {
      const r = await api("PUT", "/qa-gates", bad);
      expect(r.statusCode, JSON.stringify(bad)).toBe(400);
    }
    expect((await api("GET", "/qa-gates")).json()).toEqual(got);
    const put = await api("PUT", "/qa-gates", { gates: [gate] });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual({ source: "project", gates: [gate] });
    expect((await api("GET", "/qa-gates")).json()).toEqual({ source: "project", gates: [gate] });
    expect((await api("PUT", "/qa-gates", { gates: null })).json()).toEqual(got);
  });
});

describe("tasks run by the agent, each in its own worktree and session", () => {
  it("runs two tasks at once: each worktree holds only its change, main none; both pass QA and reach review", async () => {
    const sse = await openSse(`${await baseUrl()}/api/v1/projects/${projectId}/events`, owner.headers);
    const headBefore = await mainHead();
    const a = await create("Add a", `Add module a.\n${writes("src/a.ts", "export const a: number = 1;\n")}`);
    const b = await create("Add b", `Add module b.\n${writes("src/b.ts", "export const b: string = 'b';\n")}`);
    const started = Date.now();
    const [ra, rb] = await Promise.all([run(a.n), run(b.n)]);
    expect(ra).toMatchObject({ status: "in_progress", agent: { state: "working" } });
    expect(ra.sessionId).toBeTruthy();
    expect(rb.sessionId).toBeTruthy();
    expect(ra.sessionId).not.toBe(rb.sessionId);
    const [ta, tb] = await Promise.all([until(a.n, settled), until(b.n, settled)]);
    figures.twoTasksToReview = Date.now() - started;
    for (const t of [ta, tb]) {
      expect(t.status, JSON.stringify(t)).toBe("review");
      expect(t.agent.state).toBe("done");
      expect(t.agent.lastActivityAt).not.toBeNull();
      expect(t.qaResults?.status).toBe("passed");
      expect(t.qaResults?.gates.map((g) => [g.name, g.status, g.exitCode])).toEqual([
        ["typecheck", "passed", 0],
        ["lint", "passed", 0],
        ["build", "passed", 0],
      ]);
    }
    expect(ta.qaResults?.gates[2]?.output).toContain("built in");
    // Each worktree holds its own change only; the main tree has neither, its HEAD unchanged.
    expect(await inWorkspace(`ls ${treeOf(a.n)}/src`)).toContain("a.ts");
    expect(await inWorkspace(`ls ${treeOf(a.n)}/src`)).not.toContain("b.ts");
    expect(await inWorkspace(`ls ${treeOf(b.n)}/src`)).not.toContain("a.ts");
    expect(await inWorkspace("ls /app/src")).not.toMatch(/\b[ab]\.ts/);
    expect(await mainHead()).toBe(headBefore);
    const diff = (await api("GET", `/tasks/${a.n}/diff`)).json();
    expect(diff.files.map((f: { path: string }) => f.path)).toEqual(["src/a.ts"]);
    // The agent's work is a commit on the task's branch, by the agent.
    const log = await inWorkspace(`git -C /app log -1 --format=%an%n%s task/${a.n}`);
    expect(log).toContain("DevSanctum agent");
    // The board hears every move on the project's events stream.
    const moves = sse.events
      .filter((e) => e.event === "task.changed")
      .map((e) => e.data as { n: number; status: string });
    for (const status of ["in_progress", "qa", "review"]) {
      expect(moves, status).toContainEqual({ n: a.n, status });
    }
    await sse.close();
    // The fake model was asked twice, once per task, each with its own worktree as directory.
    const asked = (await fake.requests()).filter((r) => r.turnStart && r.lastUser.startsWith("Task "));
    expect(asked.map((r) => r.lastUser.split("\n")[0]).sort()).toEqual([`Task ${a.n}: Add a`, `Task ${b.n}: Add b`]);
  }, 180_000);

  it("serves the task's branch on its own host while in review, owner only; main's preview does not have it", async () => {
    const t = await until(1, (x) => x.previewUrl !== null, 60_000);
    expect(t.previewUrl).toBe(`http://${slug}--t1.localhost:${new URL(t.previewUrl as string).port}`);
    const host = `${slug}--t1.localhost`;
    const page = await eventually(
      () => viaEdge(host, "/src/a.ts"),
      (r) => r.status === 200,
      30_000,
      200,
    );
    expect(page.body).toContain("export const a");
    const main = await viaEdge(`${slug}--preview.localhost`, "/src/a.ts");
    expect(main.body).not.toContain("export const a");
    const theirs = await viaEdge(host, "/src/a.ts", stranger);
    expect(theirs.body).not.toContain("export const a");
    expect(theirs.status).not.toBe(200);
    // Task 2's host serves task 2 only.
    const other = await eventually(
      () => viaEdge(`${slug}--t2.localhost`, "/src/b.ts"),
      (r) => r.status === 200,
      30_000,
      200,
    );
    expect(other.body).toContain("export const b");
    expect((await viaEdge(`${slug}--t2.localhost`, "/src/a.ts")).body).not.toContain("export const a");
    // Traefik's document (rendered from the route table) carries the task hosts too.
    const routes = await prismaRouteTable(database.db, { appsDomain: "localhost" }).listRoutes();
    const route = routes.find((r) => r.hostname === host);
    expect(route).toMatchObject({ kind: "preview", access: "owner", serviceState: "running" });
    expect(route?.target).toMatch(/^http:\/\/ds-.*-t1-preview-[0-9a-f]+:5173$/);
    const plain = await prismaRouteTable(database.db).listRoutes();
    expect(plain.some((r) => r.hostname === host)).toBe(false);
  }, 60_000);

  it("sends review comments to the same session: the model gets them, a second round runs and reaches review", async () => {
    const before = await task(1);
    const res = await api("POST", "/tasks/1/request-changes", {
      comments: [{ path: "src/a.ts", line: 1, body: "Please add a second module too" }],
      message: `Add a2.\n${writes("src/a2.ts", "export const a2: number = 2;\n")}`,
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().task).toMatchObject({ status: "in_progress", agent: { state: "working" }, previewUrl: null });
    const after = await until(1, settled);
    expect(after.status).toBe("review");
    expect(after.sessionId).toBe(before.sessionId);
    expect(after.reviewHistory.at(-1)).toMatchObject({
      action: "request_changes",
      comments: [{ path: "src/a.ts", line: 1, body: "Please add a second module too" }],
    });
    const asked = (await fake.requests()).find((r) => r.turnStart && r.lastUser.includes("src/a.ts:1:"));
    expect(asked?.lastUser).toContain("Please add a second module too");
    const diff = (await api("GET", "/tasks/1/diff")).json();
    expect(diff.files.map((f: { path: string }) => f.path).sort()).toEqual(["src/a.ts", "src/a2.ts"]);
    // Back in review, its preview comes back with the second round's work.
    await until(1, (x) => x.previewUrl !== null, 60_000);
    const page = await eventually(
      () => viaEdge(`${slug}--t1.localhost`, "/src/a2.ts"),
      (r) => r.status === 200,
      30_000,
      200,
    );
    expect(page.body).toContain("export const a2");
  }, 120_000);

  it("rejects: the main tree untouched, the task preview gone", async () => {
    const head = await mainHead();
    const res = await api("POST", "/tasks/2/reject", { reason: "Not needed" });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: "rejected", previewUrl: null });
    expect(await mainHead()).toBe(head);
    expect(await inWorkspace("ls /app/src")).not.toContain("b.ts");
    await eventually(
      () => viaEdge(`${slug}--t2.localhost`, "/src/b.ts"),
      (r) => !r.body.includes("export const b"),
      10_000,
      200,
    );
    await eventually(
      () =>
        h.runtime.listContainers({
          "devsanctum.project": projectId,
          "devsanctum.kind": "task-preview",
          "devsanctum.task": "2",
        }),
      (l) => l.length === 0,
      10_000,
    );
  });

  it("shows a task that breaks tsc with the failing gate and its output; approval needs the override, recorded", async () => {
    const c = await create(
      "Break types",
      fakeScript({
        write: { path: "src/bad.ts", content: 'export const n: number = "not a number";\n' },
        text: "Added src/bad.ts with a typed constant.",
      }),
    );
    await run(c.n);
    const t = await until(c.n, settled);
    expect(t.status).toBe("review");
    expect(t.agent.summary).toBe("Added src/bad.ts with a typed constant.");
    expect(t.qaResults?.status).toBe("failed");
    const [typecheck, lint, build] = t.qaResults?.gates ?? [];
    expect(typecheck).toMatchObject({ name: "typecheck", status: "failed", exitCode: 2 });
    expect(typecheck?.output).toContain("src/bad.ts");
    expect(typecheck?.output).toContain("TS2322");
    expect(lint?.status).toBe("skipped");
    expect(build?.status).toBe("skipped");
    const head = await mainHead();
    const refused = await api("POST", `/tasks/${c.n}/approve`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: "TASK_QA_FAILED", details: { gate: "typecheck" } });
    expect(await mainHead()).toBe(head);
    const ok = await api("POST", `/tasks/${c.n}/approve`, { override: true, reason: "Types fixed later" });
    expect(ok.statusCode, ok.body).toBe(200);
    const done = ok.json().task as TaskJson;
    expect(done.status).toBe("done");
    expect(done.reviewHistory.at(-1)).toMatchObject({ action: "approve", override: true });
    expect(done.qaResults?.override).toMatchObject({ by: owner.user.id, reason: "Types fixed later" });
    expect(await inWorkspace("cat /app/src/bad.ts")).toContain("not a number");
    // The main preview shows the merged change; the history has the merge commit.
    const merged = await eventually(
      () => viaEdge(`${slug}--preview.localhost`, "/src/bad.ts"),
      (r) => r.status === 200,
      20_000,
      200,
    );
    expect(merged.body).toContain("not a number");
    const history = (await api("GET", "/history")).json().commits as Array<{
      id: string;
      parents: string[];
      message: string;
    }>;
    expect(history[0]).toMatchObject({ id: ok.json().commit.id });
    // Made from the task's title and what the agent said it did.
    expect(history[0]?.message.trim()).toBe(`Task ${c.n}: Break types\n\nAdded src/bad.ts with a typed constant.`);
    expect(history[0]?.parents).toHaveLength(2);
  }, 120_000);

  it("cancels a task while its agent works: the turn is aborted, nothing is written", async () => {
    const marker = `Slow task ${randomBytes(3).toString("hex")}`;
    const s = await create(marker, fakeScript({ delayMs: 5000, write: { path: "src/slow.ts", content: "x\n" } }));
    await run(s.n);
    const asked = () =>
      fake.requests().then((list) => list.find((r) => r.turnStart && r.lastUser.startsWith(`Task ${s.n}: ${marker}`)));
    await eventually(asked, (r) => r !== undefined, 30_000, 100);
    const cancelled = await api("POST", `/tasks/${s.n}/cancel`);
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: "cancelled", agent: { state: "idle" } });
    await new Promise((r) => setTimeout(r, 6000));
    // The model's answer was never delivered (the request was closed by the abort), no file appeared.
    expect((await asked())?.answeredAt).toBeUndefined();
    expect(await inWorkspace(`test -e ${treeOf(s.n)} && echo there || echo gone`)).toContain("gone");
    expect(await inWorkspace(`git -C /app ls-tree -r --name-only task/${s.n}`)).not.toContain("slow.ts");
  }, 60_000);

  it("flags a task whose agent changed nothing and leaves it in in_progress", async () => {
    const e = await create("Look around", fakeScript({ bash: "ls" }));
    await run(e.n);
    const t = await until(e.n, settled);
    expect(t).toMatchObject({ status: "in_progress", emptyDiff: true, agent: { state: "done" }, qaResults: null });
  }, 60_000);

  it("re-runs the gates on request and cancels a task while its gate runs: the gate container goes", async () => {
    await api("PUT", "/qa-gates", {
      gates: [{ name: "slow", command: "echo started; sleep 60", timeoutSeconds: 120, required: true, order: 0 }],
    });
    try {
      const rerun = await api("POST", "/tasks/1/qa");
      expect(rerun.statusCode, rerun.body).toBe(202);
      expect(rerun.json().task).toMatchObject({ status: "qa", qaResults: { status: "running" } });
      const stream = await openSse(`${await baseUrl()}/api/v1/projects/${projectId}/tasks/1/qa/stream`, owner.headers);
      const seen = await stream.next(
        (e) => e.event === "qa" && ((e.data as TaskJson["qaResults"])?.gates[0]?.output.includes("started") ?? false),
        30_000,
      );
      expect((seen.data as TaskJson["qaResults"])?.gates[0]?.status).toBe("running");
      expect((await api("POST", "/tasks/1/qa")).json().error.code).toBe("TASK_QA_RUNNING");
      expect((await api("POST", "/tasks/1/approve", {})).json().error.code).toBe("TASK_QA_RUNNING");
      expect(await gateContainers(1)).toHaveLength(1);
      const cancelled = await api("POST", "/tasks/1/cancel");
      expect(cancelled.statusCode, cancelled.body).toBe(200);
      expect(cancelled.json()).toMatchObject({ status: "cancelled", qaResults: { status: "cancelled" } });
      expect(await gateContainers(1)).toHaveLength(0);
      await stream.next((e) => e.event === "end", 10_000);
      await stream.close();
    } finally {
      await api("PUT", "/qa-gates", { gates: null });
    }
  }, 90_000);

  it("answers another user 404 on every task route and changes nothing", async () => {
    const calls: [Method, string, object?][] = [
      ["GET", "/qa-gates"],
      ["PUT", "/qa-gates", { gates: null }],
      ["POST", "/tasks/3/run"],
      ["POST", "/tasks/1/qa"],
      ["GET", "/tasks/1/qa/stream"],
      ["POST", "/tasks/1/request-changes", { comments: [], message: "x" }],
      ["POST", "/tasks/1/approve", { override: true }],
      ["POST", "/tasks/1/cancel"],
    ];
    for (const [method, url, payload] of calls) {
      const res = await api(method, url, payload, stranger);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.code).toBe("PROJECT_NOT_FOUND");
    }
    expect((await task(1)).status).toBe("cancelled");
  });
});
