import { queryOptions } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { queryKeys } from "../../../api/query-keys";

export const projectsQuery = () =>
  queryOptions({
    queryKey: queryKeys.projects,
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/v1/projects", { signal }))).projects,
  });
