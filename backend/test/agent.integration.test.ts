// Issue #11 end to end on real parts: the vite-react template's OpenCode server in its container,
// driven by a scripted fake model in a container of its own on the project's network, through
// the control plane's agent API, with the preview read through the builtin edge. One project
// is shared by the tests of this file (they run in order); a second, agent-only project proves
// that one project's event stream never carries another's.
import { randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prismaApiTokenStore } from "../src/adapters/persistence/prisma-api-token-store.js";
import { prismaAuditLog } from "../src/adapters/persistence/prisma-audit-log.js";
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
let templateId: string;
let projectId: string;
let slug: string;
let sessionId: string;
const BAD_KEY = "sk-fake-wrong-key-9999";
const figures: Record<string, number> = {};

type Who = { headers: Record<string, string> };
const api = (who: Who, method: "GET" | "POST" | "PUT" | "DELETE", url: string, payload?: unknown) =>
  h.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { ...who.headers, ...(payload !== undefined ? { "content-type": "application/json" } : {}) },
    ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
  });
const project = async (id = projectId) => (await api(owner, "GET", `/projects/${id}`)).json();
const viaEdge = (path: string) =>
  requestVia(edgePort, `${slug}--preview.localhost:${edgePort}`, path, { headers: owner.headers });
const fakeSettings = (extra: object = {}) => ({
  provider: "openai-compatible",
  baseUrl: fake.baseUrl,
  model: "fake-model",
  apiKey: FAKE_KEY,
  ...extra,
});
type Msg = { id: string; role: string; parts: Array<{ type: string; tool?: string; status?: string; input?: object }> };
const messages = async (sid = sessionId): Promise<Msg[]> =>
  (await api(owner, "GET", `/projects/${projectId}/agent/sessions/${sid}/messages`)).json().messages;
const sessionIdle = (sid = sessionId) =>
  eventually(
    async () => (await api(owner, "GET", `/projects/${projectId}/agent/sessions`)).json().sessions,
    (list: Array<{ id: string; status: { type: string }; queue: unknown[] }>) =>
      list.some((s) => s.id === sid && s.status.type === "idle" && s.queue.length === 0),
    30_000,
    100,
  );
const opencodeContainer = async (id = projectId) =>
  (await database.db.serviceInstance.findFirstOrThrow({ where: { projectId: id, kind: "opencode" } })).containerId;

