// Idle stop and wake on access (issue #15): the activity aggregator (fed by the edge, the API and
// the console's heartbeat; read by the reconciler before it puts a project to sleep) and the
// waker the edge holds requests on. main.ts and the test harness build it once, here.

import type { Db } from "../adapters/persistence/prisma-client.js";
import { prismaEdgeRouteLookup } from "../adapters/persistence/prisma-edge-route-lookup.js";
import { prismaProjectStore } from "../adapters/persistence/prisma-project-store.js";
import type { Config } from "../config/config.js";
import { activityRecorder } from "../reconciler/activity-recorder.js";
import { projectWaker } from "../reconciler/project-waker.js";

export interface IdleOptions {
  db: Db;
  config: Pick<Config, "idle">;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  /** Wakes the reconciler (and the deployer) for a project; bound late (the reconciler is built after). */
  wake: (projectId: string) => void;
  /** Drops the edge's cached route of a hostname (composition/edge.ts `routes.invalidate`). */
  invalidate: (hostname: string) => void;
}

export function composeIdle(opts: IdleOptions) {
  const { idle } = opts.config;
  const store = prismaProjectStore(opts.db);
  const activity = activityRecorder({ store, flushMs: idle.flushMs, log: opts.log });
  const waker = projectWaker({
    store,
    wake: opts.wake,
    routes: prismaEdgeRouteLookup(opts.db),
    invalidate: opts.invalidate,
    holdMs: idle.wakeHoldMs,
    log: opts.log,
  });
  return {
    activity,
    waker,
    /** What the reconciler reads before a project sleeps. */
    reconciler: { defaultTimeoutS: idle.timeoutS, activity },
    /** What the builtin edge records and wakes with. */
    edge: { activity, wake: { waker, holdMs: idle.wakeHoldMs } },
    start: () => activity.start(),
    close: () => activity.stop(),
  };
}

export type IdleArea = ReturnType<typeof composeIdle>;
