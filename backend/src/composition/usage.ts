// Per-project usage (issue #16): the edge's in-memory counters, shared by every builtin edge
// listener of the process, and the service behind GET /projects/{id}/usage.
import { edgeUsageCounters } from "../modules/usage/edge-usage-counters.js";
import { usageServiceFactory } from "../modules/usage/usage.service.js";
import type { Principal } from "../ports/auth.port.js";
import type { ContainerRuntime } from "../ports/container-runtime.port.js";
import type { ProjectRecord } from "../ports/projects.port.js";

export function composeUsage(opts: {
  runtime: Pick<ContainerRuntime, "containerStats">;
  appsDomain: string;
  /** The projects service's owner check (another user's project: PROJECT_NOT_FOUND). */
  project: (principal: Principal, id: string) => Promise<ProjectRecord>;
}) {
  const counters = edgeUsageCounters();
  return {
    /** What the builtin edge records into (EdgeDeps.usage). */
    edge: counters,
    service: usageServiceFactory({ ...opts, counters }),
  };
}

export type UsageArea = ReturnType<typeof composeUsage>;
