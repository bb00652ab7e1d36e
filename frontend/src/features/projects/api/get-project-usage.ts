import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { queryKeys } from "../../../api/query-keys";
import type { paths } from "../../../api/schema";

export type ProjectUsage = paths["/api/v1/projects/{id}/usage"]["get"]["responses"][200]["content"]["application/json"];

/** A sample takes the server about a second (Docker's stats): every 10 s is plenty. */
export const USAGE_REFRESH_MS = 10_000;

export const projectUsageQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.projectUsage(id),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/projects/{id}/usage", { params: { path: { id } }, signal })),
  });

/** Polled only while the panel is open (and, TanStack's default, while the tab is visible). */
export function useProjectUsage(id: string, open: boolean, refreshMs = USAGE_REFRESH_MS) {
  return useQuery({ ...projectUsageQuery(id), enabled: open, refetchInterval: open ? refreshMs : false });
}
