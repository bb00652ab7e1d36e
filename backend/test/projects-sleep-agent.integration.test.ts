// Issue #15: a project is never put to sleep while its agent works. The vite-react template's
// real OpenCode server, driven by the scripted fake model answering slowly (well past the idle
// timeout), keeps the project awake with nobody looking; once the turn is over it sleeps. The
// test reads the database only: an API call on the project would count as activity. Asleep, a
// read of its agent leaves it so; a prompt wakes it and runs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prismaAuditLog } from "../src/adapters/persistence/prisma-audit-log.js";
import { prismaTemplateStore } from "../src/adapters/persistence/prisma-template-store.js";
import { fsBuiltInTemplates } from "../src/adapters/templates/fs-built-in-templates.js";
import { templatesServiceFactory } from "../src/modules/templates/templates.service.js";
import { signedInUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { FAKE_KEY, type FakeModel, fakeScript, startFakeModel } from "./helpers/fake-model.js";
import { eventually, type ProjectsHarness, projectsHarness } from "./helpers/projects.js";
import { TEMPLATES_DIR } from "./helpers/template-service.js";

const TIMEOUT_S = 3;
const TURN_MS = 12_000;
let database: TestDatabase;
let h: ProjectsHarness;
let fake: FakeModel;

beforeAll(async () => {
  database = await createTestDatabase();
  await templatesServiceFactory({
    templates: prismaTemplateStore(database.db),
    audit: prismaAuditLog(database.db),
  }).seedBuiltIns(fsBuiltInTemplates(TEMPLATES_DIR));
  fake = await startFakeModel();
  h = await projectsHarness(database, {
    intervalMs: 300,
    healthTimeoutMs: 60_000,
    attachContainers: [fake.name],
    agent: { tuning: { workerIntervalMs: 300, resendAfterMs: 30_000 } },
    idle: { timeoutS: TIMEOUT_S, flushMs: 300 },
  });
}, 60_000);

afterAll(async () => {
  try {
    await h?.close();
  } finally {
    await fake?.remove();
    await database?.drop();
  }
});

describe("a busy agent keeps its project awake", () => {
  it("stays running through a turn four times longer than the timeout, sleeps, and a prompt wakes it", async () => {
    const owner = await signedInUser(database.db);
    const headers = { ...owner.headers, "content-type": "application/json" };
    const put = await h.app.inject({
      method: "PUT",
      url: "/api/v1/me/agent-settings",
      headers,
      payload: JSON.stringify({
        provider: "openai-compatible",
        baseUrl: fake.baseUrl,
        model: "fake",
        apiKey: FAKE_KEY,
      }),
    });
    expect(put.statusCode).toBe(200);
    const templateId = (await database.db.template.findFirstOrThrow({ where: { slug: "vite-react" } })).id;
    const prompt = `Slow bakery\n${fakeScript({ delayMs: TURN_MS, write: { path: "src/slow.txt", content: "slow\n" } })}`;
    const res = await h.app.inject({
      method: "POST",
      url: "/api/v1/projects",
      headers,
      payload: JSON.stringify({ name: "Busy Agent", templateId, prompt }),
    });
    expect(res.statusCode).toBe(202);
    const id = res.json().project.id as string;
    const row = () => database.db.project.findUniqueOrThrow({ where: { id }, include: { agent: true } });

    // The turn has begun: the fake model was asked and is taking its time.
    await eventually(
      () => fake.requests(),
      (r) => r.some((x) => x.turnStart && x.lastUser.startsWith("Slow bakery")),
      90_000,
    );
    const askedAt = Date.now();
    const seen = new Set<string>();
    while (Date.now() - askedAt < TURN_MS - 1500) {
      const p = await row();
      seen.add(p.status);
      expect(p.sleptAt).toBeNull();
      await new Promise((r) => setTimeout(r, 250));
    }
    expect([...seen]).toEqual(["running"]);
    expect((await row()).agent?.state).toBe("working");

    // Done, idle: it sleeps within its timeout and a re-scan or two.
    const asleep = await eventually(row, (p) => p.status === "sleeping", 30_000, 200);
    expect(asleep.agent?.state).not.toBe("working");
    expect(asleep.desiredState).toBe("running");
    const prompts = await database.db.agentPrompt.findMany({ where: { projectId: id } });
    expect(prompts.map((p) => p.status)).toEqual(["done"]);

    // Reading the agent of a sleeping project leaves it asleep, and says how to wake it.
    const read = await h.app.inject({ method: "GET", url: `/api/v1/projects/${id}/agent/sessions`, headers });
    expect(read.statusCode).toBe(409);
    expect(read.json().error).toMatchObject({ code: "AGENT_NOT_RUNNING", message: expect.stringMatching(/asleep/) });
    expect((await row()).sleptAt).not.toBeNull();

    // A prompt wakes it: held while the project starts, queued, and the agent runs it.
    const sessionId = prompts[0]?.sessionId ?? "";
    const woken = await h.app.inject({
      method: "POST",
      url: `/api/v1/projects/${id}/agent/sessions/${sessionId}/prompt`,
      headers,
      payload: JSON.stringify({
        text: `Wake up\n${fakeScript({ write: { path: "src/woken.txt", content: "up\n" } })}`,
      }),
    });
    expect(woken.statusCode).toBe(202);
    expect((await row()).sleptAt).toBeNull();
    await eventually(
      () => fake.requests(),
      (r) => r.some((x) => x.turnStart && x.lastUser.startsWith("Wake up")),
      60_000,
    );
    await eventually(
      () => database.db.agentPrompt.findMany({ where: { projectId: id }, orderBy: { createdAt: "asc" } }),
      (all) => all.map((p) => p.status).join() === "done,done",
      60_000,
    );
  }, 240_000);
});
