import { queryOptions } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { queryKeys } from "../../../api/query-keys";

export const providersQuery = () =>
  queryOptions({
    queryKey: queryKeys.providers,
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/auth/providers", { signal })),
    staleTime: 5 * 60_000,
  });
