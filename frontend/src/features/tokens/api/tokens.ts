import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { queryKeys } from "../../../api/query-keys";
import type { Scope } from "../../../api/types";

export const tokensQuery = () =>
  queryOptions({
    queryKey: queryKeys.tokens,
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/v1/tokens", { signal }))).tokens,
  });

export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; scopes: Scope[]; expiresInDays?: number }) =>
      unwrap(api.POST("/api/v1/tokens", { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.tokens }),
  });
}

export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/v1/tokens/{id}", { params: { path: { id } } })),
    // Gone either way (revoked now, or already): the list is refetched.
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.tokens }),
  });
}
