// One server-side subscriber per project relays its OpenCode event stream (the project's
// directory only, allow-listed by the adapter) to every browser watching, plus our own events
// (agent.state, agent.queue). Events get increasing ids and the last `bufferSize` are kept, so
// a browser reconnecting with Last-Event-ID misses nothing; one asking for an id older than the
// buffer (or from before a restart) gets `resync` and reloads.
//
// OpenCode's stream can stop without closing. A watchdog reconnects when nothing (not even the
// 10 s heartbeat) arrived for `watchdogMs`, and after every reconnect the sessions' status is
// read again and published, so a session never shows "working" forever.
import type { AgentServer, AgentServerEvent } from "../../ports/agent.port.js";

export interface RelayedEvent {
  id: string;
  type: string;
  data: unknown;
}

export interface AgentEventsLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface AgentEventsDeps {
  /** The project's agent server as recorded now; null while it is not running. */
  resolve: (projectId: string) => Promise<AgentServer | null>;
  /** Every relayed OpenCode event (the prompt worker wakes on status and permission changes). */
  onEvent?: (projectId: string, event: AgentServerEvent) => void;
  /** The stream came back after a break: state must be re-read. */
  onReconnect?: (projectId: string) => void;
  log: AgentEventsLog;
  bufferSize?: number;
  watchdogMs?: number;
  retryMs?: number;
  /** How long a subscriber stays open after its last listener or holder left. */
  lingerMs?: number;
}

type Listener = (e: RelayedEvent) => void;

interface Channel {
  seq: number;
  buffer: RelayedEvent[];
  listeners: Set<Listener>;
  holders: number;
  lastEventAt: Date | null;
  aborter: AbortController | null;
  running: Promise<void> | null;
  linger: NodeJS.Timeout | null;
  /** The upstream stream is open now (its first event arrived). */
  connected: boolean;
  waiters: Array<() => void>;
}

const WAKE_TYPES = new Set(["session.status", "session.error", "permission.asked", "permission.replied"]);