beforeAll(async () => {
  database = await createTestDatabase();
  await templatesServiceFactory({
    templates: prismaTemplateStore(database.db),
    audit: prismaAuditLog(database.db),
  }).seedBuiltIns(fsBuiltInTemplates(TEMPLATES_DIR));
  templateId = (await database.db.template.findFirstOrThrow({ where: { slug: "vite-react" } })).id;
  fake = await startFakeModel();
  h = await projectsHarness(database, {
    healthTimeoutMs: 60_000,
    attachContainers: [fake.name],
    agent: { tuning: { workerIntervalMs: 300, resendAfterMs: 8000 } },
    files: {},
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
}, 60_000);

afterAll(async () => {
  console.log(`agent figures (ms): ${JSON.stringify(figures)}`);
  await edge?.close();
  try {
    await h?.close();
  } finally {
    await fake?.remove();
    await database?.drop();
  }
});

describe("the agent: a prompt builds the site, the chat keeps working on it", () => {
  it("refuses bad settings with a clear 400 that changes nothing, and never returns the key", async () => {
    for (const bad of [
      { ...fakeSettings(), provider: "skynet" },
      { ...fakeSettings(), baseUrl: "ftp://models.example/v1" },
      { ...fakeSettings(), model: "  " },
      { provider: "openai-compatible", model: "m", apiKey: FAKE_KEY },
      { ...fakeSettings(), model: "fake\u0007model" },
      { ...fakeSettings(), apiKey: "sk with spaces" },
    ]) {
      const r = await api(owner, "PUT", "/me/agent-settings", bad);
      expect(r.statusCode, JSON.stringify(bad)).toBe(400);
      expect(r.json().error.code).toBe("VALIDATION_FAILED");
    }
    expect((await api(owner, "GET", "/me/agent-settings")).json()).toBeNull();
    expect(await database.db.agentSettings.count()).toBe(0);

    const put = await api(owner, "PUT", "/me/agent-settings", fakeSettings());
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ provider: "openai-compatible", apiKey: "set", apiKeyLast4: "1234" });
    expect(JSON.stringify((await api(owner, "GET", "/me/agent-settings")).json())).not.toContain(FAKE_KEY);
    const row = await database.db.agentSettings.findFirstOrThrow();
    expect(row.apiKeySealed).not.toContain(FAKE_KEY);
    expect(row.apiKeySealed).toMatch(/^v1\./);
  });

  it("builds the site from the creation prompt: containers → agent working → ready, the prompt sent once", async () => {
    const created = Date.now();
    const res = await api(owner, "POST", "/projects", { name: "Bakery", templateId, prompt: "A bakery site" });
    expect(res.statusCode).toBe(202);
    projectId = res.json().project.id;
    slug = res.json().project.slug;
    expect(res.json().project.setup).toEqual({ phase: "containers", message: null });
    const phases = new Set<string>();
    const done = await eventually(
      async () => {
        const p = await project();
        phases.add(p.setup.phase);
        if (p.status === "running") figures.createToRunning ??= Date.now() - created;
        if (p.setup.phase === "agent_working") figures.createToAgentWorking ??= Date.now() - created;
        return p;
      },
      (p) => p.setup.phase === "ready" || p.setup.phase === "agent_failed" || p.status === "failed",
      90_000,
      25,
    );
    figures.createToReady = Date.now() - created;
    const asked = (await fake.requests()).filter((r) => r.lastUser === "A bakery site");
    figures.createToFirstModelCall = (asked[0]?.at ?? created) - created;
    figures.createToToolCall = (asked.find((r) => r.answer === "tool:write")?.answeredAt ?? created) - created;
    expect(done.setup).toEqual({ phase: "ready", message: null });
    expect([...phases]).toEqual(["containers", "agent_working", "ready"]);
    // Only the OpenCode container holds the key; the preview never sees it.
    const docker = h.runtime.docker;
    const envOf = async (kind: string) => {
      const id = (await database.db.serviceInstance.findFirstOrThrow({ where: { projectId, kind: kind as never } }))
        .containerId as string;
      return (await docker.getContainer(id).inspect()).Config.Env.join("\n");
    };
    expect(await envOf("opencode")).toContain(FAKE_KEY);
    expect(await envOf("preview")).not.toContain(FAKE_KEY);
    const page = await viaEdge("/src/App.tsx");
    expect(page.body).toContain("A bakery site");
    const turns = (await fake.requests()).filter((r) => r.turnStart && r.lastUser === "A bakery site");
    expect(turns).toHaveLength(1);
    expect(turns[0]?.keyLast4).toBe("1234");
    // The turn's changes are a commit of their own, by the agent, naming the session and prompt.
    const sessionId = (await project()).agent.sessionId as string;
    const commits = await eventually(
      async () => (await api(owner, "GET", `/projects/${projectId}/history`)).json().commits,
      (list: Array<{ message: string }>) => list.some((c) => c.message.startsWith("Agent:")),
      20_000,
    );
    const agentCommit = commits.find((c: { message: string }) => c.message.startsWith("Agent:")) as {
      message: string;
      files: Array<{ path: string }>;
    };
    expect(agentCommit.message).toContain("A bakery site");
    expect(agentCommit.message).toContain(`Session: ${sessionId}`);
    expect(agentCommit.files).toContainEqual(expect.objectContaining({ path: "src/App.tsx" }));
  }, 90_000);

  it("shows the session with its tool call in messages and on the events stream", async () => {
    const list = (await api(owner, "GET", `/projects/${projectId}/agent/sessions`)).json().sessions;
    expect(list).toHaveLength(1);
    sessionId = list[0].id;
    expect((await project()).agent).toMatchObject({ configured: true, state: "idle", sessionId });
    const msgs = await messages();
    expect(msgs.map((m) => m.role)).toEqual(["user", "assistant", "assistant"]);
    const tool = msgs.flatMap((m) => m.parts).find((p) => p.type === "tool");
    expect(tool).toMatchObject({ tool: "write", status: "completed", input: { filePath: "/app/src/App.tsx" } });
    expect(msgs.flatMap((m) => m.parts).some((p) => p.type === "files")).toBe(true);

    const stream = await openSse(`${await baseUrl()}/api/v1/projects/${projectId}/agent/events`, owner.headers);
    try {
      await stream.next((e) => e.event === "ready");
      const heading = `Fresh heading ${randomUUID().slice(0, 6)}`;
      const sent = await api(owner, "POST", `/projects/${projectId}/agent/sessions/${sessionId}/prompt`, {
        text: heading,
      });
      expect(sent.statusCode).toBe(202);
      const call = await stream.next(
        (e) =>
          e.event === "part.updated" && (e.data as { part: { tool?: string; status?: string } }).part.tool === "write",
      );
      expect(call.id).toMatch(/^[a-z0-9]+\.\d+$/);
      await stream.next((e) => e.event === "file.edited");
      await stream.next(
        (e) => e.event === "session.status" && (e.data as { status: { type: string } }).status.type === "idle",
      );
      // The change is in the preview, read through the edge.
      const toolCall = (await fake.requests())
        .filter((r) => r.lastUser === heading && r.answer === "tool:write")
        .at(-1);
      for (;;) {
        if ((await viaEdge("/src/App.tsx")).body.includes(heading)) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      figures.lastToolCallToPreview = Date.now() - (toolCall?.answeredAt ?? Date.now());
      // Resuming with Last-Event-ID replays exactly what came after it.
      const resumed = await openSse(`${await baseUrl()}/api/v1/projects/${projectId}/agent/events`, {
        ...owner.headers,
        "last-event-id": call.id as string,
      });
      const replayed = await resumed.next((e) => e.event === "ready");
      const before = resumed.events.slice(0, resumed.events.indexOf(replayed));
      expect(before[0]?.event).not.toBe("resync");
      expect(before.some((e) => e.id === call.id)).toBe(false);
      expect(before.some((e) => e.event === "file.edited")).toBe(true);
      await resumed.close();
      const stale = await openSse(`${await baseUrl()}/api/v1/projects/${projectId}/agent/events`, {
        ...owner.headers,
        "last-event-id": "zzz.1",
      });
      expect((await stale.next(() => true)).event).toBe("resync");
      await stale.close();
    } finally {
      await stream.close();
    }
    await sessionIdle();
  }, 60_000);

  it("queues a prompt sent while the session is busy, shows the queue, then runs it", async () => {
    const slow = await api(owner, "POST", `/projects/${projectId}/agent/sessions/${sessionId}/prompt`, {
      text: `Slow one\n${fakeScript({ delayMs: 3000, write: { path: "src/slow.txt", content: "slow\n" } })}`,
    });
    expect(slow.statusCode).toBe(202);
    await eventually(
      () => fake.requests(),
      (r) => r.some((x) => x.turnStart && x.lastUser.startsWith("Slow one")),
    );
    const second = await api(owner, "POST", `/projects/${projectId}/agent/sessions/${sessionId}/prompt`, {
      text: `Queued one\n${fakeScript({ write: { path: "src/queued.txt", content: "queued\n" } })}`,
    });
    expect(second.statusCode).toBe(202);
    expect(second.json()).toMatchObject({ status: "queued" });
    const list = (await api(owner, "GET", `/projects/${projectId}/agent/sessions`)).json().sessions;
    const s = list.find((x: { id: string }) => x.id === sessionId);
    expect(s.status.type).toBe("busy");
    expect(s.queue.map((q: { text: string; status: string }) => [q.text.split("\n")[0], q.status])).toEqual([
      ["Slow one", "sent"],
      ["Queued one", "queued"],
    ]);
    await sessionIdle();
    const reqs = await fake.requests();
    const slowAnswered = reqs.find((r) => r.lastUser.startsWith("Slow one") && r.turnStart)?.answeredAt ?? 0;
    const queuedAsked = reqs.find((r) => r.lastUser.startsWith("Queued one") && r.turnStart)?.at ?? 0;
    expect(queuedAsked).toBeGreaterThan(slowAnswered);
    const prompts = await database.db.agentPrompt.findMany({ where: { projectId }, orderBy: { createdAt: "asc" } });
    expect(prompts.slice(-2).map((p) => p.status)).toEqual(["done", "done"]);
  }, 60_000);

  it("aborts a slow run", async () => {
    await api(owner, "POST", `/projects/${projectId}/agent/sessions/${sessionId}/prompt`, {
      text: `Never finishes\n${fakeScript({ delayMs: 120_000 })}`,
    });
    await eventually(
      () => fake.requests(),
      (r) => r.some((x) => x.turnStart && x.lastUser.startsWith("Never finishes")),
    );
    expect((await project()).agent.state).toBe("working");
    const started = Date.now();
    const abort = await api(owner, "POST", `/projects/${projectId}/agent/sessions/${sessionId}/abort`);
    expect(abort.statusCode).toBe(204);
    await sessionIdle();
    expect(Date.now() - started).toBeLessThan(10_000);
    const last = (await messages()).at(-1);
    expect(last?.role).toBe("assistant");
    const p = await database.db.agentPrompt.findFirstOrThrow({ where: { text: { startsWith: "Never finishes" } } });
    expect(p.status).toBe("failed");
  }, 60_000);

  it("reverts the agent's file changes from a message on", async () => {
    const before = (await viaEdge("/src/App.tsx")).body;
    const text = `Temporary heading\n${fakeScript({
      write: { path: "src/App.tsx", content: "export function App() {\n  return <h1>Temporary</h1>;\n}\n" },
    })}`;
    await api(owner, "POST", `/projects/${projectId}/agent/sessions/${sessionId}/prompt`, { text });
    await eventually(
      () => viaEdge("/src/App.tsx"),
      (r) => r.body.includes("Temporary"),
    );
    await sessionIdle();
    const user = (await messages()).filter((m) => m.role === "user").at(-1) as Msg;
    const bad = await api(owner, "POST", `/projects/${projectId}/agent/sessions/${sessionId}/revert`, {
      messageId: "msg_doesnotexist",
    });
    expect(bad.statusCode).toBe(404);
    const res = await api(owner, "POST", `/projects/${projectId}/agent/sessions/${sessionId}/revert`, {
      messageId: user.id,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ revertedFrom: user.id });
    const after = await eventually(
      () => viaEdge("/src/App.tsx"),
      (r) => !r.body.includes("Temporary"),
    );
    const source = (body: string) => body.replace(/\?t=\d+/g, ""); // Vite's cache-busting stamp
    expect(source(after.body)).toBe(source(before));
  }, 60_000);

  it("lists a permission request the agent raises and answers it through the API", async () => {
    await api(owner, "POST", `/projects/${projectId}/agent/sessions/${sessionId}/prompt`, {
      text: `Read outside\n${fakeScript({ read: "/etc/hostname" })}`,
    });
    const asked = await eventually(
      async (): Promise<Array<{ id: string }>> =>
        (await api(owner, "GET", `/projects/${projectId}/agent/permissions`)).json().permissions,
      (list) => list.length === 1,
    );
    expect(asked[0]).toMatchObject({ sessionId, permission: "external_directory", patterns: ["/etc/*"] });
    await eventually(
      () => project(),
      (p) => p.agent.state === "waiting_permission",
    );
    const unknown = await api(owner, "POST", `/projects/${projectId}/agent/permissions/per_unknown123`, {
      reply: "once",
    });
    expect(unknown.statusCode).toBe(404);
    const badReply = await api(owner, "POST", `/projects/${projectId}/agent/permissions/${asked[0]?.id}`, {
      reply: "sure",
    });
    expect(badReply.statusCode).toBe(400);
    const ok = await api(owner, "POST", `/projects/${projectId}/agent/permissions/${asked[0]?.id}`, { reply: "once" });
    expect(ok.statusCode).toBe(204);
    await sessionIdle();
    const tool = (await messages())
      .flatMap((m) => m.parts)
      .filter((p) => p.tool === "read")
      .at(-1);
    expect(tool?.status).toBe("completed");
    expect((await api(owner, "GET", `/projects/${projectId}/agent/permissions`)).json().permissions).toEqual([]);
  }, 60_000);

  it("another user can neither see nor drive the agent (404), and the events of one project stay in it", async () => {
    const base = `/projects/${projectId}`;
    const routes: Array<["GET" | "POST" | "PUT" | "DELETE", string, unknown?]> = [
      ["GET", `${base}/agent/sessions`],
      ["POST", `${base}/agent/sessions`],
      ["GET", `${base}/agent/sessions/${sessionId}/messages`],
      ["POST", `${base}/agent/sessions/${sessionId}/prompt`, { text: "hi" }],
      ["POST", `${base}/agent/sessions/${sessionId}/abort`],
      ["POST", `${base}/agent/rotate-password`],
      ["POST", `${base}/agent/sessions/${sessionId}/revert`, { messageId: "msg_x1" }],
      ["GET", `${base}/agent/permissions`],
      ["POST", `${base}/agent/permissions/per_x1`, { reply: "once" }],
      ["GET", `${base}/agent/prompts`],
      ["DELETE", `${base}/agent/prompts/${randomUUID()}`],
      ["GET", `${base}/agent/events`],
      ["GET", `${base}/agent-settings`],
      ["PUT", `${base}/agent-settings`, null],
    ];
    for (const [method, url, body] of routes) {
      const r = await api(stranger, method, url, body);
      expect(r.statusCode, `${method} ${url}`).toBe(404);
      expect(r.json().error.code).toBe("PROJECT_NOT_FOUND");
    }

    // A second project, agent only, of the stranger: its events never reach this project's stream.
    const vite = (await database.db.template.findFirstOrThrow({ where: { id: templateId } })).services as {
      opencode: object;
    };
    const agentOnly = await database.db.template.create({
      data: {
        slug: `agent-only-${randomUUID().slice(0, 6)}`,
        name: "Agent only",
        services: { opencode: vite.opencode },
      },
    });
    const other = (await api(stranger, "POST", "/projects", { name: "Other", templateId: agentOnly.id })).json()
      .project;
    const waiting = await eventually(
      async () => (await api(stranger, "GET", `/projects/${other.id}`)).json(),
      (p) => p.status === "running" || p.status === "failed",
      60_000,
      200,
    );
    // No settings yet: the agent API says where to set them, and so does the project.
    expect(waiting.agent).toMatchObject({ configured: false });
    expect(waiting.agent.message).toMatch(/agent-settings/);
    const refused = await api(stranger, "GET", `/projects/${other.id}/agent/sessions`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: "AGENT_NOT_CONFIGURED" });
    expect(refused.json().error.message).toMatch(/PUT \/api\/v1\/me\/agent-settings/);
    // Settings afterwards: its OpenCode container is replaced with them.
    const first = await opencodeContainer(other.id);
    await api(stranger, "PUT", "/me/agent-settings", fakeSettings());
    await eventually(
      async () => ({
        container: await opencodeContainer(other.id),
        sessions: (await api(stranger, "GET", `/projects/${other.id}/agent/sessions`)).statusCode,
      }),
      (s) => s.container !== first && s.sessions === 200,
      60_000,
      200,
    );
    const mine = await openSse(`${await baseUrl()}/api/v1/projects/${projectId}/agent/events`, owner.headers);
    const theirs = await openSse(`${await baseUrl()}/api/v1/projects/${other.id}/agent/events`, stranger.headers);
    try {
      const s = (await api(stranger, "POST", `/projects/${other.id}/agent/sessions`)).json();
      await api(stranger, "POST", `/projects/${other.id}/agent/sessions/${s.id}/prompt`, { text: "Elsewhere" });
      await theirs.next(
        (e) => e.event === "session.status" && (e.data as { status: { type: string } }).status.type === "idle",
        30_000,
      );
      expect(JSON.stringify(mine.events)).not.toContain(s.id);
      expect(JSON.stringify(theirs.events)).not.toContain(sessionId);
    } finally {
      await mine.close();
      await theirs.close();
    }
  }, 120_000);

  it("shows a model that refuses the key as agent state error with the provider's answer", async () => {
    const before = await opencodeContainer();
    const put = await api(owner, "PUT", `/projects/${projectId}/agent-settings`, fakeSettings({ apiKey: BAD_KEY }));
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ source: "project", override: { apiKeyLast4: "9999" } });
    // The OpenCode container is replaced with the new settings; the preview keeps running.
    await eventually(
      async () => ({
        container: await opencodeContainer(),
        sessions: (await api(owner, "GET", `/projects/${projectId}/agent/sessions`)).statusCode,
      }),
      (s) => s.container !== before && s.sessions === 200,
      60_000,
      200,
    );
    // The sessions survived the new container (its data directory is on its own volume).
    const sessions = (await api(owner, "GET", `/projects/${projectId}/agent/sessions`)).json().sessions;
    expect(sessions.map((s: { id: string }) => s.id)).toContain(sessionId);
    await api(owner, "POST", `/projects/${projectId}/agent/sessions/${sessionId}/prompt`, { text: "With a bad key" });
    const p = await eventually(
      () => project(),
      (p) => p.agent.state === "error",
      30_000,
      200,
    );
    expect(p.agent.message).toMatch(/401: Incorrect API key provided/);
    const cleared = await api(owner, "PUT", `/projects/${projectId}/agent-settings`, null);
    expect(cleared.json()).toMatchObject({ override: null, source: "user" });
  }, 90_000);

  // Regression: "the OpenCode password never rotates" (issue #10): it was derived from the root
  // secret and the project id, the same for the project's life.
  it("rotates the OpenCode password: random, stored sealed, the old one refused once the container is replaced", async () => {
    const before = await opencodeContainer();
    const old = await h.opencodePassword(projectId);
    const row = await database.db.projectSecret.findUniqueOrThrow({
      where: { projectId_name: { projectId, name: "opencode-password" } },
    });
    expect(row.sealed.startsWith("v1.")).toBe(true);
    expect(row.sealed).not.toContain(old);

    const res = await api(owner, "POST", `/projects/${projectId}/agent/rotate-password`);
    expect(res.statusCode).toBe(202);
    expect(JSON.stringify(res.json())).not.toContain(await h.opencodePassword(projectId));
    const now = await h.opencodePassword(projectId);
    expect(now).not.toBe(old);
    await eventually(
      async () => ({
        container: await opencodeContainer(),
        sessions: (await api(owner, "GET", `/projects/${projectId}/agent/sessions`)).statusCode,
      }),
      (s) => s.container !== before && s.sessions === 200,
      60_000,
      200,
    );
    const svc = await database.db.serviceInstance.findFirstOrThrow({ where: { projectId, kind: "opencode" } });
    const basic = (pw: string) => ({ authorization: `Basic ${Buffer.from(`opencode:${pw}`).toString("base64")}` });
    expect((await h.serviceFetch(svc.endpoint, "/session", { headers: basic(old) })).status).toBe(401);
    expect((await h.serviceFetch(svc.endpoint, "/session", { headers: basic(now) })).status).toBe(200);
    // The sessions survived the new container, and the edge sends the new password.
    const sessions = (await api(owner, "GET", `/projects/${projectId}/agent/sessions`)).json().sessions;
    expect(sessions.map((s: { id: string }) => s.id)).toContain(sessionId);
    expect(h.logs()).not.toContain(now);
    expect(h.logs()).not.toContain(old);
  }, 90_000);

  it("never writes a model key to the logs", () => {
    const logs = h.logs();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(FAKE_KEY);
    expect(logs).not.toContain(BAD_KEY);
  });
});

async function baseUrl() {
  if (!h.app.server.listening) await h.app.listen({ host: "127.0.0.1", port: 0 });
  return `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
}
