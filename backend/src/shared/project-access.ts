// Who may see a project, in one place for every module that serves one.
import { canReach, type Principal } from "../ports/auth.port.js";
import type { ProjectRecord } from "../ports/projects.port.js";
import { projectNotFound } from "./errors.js";

/** A project somebody owns: every project a person can reach (an unclaimed warm-pool instance is nobody's). */
export type OwnedProject = ProjectRecord & { ownerId: string };

export const isOwned = (p: ProjectRecord): p is OwnedProject => p.ownerId !== null;

/**
 * The project as `principal` may see it. Another user's is a 404, never a 403 (admins reach
 * every project); so are a deleted one and an unclaimed warm-pool instance.
 */
export function reachableProject(p: ProjectRecord | null, principal: Principal): OwnedProject {
  if (!p || p.status === "deleted" || !isOwned(p) || !canReach(principal, p.ownerId)) throw projectNotFound();
  return p;
}
