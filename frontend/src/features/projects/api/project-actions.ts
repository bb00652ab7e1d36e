import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { storeOperation, storeProject } from "./cache";

export type LifecycleAction = "start" | "stop" | "restart";

const call = (id: string, action: LifecycleAction) => {
  const params = { params: { path: { id } } };
  if (action === "start") return unwrap(api.POST("/api/v1/projects/{id}/start", params));
  if (action === "stop") return unwrap(api.POST("/api/v1/projects/{id}/stop", params));
  return unwrap(api.POST("/api/v1/projects/{id}/restart", params));
};

export function useProjectAction(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (action: LifecycleAction) => call(id, action),
    onSuccess: ({ project, operation }) => {
      storeProject(qc, project);
      storeOperation(qc, operation);
    },
  });
}

export function useDeleteProject(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (opts: { keepData: boolean }) =>
      unwrap(
        api.DELETE("/api/v1/projects/{id}", {
          params: { path: { id }, query: { keepData: opts.keepData ? "true" : "false" } },
        }),
      ),
    onSuccess: ({ project, operation }) => {
      storeProject(qc, project);
      storeOperation(qc, operation);
    },
  });
}