export function agentEventsHub(deps: AgentEventsDeps) {
  const epoch = Date.now().toString(36);
  const bufferSize = deps.bufferSize ?? 1000;
  const watchdogMs = deps.watchdogMs ?? 30_000;
  const retryMs = deps.retryMs ?? 1000;
  const lingerMs = deps.lingerMs ?? 15_000;
  const channels = new Map<string, Channel>();
  let closed = false;

  const channel = (projectId: string): Channel => {
    let c = channels.get(projectId);
    if (!c) {
      c = {
        seq: 0,
        buffer: [],
        listeners: new Set(),
        holders: 0,
        lastEventAt: null,
        aborter: null,
        running: null,
        linger: null,
        connected: false,
        waiters: [],
      };
      channels.set(projectId, c);
    }
    return c;
  };

  function publish(projectId: string, type: string, data: unknown) {
    const c = channel(projectId);
    const event = { id: `${epoch}.${++c.seq}`, type, data };
    c.buffer.push(event);
    if (c.buffer.length > bufferSize) c.buffer.splice(0, c.buffer.length - bufferSize);
    for (const l of c.listeners) l(event);
  }

  const wanted = (c: Channel) => !closed && (c.listeners.size > 0 || c.holders > 0);

  async function publishStatuses(projectId: string, server: AgentServer) {
    const [statuses, sessions] = await Promise.all([server.statuses(), server.listSessions()]);
    for (const s of sessions) {
      publish(projectId, "session.status", { sessionId: s.id, status: statuses[s.id] ?? { type: "idle" } });
    }
  }

  async function run(projectId: string, c: Channel) {
    let connectedBefore = false;
    while (wanted(c)) {
      const server = await deps.resolve(projectId).catch(() => null);
      if (!server) {
        await sleep(retryMs);
        continue;
      }
      const aborter = new AbortController();
      c.aborter = aborter;
      let watchdog = setTimeout(() => aborter.abort(), watchdogMs);
      const alive = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => {
          deps.log.warn({ projectId }, `agent event stream silent for ${watchdogMs} ms; reconnecting`);
          aborter.abort();
        }, watchdogMs);
      };
      try {
        let first = true;
        for await (const e of server.events(aborter.signal)) {
          alive();
          if (first) {
            first = false;
            c.connected = true;
            for (const w of c.waiters.splice(0)) w();
            if (connectedBefore) {
              deps.log.info({ projectId }, "agent event stream reconnected; re-reading session status");
              await publishStatuses(projectId, server).catch(() => {});
              deps.onReconnect?.(projectId);
            }
            connectedBefore = true;
          }
          if (e.type === "alive") continue;
          c.lastEventAt = new Date();
          const { type, ...data } = e;
          publish(projectId, type, data);
          if (WAKE_TYPES.has(type)) deps.onEvent?.(projectId, e);
        }
      } catch (err) {
        if (!aborter.signal.aborted) deps.log.warn({ projectId, err }, "agent event stream broke; reconnecting");
      } finally {
        clearTimeout(watchdog);
        c.aborter = null;
        c.connected = false;
      }
      connectedBefore = true;
      if (wanted(c)) await sleep(retryMs);
    }
  }

  function ensure(projectId: string) {
    const c = channel(projectId);
    if (c.linger) {
      clearTimeout(c.linger);
      c.linger = null;
    }
    if (!c.running) {
      c.running = run(projectId, c).finally(() => {
        c.running = null;
      });
    }
    return c;
  }

  function release(c: Channel) {
    if (c.listeners.size > 0 || c.holders > 0 || c.linger) return;
    c.linger = setTimeout(() => {
      c.linger = null;
      if (c.listeners.size === 0 && c.holders === 0) c.aborter?.abort();
    }, lingerMs);
    c.linger.unref();
  }

  return {
    publish,
    /**
     * Listens to a project's events. Replays what came after `lastEventId` (or `resync` when that
     * is no longer buffered), then live events, until the returned function is called.
     */
    subscribe(projectId: string, lastEventId: string | undefined, listener: Listener): () => void {
      const c = channel(projectId);
      if (lastEventId) {
        const [e, n] = lastEventId.split(".");
        const seq = Number(n);
        const oldest = c.buffer[0] ? Number(c.buffer[0].id.split(".")[1]) : c.seq + 1;
        if (e !== epoch || !Number.isInteger(seq) || seq < oldest - 1 || seq > c.seq) {
          listener({ id: `${epoch}.${c.seq}`, type: "resync", data: {} });
        } else {
          for (const ev of c.buffer) if (Number(ev.id.split(".")[1]) > seq) listener(ev);
        }
      }
      c.listeners.add(listener);
      ensure(projectId);
      return () => {
        c.listeners.delete(listener);
        release(c);
      };
    },
    /** Keeps the project's subscriber open (while a prompt runs) until the returned function is called. */
    hold(projectId: string): () => void {
      const c = channel(projectId);
      c.holders++;
      ensure(projectId);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        c.holders--;
        release(c);
      };
    },
    /**
     * Resolves once the project's upstream stream is open (at most `ms` later), so what happens
     * next is relayed: a prompt is sent, or a browser told "ready", only after it.
     */
    async connected(projectId: string, ms = 3000): Promise<boolean> {
      const c = channel(projectId);
      if (c.connected) return true;
      return new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), ms);
        c.waiters.push(() => {
          clearTimeout(t);
          resolve(true);
        });
      });
    },
    lastEventAt: (projectId: string) => channels.get(projectId)?.lastEventAt ?? null,
    /** The id of the newest event (for an SSE stream's first `id:`). */
    lastId: (projectId: string) => `${epoch}.${channel(projectId).seq}`,
    async close() {
      closed = true;
      for (const c of channels.values()) {
        if (c.linger) clearTimeout(c.linger);
        c.aborter?.abort();
      }
      await Promise.all([...channels.values()].map((c) => c.running));
    },
  };
}

export type AgentEventsHub = ReturnType<typeof agentEventsHub>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
