// GET /projects/{id}/usage: the edge's counters for each of the project's hosts, and one Docker
// stats sample of each of its containers (taken in parallel: about a second in all).
import type { Principal } from "../../ports/auth.port.js";
import type { ContainerRuntime, ContainerStats } from "../../ports/container-runtime.port.js";
import type { ProjectRecord } from "../../ports/projects.port.js";
import type { ServiceKind } from "../../ports/templates.port.js";
import type { EdgeUsageView, HostUsage } from "../../ports/usage.port.js";
import { hostnameFor } from "../../shared/project-urls.js";

export interface UsageServiceDeps {
  /** The project, or PROJECT_NOT_FOUND (another user's included). */
  project: (principal: Principal, id: string) => Promise<ProjectRecord>;
  counters: EdgeUsageView;
  runtime: Pick<ContainerRuntime, "containerStats">;
  appsDomain: string;
}

export interface ContainerUsage {
  kind: ServiceKind;
  /** The stats sample; null figures when the container is not running (or Docker did not answer). */
  running: boolean;
  cpuPercent: number | null;
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
}

export function usageServiceFactory(deps: UsageServiceDeps) {
  const statsOf = async (containerId: string | null): Promise<ContainerStats | null> =>
    containerId ? deps.runtime.containerStats(containerId).catch(() => null) : null;

  return {
    async usage(principal: Principal, id: string) {
      const p = await deps.project(principal, id);
      const counted = new Map(deps.counters.hosts(p.id).map((h) => [h.hostname, h]));
      // Every service's host, counted or not yet; then hosts only the counters know (a task's preview).
      const hosts: HostUsage[] = p.services.map((s) => {
        const hostname = hostnameFor(p.slug, s.kind, deps.appsDomain);
        const h = counted.get(hostname) ?? { hostname, kind: s.kind, requests: 0, bytesSent: 0, lastRequestAt: null };
        counted.delete(hostname);
        return h;
      });
      hosts.push(...counted.values());
      const containers: ContainerUsage[] = await Promise.all(
        p.services.map(async (s) => {
          const stats = await statsOf(s.containerId);
          return {
            kind: s.kind,
            running: stats !== null,
            cpuPercent: stats?.cpuPercent ?? null,
            memoryBytes: stats?.memoryBytes ?? null,
            memoryLimitBytes: stats?.memoryLimitBytes ?? null,
          };
        }),
      );
      return { since: deps.counters.since, sampledAt: new Date(), hosts, containers };
    },
  };
}

export type UsageService = ReturnType<typeof usageServiceFactory>;
