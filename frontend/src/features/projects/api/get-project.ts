import { queryOptions } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { queryKeys } from "../../../api/query-keys";

export const projectQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.project(id),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/projects/{id}", { params: { path: { id } }, signal })),
  });

export const projectOperationsQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.projectOperations(id),
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET("/api/v1/projects/{id}/operations", { params: { path: { id } }, signal }))).operations,
  });

export const operationQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.operation(id),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/operations/{id}", { params: { path: { id } }, signal })),
  });
