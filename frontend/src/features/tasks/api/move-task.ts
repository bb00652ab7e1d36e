// Moving a card: PATCH status and position, shown at once; a refusal (409: the task's state does
// not allow it, or someone moved it first) puts the board back as it was and says why.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { queryKeys } from "../../../api/query-keys";
import { applyMove, type Move } from "./board";
import type { Task } from "./tasks";

export function useMoveTask(id: string) {
  const qc = useQueryClient();
  const key = queryKeys.tasks(id);
  return useMutation({
    // Task mutations share the list's key: the events stream waits for them to settle.
    mutationKey: key,
    mutationFn: ({ move, from }: { move: Move; from: Task["status"] }) =>
      unwrap(
        api.PATCH("/api/v1/projects/{id}/tasks/{n}", {
          params: { path: { id, n: move.n } },
          body: move.status === from ? { position: move.position } : { status: move.status, position: move.position },
        }),
      ),
    onMutate: async ({ move }) => {
      await qc.cancelQueries({ queryKey: key, exact: true });
      const before = qc.getQueryData<Task[]>(key);
      if (before) qc.setQueryData<Task[]>(key, applyMove(before, move));
      return { before };
    },
    onError: (_e, _m, ctx) => {
      if (ctx?.before) qc.setQueryData<Task[]>(key, ctx.before);
    },
    onSettled: () => qc.invalidateQueries({ queryKey: key }),
  });
}
