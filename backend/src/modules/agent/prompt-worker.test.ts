// The prompt worker's promises, each on a typed fake OpenCode server: a prompt is sent exactly
// once across a crash at any point of the send, a busy session queues, a model that cannot be
// reached or a prompt that never ran ends as a failure with a reason, never as "working" forever.
import { describe, expect, it } from "vitest";
import { fakeAgentServer, memoryWorkStore, runningProject } from "../../../test/helpers/agent-fakes.js";
import type { ModelSettings } from "../../ports/agent.port.js";
import type { ProjectLocks, ProjectRecord } from "../../ports/projects.port.js";
import { NOT_CONFIGURED } from "../../shared/agent-summary.js";
import { promptWorker, type TurnFinished } from "./prompt-worker.js";

const SETTINGS: ModelSettings = { provider: "openai", baseUrl: null, model: "m", apiKey: "k" };
const locks: ProjectLocks = { tryRun: async (_id, fn) => ({ ran: true, value: await fn() }), close: async () => {} };
const quiet = { info() {}, warn() {}, error() {} };

function setup(project: ProjectRecord, opts: { settings?: ModelSettings | null; now?: () => number } = {}) {
  const work = memoryWorkStore();
  const oc = fakeAgentServer();
  const turns: TurnFinished[] = [];
  const worker = promptWorker({
    work,
    projects: { get: async (id) => (id === project.id ? project : null) },
    settings: { effective: async () => (opts.settings === undefined ? SETTINGS : opts.settings) },
    agents: oc.connector,
    locks,
    log: quiet,
    changed: () => {},
    onTurnFinished: (t) => void turns.push(t),
    resendAfterMs: 1000,
    ...(opts.now ? { now: opts.now } : {}),
  });
  // Level-triggered: what one pass sends, the next (an event, the scan) sees finished.
  const pass = async () => {
    for (let i = 0; i < 2; i++) {
      worker.wake(project.id);
      await worker.idle();
    }
  };
  return { work, oc, turns, worker, pass };
}

