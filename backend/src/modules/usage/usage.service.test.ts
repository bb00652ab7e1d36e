import { describe, expect, it } from "vitest";
import type { Principal } from "../../ports/auth.port.js";
import type { ProjectRecord } from "../../ports/projects.port.js";
import { projectNotFound } from "../../shared/errors.js";
import { edgeUsageCounters } from "./edge-usage-counters.js";
import { usageServiceFactory } from "./usage.service.js";

const owner = { userId: "u1", role: "member" } as Principal;
const project = {
  id: "p1",
  slug: "shop",
  ownerId: "u1",
  services: [
    { kind: "preview", containerId: "c-preview" },
    { kind: "opencode", containerId: "c-opencode" },
  ],
} as ProjectRecord;

function harness() {
  let clock = 1_000;
  const counters = edgeUsageCounters(() => clock);
  const usage = usageServiceFactory({
    project: async (principal, id) => {
      if (id !== project.id || principal.userId !== project.ownerId) throw projectNotFound();
      return project;
    },
    counters,
    // The preview runs; OpenCode is stopped (the engine's empty sample).
    runtime: {
      containerStats: async (id) =>
        id === "c-preview" ? { cpuPercent: 12.5, memoryBytes: 40e6, memoryLimitBytes: 128 * 2 ** 20 } : null,
    },
    appsDomain: "localhost",
  });
  return { counters, usage, tick: (ms: number) => (clock += ms) };
}

describe("project usage", () => {
  it("counts requests and bytes per host, with the latest request's time", async () => {
    const { counters, usage, tick } = harness();
    counters.request("p1", "shop--preview.localhost", "preview", 300);
    tick(500);
    counters.request("p1", "shop--preview.localhost", "preview", 200);
    counters.request("p2", "other--preview.localhost", "preview", 999);
    const u = await usage.usage(owner, "p1");
    expect(u.since).toEqual(new Date(1_000));
    expect(u.hosts).toEqual([
      { hostname: "shop--preview.localhost", kind: "preview", requests: 2, bytesSent: 500, lastRequestAt: 1_500 },
      { hostname: "shop--opencode.localhost", kind: "opencode", requests: 0, bytesSent: 0, lastRequestAt: null },
    ]);
  });

  it("lists a host only the counters know (a task's preview) after the services' own", async () => {
    const { counters, usage } = harness();
    counters.request("p1", "shop--t3.localhost", "preview", 10);
    expect((await usage.usage(owner, "p1")).hosts.map((h) => h.hostname)).toEqual([
      "shop--preview.localhost",
      "shop--opencode.localhost",
      "shop--t3.localhost",
    ]);
  });

  it("gives each container's CPU and memory, null figures for one not running", async () => {
    const { usage } = harness();
    expect((await usage.usage(owner, "p1")).containers).toEqual([
      { kind: "preview", running: true, cpuPercent: 12.5, memoryBytes: 40e6, memoryLimitBytes: 128 * 2 ** 20 },
      { kind: "opencode", running: false, cpuPercent: null, memoryBytes: null, memoryLimitBytes: null },
    ]);
  });

  it("is PROJECT_NOT_FOUND for another user", async () => {
    const { usage } = harness();
    await expect(usage.usage({ userId: "u2", role: "member" } as Principal, "p1")).rejects.toMatchObject({
      code: "PROJECT_NOT_FOUND",
    });
  });
});
