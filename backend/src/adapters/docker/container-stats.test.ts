import { describe, expect, it } from "vitest";
import { statsFigures } from "./container-stats.js";

const running = {
  read: "2026-12-02T19:00:01.000Z",
  cpu_stats: { cpu_usage: { total_usage: 300_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 2 },
  precpu_stats: { cpu_usage: { total_usage: 100_000_000 }, system_cpu_usage: 18_000_000_000, online_cpus: 2 },
  memory_stats: { usage: 50_000_000, limit: 134_217_728, stats: { inactive_file: 10_000_000 } },
};

describe("statsFigures", () => {
  it("computes CPU as docker stats does: the CPU delta over the system delta, times the CPUs", () => {
    // 0.2 s of CPU over 2 s of the host's (both CPUs' time): 10 % of one CPU per CPU, ×2.
    expect(statsFigures(running)?.cpuPercent).toBe(20);
  });

  it("leaves the reclaimable page cache out of memory (cgroup v2 and v1)", () => {
    expect(statsFigures(running)).toMatchObject({ memoryBytes: 40_000_000, memoryLimitBytes: 134_217_728 });
    const v1 = { ...running, memory_stats: { usage: 50_000_000, limit: 1, stats: { total_inactive_file: 5_000_000 } } };
    expect(statsFigures(v1)?.memoryBytes).toBe(45_000_000);
  });

  it("has no CPU figure without a prior sample, and 0 when the host's clock did not move", () => {
    expect(statsFigures({ ...running, precpu_stats: {} })?.cpuPercent).toBeNull();
    expect(statsFigures({ ...running, precpu_stats: running.cpu_stats })?.cpuPercent).toBe(0);
  });

  it("is null for a container that is not running (the engine sends an empty sample)", () => {
    expect(
      statsFigures({ read: "0001-01-01T00:00:00Z", memory_stats: {}, cpu_stats: {}, precpu_stats: {} }),
    ).toBeNull();
    expect(statsFigures({ read: "2026-12-02T19:00:01.000Z", memory_stats: {} })).toBeNull();
  });
});