describe("prompt worker", () => {
  it("sends the creation prompt once, in a session it makes once, and reports the finished turn", async () => {
    const project = runningProject({ prompt: "Build a bakery site" });
    const { work, oc, turns, pass } = setup(project);
    await pass();
    await pass();
    expect(oc.sessions).toHaveLength(1);
    expect(oc.prompts.map((p) => p.text)).toEqual(["Build a bakery site"]);
    expect(work.prompts[0]).toMatchObject({ status: "done", sessionId: oc.sessions[0]?.id });
    expect(work.states.get(project.id)).toMatchObject({ setup: "ready", state: "idle" });
    expect(turns).toEqual([expect.objectContaining({ status: "done", text: "Build a bakery site", error: null })]);
  });

  it("finds the session made before a crash instead of making a second one", async () => {
    const project = runningProject({ prompt: "Hello" });
    const { work, oc, pass } = setup(project);
    await work.enqueueInitial(project.id, "Hello", project.ownerId as string);
    const prompt = work.prompts[0];
    // The previous process created the session (keyed by the prompt id), then died.
    await oc.server.createSession({ key: prompt?.id as string });
    await pass();
    expect(oc.sessions).toHaveLength(1);
    expect(oc.prompts).toHaveLength(1);
  });

  it("does not send again a prompt left `sending` by a crash when OpenCode has its message", async () => {
    const project = runningProject();
    const { work, oc, pass } = setup(project);
    const s = await oc.server.createSession({});
    const p = await work.enqueue({ projectId: project.id, sessionId: s.id, text: "once", userId: null });
    // Killed right after the request went out: the row says sending, OpenCode got it.
    await work.update(p.id, { status: "sending", messageId: "msg_crash1", attempts: 1 }, ["queued"]);
    await oc.server.prompt(s.id, { messageId: "msg_crash1", text: "once" });
    await pass();
    expect(oc.prompts).toHaveLength(1);
    expect(work.prompts[0]?.status).toBe("done");
  });

  it("sends again, with the same message id, a prompt left `sending` that never reached OpenCode", async () => {
    const project = runningProject();
    const { work, oc, pass } = setup(project);
    const s = await oc.server.createSession({});
    const p = await work.enqueue({ projectId: project.id, sessionId: s.id, text: "lost", userId: null });
    await work.update(p.id, { status: "sending", messageId: "msg_crash2", attempts: 1 }, ["queued"]);
    await pass();
    expect(oc.prompts).toEqual([{ sessionId: s.id, messageId: "msg_crash2", text: "lost" }]);
  });

  it("queues a prompt for a busy session and sends it when the session is idle", async () => {
    const project = runningProject();
    const { work, oc, pass } = setup(project);
    const s = await oc.server.createSession({});
    oc.onPrompt((sid) => {
      oc.statuses[sid] = { type: "busy" };
    });
    await work.enqueue({ projectId: project.id, sessionId: s.id, text: "first", userId: null });
    await work.enqueue({ projectId: project.id, sessionId: s.id, text: "second", userId: null });
    await pass();
    await pass();
    expect(oc.prompts.map((p) => p.text)).toEqual(["first"]);
    expect(work.prompts.map((p) => p.status)).toEqual(["sent", "queued"]);
    expect(work.states.get(project.id)?.state).toBe("working");
    // The first turn ends.
    delete oc.statuses[s.id];
    oc.answer(s.id, oc.prompts[0]?.messageId as string);
    await pass();
    expect(oc.prompts.map((p) => p.text)).toEqual(["first", "second"]);
    expect(work.prompts.map((p) => p.status)).toEqual(["done", "sent"]);
  });

  it("aborts a turn whose model cannot be reached and shows why, instead of working forever", async () => {
    const project = runningProject({ prompt: "Hi" });
    const { work, oc, pass } = setup(project);
    oc.onPrompt((sid) => {
      oc.statuses[sid] = { type: "retry", attempt: 1, message: "Cannot connect to API", next: 0 };
    });
    await pass();
    expect(work.states.get(project.id)).toMatchObject({ state: "error" });
    expect(work.states.get(project.id)?.message).toMatch(/Cannot connect to API.*attempt 1, retrying/);
    const sid = oc.sessions[0]?.id as string;
    oc.statuses[sid] = { type: "retry", attempt: 3, message: "Cannot connect to API", next: 0 };
    await pass();
    expect(oc.aborted).toEqual([sid]);
    expect(work.prompts[0]).toMatchObject({
      status: "failed",
      error: "The model endpoint did not answer: Cannot connect to API",
    });
    expect(work.states.get(project.id)).toMatchObject({ state: "error", setup: "agent_failed" });
  });

  it("records the provider's refusal as the turn's error", async () => {
    const project = runningProject({ prompt: "Hi" });
    const { work, oc, turns, pass } = setup(project);
    oc.onPrompt((sid, mid) => oc.answer(sid, mid, "401: Incorrect API key provided"));
    await pass();
    expect(work.states.get(project.id)).toMatchObject({
      state: "error",
      message: "401: Incorrect API key provided",
      setup: "agent_failed",
      setupMessage: "401: Incorrect API key provided",
    });
    expect(turns[0]).toMatchObject({ status: "failed", error: "401: Incorrect API key provided" });
  });

  it("sends a prompt that was accepted but never ran once more, then gives up with a reason", async () => {
    let clock = 1_000_000;
    const project = runningProject();
    const { work, oc, pass } = setup(project, { now: () => clock });
    const s = await oc.server.createSession({});
    oc.onPrompt(() => {}); // 204, and nothing happens (a known 1.x fault)
    await work.enqueue({ projectId: project.id, sessionId: s.id, text: "ghost", userId: null });
    await pass();
    await pass();
    expect(oc.prompts).toHaveLength(1); // not yet: it may still start
    clock += 2000;
    await pass();
    expect(oc.prompts.map((p) => p.messageId)).toEqual(["msg_0001", "msg_0001"]);
    clock += 2000;
    await pass();
    expect(work.prompts[0]).toMatchObject({
      status: "failed",
      error: "The agent accepted the prompt but did not run it",
    });
  });

  it("sends nothing without model settings and says where to set them", async () => {
    const project = runningProject({ prompt: "Hi" });
    const { work, oc, pass } = setup(project, { settings: null });
    await pass();
    expect(oc.prompts).toEqual([]);
    expect(work.prompts[0]?.status).toBe("queued");
    expect(work.states.get(project.id)?.message).toBe(NOT_CONFIGURED);
  });

  it("waits while the project's agent is not running", async () => {
    const project = runningProject({ prompt: "Hi", status: "starting" });
    const { oc, work, pass } = setup(project);
    await pass();
    expect(oc.prompts).toEqual([]);
    expect(work.prompts[0]?.status).toBe("queued");
  });
});
