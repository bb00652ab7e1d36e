import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { storeOperation, storeProject } from "./cache";

export interface CreateProjectInput {
  name: string;
  templateId: string;
  prompt?: string;
}

export function useCreateProject() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateProjectInput) => unwrap(api.POST("/api/v1/projects", { body })),
    onSuccess: ({ project, operation }) => {
      storeProject(qc, project);
      storeOperation(qc, operation);
    },
  });
}
