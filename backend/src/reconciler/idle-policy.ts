// When a project may sleep: running and awake, idle for its timeout by every measure this process
// has (the database's lastActivityAt, flushed by every replica, its last row write, and its own
// unflushed activity),
// no WebSocket open here, and nothing that must not be interrupted (a build, the agent's work).
import type { ProjectRecord } from "../ports/projects.port.js";

export interface IdleInputs {
  now: number;
  defaultTimeoutS: number;
  lastSeen: number | undefined;
  openSockets: number;
}

/** The timeout that applies (seconds); 0 = never. */
export const idleTimeoutOf = (p: Pick<ProjectRecord, "idleTimeoutSeconds">, defaultTimeoutS: number) =>
  p.idleTimeoutSeconds ?? defaultTimeoutS;

/** true when the project has been idle long enough to sleep (busy work is checked separately). */
export function idleLongEnough(p: ProjectRecord, i: IdleInputs): boolean {
  if (p.desiredState !== "running" || p.status !== "running" || p.sleptAt) return false;
  // A warm-pool instance is kept running for the next claim: it never sleeps.
  if (p.poolKey) return false;
  const timeoutS = idleTimeoutOf(p, i.defaultTimeoutS);
  if (timeoutS <= 0 || i.openSockets > 0) return false;
  if (p.agent?.state === "working") return false;
  // Any write to the row (it came up, its settings changed) also restarts the clock: a project
  // whose start took longer than its timeout must not fall asleep the moment it runs.
  const last = Math.max(p.lastActivityAt.getTime(), p.updatedAt.getTime(), i.lastSeen ?? 0);
  return i.now - last >= timeoutS * 1000;
}
