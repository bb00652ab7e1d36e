// A project's commits and diffs; committing and restoring. files.changed invalidates
// ['projects', id, 'history'] so the working-tree diff stays current.
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { queryKeys } from "../../../api/query-keys";

export const commitsQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.projectHistory(id),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/projects/{id}/history", { params: { path: { id }, query: { limit: 100 } }, signal })),
  });

/** What a commit changed, or (commit = null) the working tree against the last commit. */
export const diffQuery = (id: string, commit: string | null) =>
  queryOptions({
    queryKey: queryKeys.projectDiff(id, commit ?? "worktree"),
    queryFn: ({ signal }) =>
      commit
        ? unwrap(api.GET("/api/v1/projects/{id}/history/{commit}/diff", { params: { path: { id, commit } }, signal }))
        : unwrap(api.GET("/api/v1/projects/{id}/diff", { params: { path: { id }, query: {} }, signal })),
    // A commit never changes; the working tree is refreshed by files.changed.
    staleTime: commit ? Number.POSITIVE_INFINITY : 0,
  });

export function useHistoryMutations(id: string) {
  const qc = useQueryClient();
  const refresh = () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: queryKeys.projectHistory(id) }),
      qc.invalidateQueries({ queryKey: queryKeys.projectFiles(id) }),
    ]);
  return {
    commit: useMutation({
      mutationFn: (message: string) =>
        unwrap(api.POST("/api/v1/projects/{id}/history", { params: { path: { id } }, body: { message } })),
      onSuccess: refresh,
    }),
    restore: useMutation({
      mutationFn: (commit: string) =>
        unwrap(api.POST("/api/v1/projects/{id}/history/{commit}/restore", { params: { path: { id, commit } } })),
      onSuccess: refresh,
    }),
  };
}
