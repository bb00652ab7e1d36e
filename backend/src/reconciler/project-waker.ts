// Wake on access: the first request for a sleeping project's host clears its sleep (one start,
// whichever replica and however many requests) and wakes the reconciler; every request then
// waits for the same readiness check of its hostname, polled on the uncached route table: its
// own service up and healthy (a preview answers before the project's agent is up).
import type { ProjectWaker } from "../ports/activity.port.js";
import { type EdgeRouteLookup, routeAnswers } from "../ports/edge.port.js";
import type { ReconcileStore } from "../ports/projects.port.js";

export interface ProjectWakerDeps {
  store: Pick<ReconcileStore, "clearSleep">;
  /** The reconciler's (and the deployer's) wake-up for one project. */
  wake: (projectId: string) => void;
  /** The route table, uncached: a wait ends on what the database says now. */
  routes: EdgeRouteLookup;
  /** Drops the edge's cached answer for a hostname once it serves. */
  invalidate: (hostname: string) => void;
  /** How long a wake counts as under way with no answer (WAKE_HOLD_MS). */
  holdMs: number;
  pollMs?: number;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function projectWaker(deps: ProjectWakerDeps): ProjectWaker & { wake(projectId: string): Promise<boolean> } {
  // One indexed query per waiting hostname (not per request) each poll: cheap, and it is what a wake waits on.
  const pollMs = deps.pollMs ?? 25;
  /** Projects this process is waking, until they serve or the hold is over. */
  const waking = new Map<string, number>();
  const starts = new Map<string, Promise<boolean>>();
  const waits = new Map<string, Promise<boolean>>();

  /** Clears the sleep once for concurrent callers; true when this call (of every replica) woke it. */
  function wake(projectId: string): Promise<boolean> {
    waking.set(projectId, Date.now() + deps.holdMs);
    const inFlight = starts.get(projectId);
    if (inFlight) return inFlight;
    const started = deps.store
      .clearSleep(projectId)
      .then((woke) => {
        if (woke) deps.log.info({ projectId }, "waking a sleeping project");
        deps.wake(projectId);
        return woke;
      })
      .finally(() => starts.delete(projectId));
    starts.set(projectId, started);
    return started;
  }

  /** One poll loop per hostname, shared by every request waiting on it. */
  function waitFor(projectId: string, hostname: string): Promise<boolean> {
    const existing = waits.get(hostname);
    if (existing) return existing;
    const until = Date.now() + deps.holdMs;
    const loop = (async () => {
      while (Date.now() < until) {
        const r = await deps.routes.findByHostname(hostname).catch(() => null);
        if (routeAnswers(r)) {
          deps.invalidate(hostname);
          waking.delete(projectId);
          return true;
        }
        // Asleep again (its pass had not seen the wake): ask once more.
        if (r?.project.sleeping && !starts.has(projectId)) void wake(projectId);
        await delay(pollMs);
      }
      return false;
    })().finally(() => waits.delete(hostname));
    waits.set(hostname, loop);
    return loop;
  }

  return {
    wake,
    async wakeAndWait(projectId, hostname, waitMs) {
      await wake(projectId).catch((err: Error) => deps.log.warn({ err, projectId }, "waking a project failed"));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), waitMs);
      });
      try {
        const served = await Promise.race([waitFor(projectId, hostname), timeout]);
        // Not up yet: the caller decides again on what the database says now (the waking page's progress).
        if (!served) deps.invalidate(hostname);
        return served;
      } finally {
        clearTimeout(timer);
      }
    },
    isWaking(projectId) {
      const until = waking.get(projectId);
      if (until === undefined) return false;
      if (until > Date.now()) return true;
      waking.delete(projectId);
      return false;
    },
  };
}
