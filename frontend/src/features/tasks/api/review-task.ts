// The reviewer's actions on one task: approve (merge), request changes (inline comments back to
// the agent), reject, cancel, re-run the QA gates. Each answers the task, which goes into the
// cache; a 409 (a required gate failed, a merge conflict, a state that does not allow it) is the
// mutation's error, shown where the action was taken.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { queryKeys } from "../../../api/query-keys";
import { postContract, type ReviewComment, storeTask, type Task, taskOf } from "./tasks";

const base = (id: string, n: number) => `/api/v1/projects/${encodeURIComponent(id)}/tasks/${n}`;

export function useReviewTask(id: string, n: number) {
  const qc = useQueryClient();
  const options = <A>(fn: (arg: A) => Promise<Task | { task: Task }>) => ({
    mutationKey: queryKeys.tasks(id),
    mutationFn: async (arg: A) => taskOf(await fn(arg)),
    onSuccess: (task: Task) => storeTask(qc, id, task),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.tasks(id) }),
  });
  const path = { params: { path: { id, n } } };
  return {
    approve: useMutation(
      options(({ message, override }: { message: string; override: boolean }) =>
        // `override` is in the contract, not yet in the generated schema (and main refuses
        // unknown fields): sent only when the reviewer ticked it.
        postContract<{ task: Task }>(`${base(id, n)}/approve`, {
          ...(message.trim() ? { message: message.trim() } : {}),
          ...(override ? { override: true } : {}),
        }),
      ),
    ),
    requestChanges: useMutation(
      options(({ comments, message }: { comments: ReviewComment[]; message: string }) =>
        postContract<Task | { task: Task }>(`${base(id, n)}/request-changes`, {
          comments,
          ...(message.trim() ? { message: message.trim() } : {}),
        }),
      ),
    ),
    reject: useMutation(
      options(
        async (reason: string) =>
          (await unwrap(
            api.POST("/api/v1/projects/{id}/tasks/{n}/reject", { ...path, body: { reason: reason.trim() } }),
          )) as Task,
      ),
    ),
    cancel: useMutation(
      options(async (_: undefined) => (await unwrap(api.POST("/api/v1/projects/{id}/tasks/{n}/cancel", path))) as Task),
    ),
    rerunQa: useMutation(options((_: undefined) => postContract<Task | { task: Task }>(`${base(id, n)}/qa`, {}))),
  };
}
