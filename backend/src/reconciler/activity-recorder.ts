// The in-memory activity aggregator: a request costs a Map write; the database sees one write per
// active project per flush (ACTIVITY_FLUSH_MS). Open WebSockets count as activity at every flush
// for as long as they stay open, so another replica's reconciler sees them too.
import type { ActivityRecorder, ActivityView } from "../ports/activity.port.js";
import type { ActivityStore } from "../ports/projects.port.js";

export interface ActivityRecorderDeps {
  store: ActivityStore;
  flushMs: number;
  log: { warn(obj: object, msg?: string): void };
  now?: () => number;
}

export function activityRecorder(deps: ActivityRecorderDeps) {
  const now = deps.now ?? Date.now;
  const latest = new Map<string, number>();
  const unflushed = new Set<string>();
  const sockets = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;

  const touch = (projectId: string) => {
    latest.set(projectId, now());
    unflushed.add(projectId);
  };

  async function flush() {
    for (const [id, n] of sockets) if (n > 0) touch(id);
    if (!unflushed.size) return;
    const batch = new Map([...unflushed].map((id) => [id, new Date(latest.get(id) ?? now())]));
    unflushed.clear();
    try {
      await deps.store.recordActivity(batch);
    } catch (err) {
      for (const id of batch.keys()) unflushed.add(id);
      deps.log.warn({ err }, "recording project activity failed; retrying at the next flush");
    }
  }

  const recorder: ActivityRecorder & ActivityView = {
    touch,
    socketOpened(projectId) {
      touch(projectId);
      sockets.set(projectId, (sockets.get(projectId) ?? 0) + 1);
      let open = true;
      return () => {
        if (!open) return;
        open = false;
        const n = (sockets.get(projectId) ?? 1) - 1;
        if (n > 0) sockets.set(projectId, n);
        else sockets.delete(projectId);
        touch(projectId);
      };
    },
    lastSeen: (projectId) => latest.get(projectId),
    openSockets: (projectId) => sockets.get(projectId) ?? 0,
  };

  return {
    ...recorder,
    flush,
    start() {
      timer = setInterval(() => void flush(), deps.flushMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}

export type ActivityAggregator = ReturnType<typeof activityRecorder>;
