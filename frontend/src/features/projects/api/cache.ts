// Writes what the server told us (a 202 body or an SSE event) into every cached view of it.
import type { QueryClient } from "@tanstack/react-query";
import { queryKeys } from "../../../api/query-keys";
import type { Operation, Project } from "../../../api/types";

export function storeProject(qc: QueryClient, project: Project) {
  qc.setQueryData(queryKeys.project(project.id), project);
  qc.setQueryData<Project[]>(queryKeys.projects, (list) => {
    if (!list) return list;
    if (project.status === "deleted") return list.filter((p) => p.id !== project.id);
    const i = list.findIndex((p) => p.id === project.id);
    if (i === -1) return [project, ...list];
    const next = list.slice();
    next[i] = project;
    return next;
  });
}

export function storeOperation(qc: QueryClient, op: Operation) {
  qc.setQueryData(queryKeys.operation(op.id), op);
  if (!op.projectId) return;
  qc.setQueryData<Operation[]>(queryKeys.projectOperations(op.projectId), (list) => {
    if (!list) return [op];
    const i = list.findIndex((o) => o.id === op.id);
    if (i === -1) return [op, ...list];
    const next = list.slice();
    next[i] = op;
    return next;
  });
}

export const isActive = (op: Operation | undefined) => op?.status === "pending" || op?.status === "running";

const LIFECYCLE: ReadonlySet<Operation["kind"]> = new Set(["create", "start", "stop", "restart", "delete"]);
/** A start, stop, restart, create or delete: what the project's own progress shows (not a deployment). */
export const isLifecycle = (op: Operation) => LIFECYCLE.has(op.kind);

export const TRANSITIONAL: ReadonlySet<Project["status"]> = new Set(["pending", "starting", "stopping", "deleting"]);
