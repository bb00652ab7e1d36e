import { queryOptions } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { queryKeys } from "../../../api/query-keys";

export const templatesQuery = () =>
  queryOptions({
    queryKey: queryKeys.templates,
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/v1/templates", { signal }))).templates,
    staleTime: 60_000,
  });
