// The edge's per-host request and byte counters, in memory: a request costs two Map lookups
// and three number updates (an allocation only on a host's first request), never a database
// write. They are this process's since it started (`since`): with several replicas behind a
// load balancer each counts its share, and a restart starts from zero. A deleted project's
// few numbers stay until then (one small record per host).
import type { EdgeUsageRecorder, EdgeUsageView, HostUsage } from "../../ports/usage.port.js";

export function edgeUsageCounters(now: () => number = Date.now): EdgeUsageRecorder & EdgeUsageView {
  const byProject = new Map<string, Map<string, HostUsage>>();
  return {
    since: new Date(now()),
    request(projectId, hostname, kind, bytes) {
      let hosts = byProject.get(projectId);
      if (!hosts) {
        hosts = new Map();
        byProject.set(projectId, hosts);
      }
      let h = hosts.get(hostname);
      if (!h) {
        h = { hostname, kind, requests: 0, bytesSent: 0, lastRequestAt: null };
        hosts.set(hostname, h);
      }
      h.requests += 1;
      h.bytesSent += bytes;
      h.lastRequestAt = now();
    },
    hosts(projectId) {
      return [...(byProject.get(projectId)?.values() ?? [])].map((h) => ({ ...h }));
    },
  };
}
