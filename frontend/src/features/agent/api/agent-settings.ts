import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { queryKeys } from "../../../api/query-keys";
import type { AgentProvider } from "../../../api/types";

export interface SettingsInput {
  provider: AgentProvider;
  baseUrl?: string;
  model: string;
  /** Omitted: the stored key is kept. */
  apiKey?: string;
}

export const myAgentSettingsQuery = () =>
  queryOptions({
    queryKey: queryKeys.myAgentSettings,
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/me/agent-settings", { signal })),
  });

export const projectAgentSettingsQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.projectAgentSettings(id),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/projects/{id}/agent-settings", { params: { path: { id } }, signal })),
  });

/** Saves (or clears with null) your defaults; every project following them restarts its agent. */
export function useSaveMyAgentSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: SettingsInput | null) =>
      unwrap(api.PUT("/api/v1/me/agent-settings", { body: body as SettingsInput })),
    onSuccess: (saved) => {
      qc.setQueryData(queryKeys.myAgentSettings, saved);
      void qc.invalidateQueries({ queryKey: queryKeys.projects });
    },
  });
}

export function useSaveProjectAgentSettings(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: SettingsInput | null) =>
      unwrap(
        api.PUT("/api/v1/projects/{id}/agent-settings", { params: { path: { id } }, body: body as SettingsInput }),
      ),
    onSuccess: (saved) => {
      qc.setQueryData(queryKeys.projectAgentSettings(id), saved);
      void qc.invalidateQueries({ queryKey: queryKeys.project(id) });
    },
  });
}
