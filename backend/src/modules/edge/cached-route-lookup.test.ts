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
