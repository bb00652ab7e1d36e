// A project's deployments: the history (kept fresh while one is in progress), one deployment
// with its log, and the three writes (deploy, roll back, cancel). Every answer is written into
// the history cache, so the Deploy panel and the Deployments tab show the same state.
import { type QueryClient, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { queryKeys } from "../../../api/query-keys";
import type { Deployment, DeploymentList } from "../../../api/types";

export const ACTIVE: ReadonlySet<Deployment["status"]> = new Set(["queued", "building", "starting"]);
export const isActive = (d: Pick<Deployment, "status"> | undefined) => !!d && ACTIVE.has(d.status);

export const deploymentsQuery = (projectId: string) =>
  queryOptions({
    queryKey: queryKeys.deployments(projectId),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/projects/{id}/deployments", { params: { path: { id: projectId } }, signal })),
  });

/** The history; polled every second while a deployment is in progress (another tab, the API), else not. */
export function useDeployments(projectId: string) {
  return useQuery({
    ...deploymentsQuery(projectId),
    refetchInterval: (q) => (q.state.data?.deployments.some(isActive) ? 1000 : false),
  });
}

export const deploymentQuery = (projectId: string, number: number) =>
  queryOptions({
    queryKey: queryKeys.deployment(projectId, number),
    queryFn: async ({ signal }) =>
      (
        await unwrap(
          api.GET("/api/v1/projects/{id}/deployments/{number}", {
            params: { path: { id: projectId, number } },
            signal,
          }),
        )
      ).deployment,
  });

/** Puts one deployment's new state into the history. */
export function storeDeployment(qc: QueryClient, projectId: string, d: Deployment) {
  qc.setQueryData<DeploymentList>(queryKeys.deployments(projectId), (list) => {
    if (!list) return list;
    const i = list.deployments.findIndex((x) => x.number === d.number);
    const deployments = list.deployments.slice();
    if (i === -1) deployments.unshift(d);
    else deployments[i] = d;
    return { ...list, deployments };
  });
}

function useDeploymentWrite<T>(projectId: string, call: (arg: T) => Promise<{ deployment: Deployment }>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: ({ deployment }) => {
      storeDeployment(qc, projectId, deployment);
      // Retention may have removed old ones, and the project's URLs change once one is live.
      void qc.invalidateQueries({ queryKey: queryKeys.deployments(projectId) });
    },
  });
}

export const useDeploy = (projectId: string) =>
  useDeploymentWrite(projectId, () =>
    unwrap(api.POST("/api/v1/projects/{id}/deployments", { params: { path: { id: projectId } } })),
  );

export const useRollback = (projectId: string) =>
  useDeploymentWrite(projectId, (number: number) =>
    unwrap(
      api.POST("/api/v1/projects/{id}/deployments/{number}/rollback", { params: { path: { id: projectId, number } } }),
    ),
  );

export const useCancelDeployment = (projectId: string) =>
  useDeploymentWrite(projectId, (number: number) =>
    unwrap(
      api.POST("/api/v1/projects/{id}/deployments/{number}/cancel", { params: { path: { id: projectId, number } } }),
    ),
  );
