// The reviewer's actions on one task: approve (merge), request changes (inline comments back to
// the agent), reject, cancel, re-run the QA gates. Each answers the task, which goes into the
// cache; a 409 (a required gate failed, a merge conflict, a state that does not allow it) is the
// mutation's error, shown where the action was taken.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { queryKeys } from "../../../api/query-keys";
import { type ReviewComment, storeTask, type Task } from "./tasks";

export function useReviewTask(id: string, n: number) {
  const qc = useQueryClient();
  const options = <A>(fn: (arg: A) => Promise<Task>) => ({
    mutationKey: queryKeys.tasks(id),
    mutationFn: fn,
    onSuccess: (task: Task) => storeTask(qc, id, task),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.tasks(id) }),
  });
  const path = { params: { path: { id, n } } };
  return {
    approve: useMutation(
      options(
        async ({ message, override }: { message: string; override: boolean }) =>
          (
            await unwrap(
              api.POST("/api/v1/projects/{id}/tasks/{n}/approve", {
                ...path,
                body: { ...(message.trim() ? { message: message.trim() } : {}), ...(override ? { override } : {}) },
              }),
            )
          ).task,
      ),
    ),
    requestChanges: useMutation(
      options(
        async ({ comments, message }: { comments: ReviewComment[]; message: string }) =>
          (
            await unwrap(
              api.POST("/api/v1/projects/{id}/tasks/{n}/request-changes", {
                ...path,
                body: { comments, ...(message.trim() ? { message: message.trim() } : {}) },
              }),
            )
          ).task,
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
    rerunQa: useMutation(
      options(async (_: undefined) => (await unwrap(api.POST("/api/v1/projects/{id}/tasks/{n}/qa", path))).task),
    ),
  };
}
