import { describe, expect, it } from "vitest";
import type { EdgeRoute, EdgeRouteLookup } from "../../ports/edge.port.js";
import { cachedRouteLookup } from "./cached-route-lookup.js";

function countingLookup(answer: () => Promise<EdgeRoute | null>) {
  const calls: string[] = [];
  const lookup: EdgeRouteLookup = {
    findByHostname: (h) => {
      calls.push(h);
      return answer();
    },
  };
  return { lookup, calls };
}

describe("cachedRouteLookup", () => {
  it("asks the database once per hostname per TTL, sharing concurrent lookups", async () => {
    let t = 0;
    const { lookup, calls } = countingLookup(async () => null);
    const cached = cachedRouteLookup(lookup, { ttlMs: 1000, now: () => t });
    await Promise.all([cached.findByHostname("a.localhost"), cached.findByHostname("a.localhost")]);
    t = 999;
    await cached.findByHostname("a.localhost");
    expect(calls).toEqual(["a.localhost"]);
    t = 1000;
    await cached.findByHostname("a.localhost");
    expect(calls).toHaveLength(2);
    cached.invalidate("a.localhost");
    await cached.findByHostname("a.localhost");
    expect(calls).toHaveLength(3);
  });

  it("keeps a host that is not serving yet only for unsettledTtlMs, a serving one for ttlMs", async () => {
    let t = 0;
    let route: EdgeRoute | null = null;
    const { lookup, calls } = countingLookup(async () => route);
    const cached = cachedRouteLookup(lookup, { ttlMs: 1000, unsettledTtlMs: 100, now: () => t });
    await cached.findByHostname("c.localhost");
    t = 99;
    await cached.findByHostname("c.localhost");
    expect(calls).toHaveLength(1);
    route = {
      hostname: "c.localhost",
      kind: "preview",
      access: "owner",
      target: "http://127.0.0.1:49153",
      project: {
        id: "p",
        slug: "c",
        name: "C",
        ownerId: "u",
        desiredState: "running",
        status: "starting",
        sleeping: false,
        productionIdle: false,
      },
      serviceState: "running",
    };
    t = 100; // its preview is up while the project is still starting: still unsettled
    await expect(cached.findByHostname("c.localhost")).resolves.toEqual(route);
    route = { ...route, project: { ...route.project, status: "running" } };
    t = 200; // running: cached for the full TTL
    await expect(cached.findByHostname("c.localhost")).resolves.toEqual(route);
    t = 1199;
    await cached.findByHostname("c.localhost");
    expect(calls).toHaveLength(3);
    t = 1200;
    await cached.findByHostname("c.localhost");
    expect(calls).toHaveLength(4);
  });

  it("does not remember a failed lookup", async () => {
    let fail = true;
    const { lookup, calls } = countingLookup(async () => {
      if (fail) throw new Error("db down");
      return null;
    });
    const cached = cachedRouteLookup(lookup, { ttlMs: 60_000 });
    await expect(cached.findByHostname("b.localhost")).rejects.toThrow("db down");
    fail = false;
    await expect(cached.findByHostname("b.localhost")).resolves.toBeNull();
    expect(calls).toHaveLength(2);
  });
});
