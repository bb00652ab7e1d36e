import type { DeploymentRecord } from "../ports/deployments.port.js";

/**
 * What DEPLOY_KEEP removes: it keeps `keep` deployments one can serve (the live one and the
 * newest superseded ones, each a rollback target) and the newest `keep` failed or cancelled
 * ones (their log and reason). Failed attempts never push a working version out.
 */
export function deploymentsToPrune(rows: readonly DeploymentRecord[], keep: number): DeploymentRecord[] {
  const newest = [...rows].sort((a, b) => b.number - a.number);
  const live = newest.some((r) => r.status === "live") ? 1 : 0;
  const superseded = newest.filter((r) => r.status === "superseded");
  const records = newest.filter((r) => r.status === "failed" || r.status === "cancelled");
  return [...superseded.slice(Math.max(0, keep - live)), ...records.slice(keep)];
}

/** Images of the removed rows that no remaining row serves (a rollback shares its build's image). */
export function imagesFreedBy(removed: readonly DeploymentRecord[], all: readonly DeploymentRecord[]): string[] {
  const gone = new Set(removed.map((r) => r.id));
  const stillUsed = new Set(all.filter((r) => !gone.has(r.id) && r.image).map((r) => r.image));
  return [...new Set(removed.map((r) => r.image).filter((i): i is string => !!i && !stillUsed.has(i)))];
}
