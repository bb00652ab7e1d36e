// One project's live state: the SSE stream feeds the query cache, so every view of the project
// (list, page, create progress) updates without polling.
import { useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { queryKeys } from "../../../api/query-keys";
import type { Operation, Project } from "../../../api/types";
import { type StreamState, useEventStream } from "../../../lib/use-event-stream";
import { storeOperation, storeProject } from "./cache";

export function useProjectEvents(id: string | null | undefined): StreamState {
  const qc = useQueryClient();
  const handlers = useMemo(() => {
    let lastStatus: string | null = null;
    return {
      project: (data: string) => {
        const project = JSON.parse(data) as Project;
        storeProject(qc, project);
        // An operation that finished before the stream (re)opened sends no event of its own:
        // on the first event and on every status change, read the operations once.
        if (project.status !== lastStatus) {
          lastStatus = project.status;
          void qc.invalidateQueries({ queryKey: queryKeys.projectOperations(project.id) });
          void qc.invalidateQueries({ queryKey: ["operations"] });
        }
      },
      operation: (data: string) => storeOperation(qc, JSON.parse(data) as Operation),
      // Someone (the person, the agent, a command) changed files: the tree, open files and the
      // working-tree diff are read again; an editor with unsaved edits decides what to do.
      "files.changed": () => {
        if (!id) return;
        void qc.invalidateQueries({ queryKey: queryKeys.projectFiles(id) });
        void qc.invalidateQueries({ queryKey: queryKeys.projectHistory(id) });
      },
      // A task moved or its agent, gates or review changed (issue #14): the board, the task and
      // its diff are read again, unless a task action of ours is in flight (it reads them when
      // it settles, and a read now could show the board before our move).
      "task.changed": () => {
        if (!id || qc.isMutating({ mutationKey: queryKeys.tasks(id) }) > 0) return;
        void qc.invalidateQueries({ queryKey: queryKeys.tasks(id) });
      },
    };
  }, [qc, id]);
  return useEventStream(id ? `/api/v1/projects/${encodeURIComponent(id)}/events` : null, handlers);
}
