import { infiniteQueryOptions } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { queryKeys } from "../../../api/query-keys";
import type { AuditFilters } from "../../../api/types";

/** The audit log for these filters, newest first; each next page is older (the API's cursor). */
export const auditQuery = (filters: Omit<AuditFilters, "cursor">) =>
  infiniteQueryOptions({
    queryKey: queryKeys.audit(filters),
    queryFn: ({ signal, pageParam }) =>
      unwrap(
        api.GET("/api/v1/audit", {
          params: { query: { ...filters, ...(pageParam ? { cursor: pageParam } : {}) } },
          signal,
        }),
      ),
    initialPageParam: "",
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
