// The events hub on a scripted server whose stream we control: replay by Last-Event-ID within
// the buffer, `resync` beyond it, and the watchdog for OpenCode's known fault — a stream that
// goes silent without closing — after which the sessions' status is read and published again.
import { describe, expect, it } from "vitest";
import { fakeAgentServer } from "../../../test/helpers/agent-fakes.js";
import type { AgentServerEvent } from "../../ports/agent.port.js";
import { agentEventsHub, type RelayedEvent } from "./agent-events.js";

/** A stream the test feeds; `stall()` stops it without closing, as OpenCode's sometimes does. */
function controlledStream() {
  let wake: (() => void) | null = null;
  let connections = 0;
  let stalled = false;
  const pending: AgentServerEvent[] = [];
  return {
    get connections() {
      return connections;
    },
    stall() {
      stalled = true;
    },
    emit(e: AgentServerEvent) {
      if (stalled) return; // lost with the stalled connection
      pending.push(e);
      wake?.();
    },
    async *events(signal: AbortSignal): AsyncIterable<AgentServerEvent> {
      connections++;
      stalled = false;
      yield { type: "alive" };
      while (!signal.aborted) {
        const next = stalled ? undefined : pending.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          signal.addEventListener("abort", () => resolve(), { once: true });
        });
        wake = null;
      }
    },
  };
}

const status = (sessionId: string, type: "busy" | "idle"): AgentServerEvent => ({
  type: "session.status",
  sessionId,
  status: { type },
});

const until = async (ok: () => boolean, ms = 3000) => {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error("condition not met");
    await new Promise((r) => setTimeout(r, 10));
  }
};

function setup(opts: { bufferSize?: number; watchdogMs?: number } = {}) {
  const oc = fakeAgentServer();
  const stream = controlledStream();
  oc.server.events = (signal) => stream.events(signal);
  const reconnects: string[] = [];
  const hub = agentEventsHub({
    resolve: async () => oc.server,
    onReconnect: (id) => reconnects.push(id),
    log: { info() {}, warn() {} },
    bufferSize: opts.bufferSize ?? 100,
    watchdogMs: opts.watchdogMs ?? 60_000,
    retryMs: 10,
    lingerMs: 10,
  });
  return { oc, stream, hub, reconnects };
}

describe("agent events hub", () => {
  it("gives events increasing ids and replays exactly what came after Last-Event-ID", async () => {
    const { stream, hub } = setup();
    const live: RelayedEvent[] = [];
    const stop = hub.subscribe("p1", undefined, (e) => live.push(e));
    expect(await hub.connected("p1")).toBe(true);
    for (const t of ["busy", "idle", "busy"] as const) stream.emit(status("ses_1", t));
    await until(() => live.length === 3);
    const seqs = live.map((e) => Number(e.id.split(".")[1]));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const replayed: RelayedEvent[] = [];
    const stop2 = hub.subscribe("p1", live[0]?.id, (e) => replayed.push(e));
    expect(replayed.map((e) => e.id)).toEqual(live.slice(1).map((e) => e.id));
    stop();
    stop2();
    await hub.close();
  });

  it("tells a browser whose Last-Event-ID is no longer buffered (or from before a restart) to resync", async () => {
    const { stream, hub } = setup({ bufferSize: 2 });
    const live: RelayedEvent[] = [];
    const stop = hub.subscribe("p1", undefined, (e) => live.push(e));
    await hub.connected("p1");
    for (let i = 0; i < 5; i++) stream.emit(status("ses_1", i % 2 ? "idle" : "busy"));
    await until(() => live.length === 5);
    for (const id of [live[0]?.id, "oldepoch.3", "garbage"]) {
      const got: RelayedEvent[] = [];
      hub.subscribe("p1", id, (e) => got.push(e))();
      expect(got.map((e) => e.type)).toEqual(["resync"]);
    }
    stop();
    await hub.close();
  });

  it("keeps one project's events to that project", async () => {
    const { stream, hub } = setup();
    const a: RelayedEvent[] = [];
    const b: RelayedEvent[] = [];
    const stopA = hub.subscribe("a", undefined, (e) => a.push(e));
    hub.publish("b", "agent.state", { state: "working" });
    const stopB = hub.subscribe("b", undefined, (e) => b.push(e));
    await hub.connected("a");
    hub.publish("a", "agent.state", { state: "idle" });
    await until(() => a.length >= 1);
    expect(a.map((e) => e.data)).toEqual([{ state: "idle" }]);
    expect(b).toEqual([]);
    stream.emit(status("ses_x", "busy"));
    stopA();
    stopB();
    await hub.close();
  });

  it("reconnects a stream that went silent and publishes the sessions' real status", async () => {
    const { oc, stream, hub, reconnects } = setup({ watchdogMs: 150 });
    const session = await oc.server.createSession({});
    const live: RelayedEvent[] = [];
    const stop = hub.subscribe("p1", undefined, (e) => live.push(e));
    await hub.connected("p1");
    stream.emit(status(session.id, "busy"));
    await until(() => live.length === 1);
    // The stream stalls; meanwhile the session finished. Nothing arrives, nothing closes.
    stream.stall();
    stream.emit(status(session.id, "idle"));
    await until(() => stream.connections === 2, 3000);
    await until(() => reconnects.length === 1);
    const last = live.at(-1);
    expect(last).toMatchObject({ type: "session.status", data: { sessionId: session.id, status: { type: "idle" } } });
    stop();
    await hub.close();
  });
});
