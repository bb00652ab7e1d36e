import type { ContainerStats } from "../../ports/container-runtime.port.js";

// Docker's stats JSON → the figures `docker stats` prints, computed the way its CLI does
// (cli/command/container/stats_helpers.go): CPU from the delta between the two samples a
// `stream: false` call returns, memory without the reclaimable page cache.

interface CpuSample {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
  system_cpu_usage?: number;
  online_cpus?: number;
}

export interface RawStats {
  read?: string;
  cpu_stats?: CpuSample;
  precpu_stats?: CpuSample;
  memory_stats?: {
    usage?: number;
    limit?: number;
    stats?: { inactive_file?: number; total_inactive_file?: number };
  };
}

/** null when the sample is of a container that is not running (the engine sends zeros then). */
export function statsFigures(raw: RawStats): ContainerStats | null {
  const mem = raw.memory_stats;
  if (!mem || mem.usage === undefined || !raw.read || raw.read.startsWith("0001")) return null;
  // cgroup v1 calls it total_inactive_file, v2 inactive_file.
  const cache = mem.stats?.total_inactive_file ?? mem.stats?.inactive_file ?? 0;
  const memoryBytes = cache < mem.usage ? mem.usage - cache : mem.usage;
  return { cpuPercent: cpuPercent(raw.cpu_stats, raw.precpu_stats), memoryBytes, memoryLimitBytes: mem.limit ?? 0 };
}

function cpuPercent(now: CpuSample | undefined, before: CpuSample | undefined): number | null {
  const total = now?.cpu_usage?.total_usage;
  const system = now?.system_cpu_usage;
  const prevSystem = before?.system_cpu_usage;
  if (total === undefined || system === undefined || !prevSystem) return null;
  const cpuDelta = total - (before?.cpu_usage?.total_usage ?? 0);
  const systemDelta = system - prevSystem;
  const cpus = now?.online_cpus || now?.cpu_usage?.percpu_usage?.length || 1;
  if (systemDelta <= 0 || cpuDelta < 0) return 0;
  return Math.round((cpuDelta / systemDelta) * cpus * 10000) / 100;
}
