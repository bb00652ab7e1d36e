import { describe, expect, it } from "vitest";
import type { Principal, PrincipalRef } from "../../ports/auth.port.js";
import { cachedPrincipals } from "./host-sessions.js";

describe("cachedPrincipals", () => {
  it("asks again after its TTL, so a revoked session stops opening hosts within it", async () => {
    let t = 0;
    let live = true;
    let asked = 0;
    const principal: Principal = { userId: "u", role: "member", scopes: "all", via: "session", sessionId: "s" };
    const cache = cachedPrincipals(
      {
        resolve: async () => {
          asked += 1;
          return live ? principal : null;
        },
      },
      { ttlMs: 5000, now: () => t },
    );
    const ref: PrincipalRef = { via: "session", userId: "u", sessionId: "s" };
    expect(await cache.resolve(ref)).toEqual(principal);
    live = false;
    t = 4999;
    expect(await cache.resolve(ref)).toEqual(principal);
    expect(asked).toBe(1);
    t = 5000;
    expect(await cache.resolve(ref)).toBeNull();
    expect(asked).toBe(2);
  });

  it("forgets a failed lookup at once", async () => {
    let fail = true;
    const cache = cachedPrincipals(
      {
        resolve: async () => {
          if (fail) throw new Error("db down");
          return null;
        },
      },
      { ttlMs: 60_000 },
    );
    const ref: PrincipalRef = { via: "api_token", userId: "u", tokenId: "t" };
    await expect(cache.resolve(ref)).rejects.toThrow("db down");
    fail = false;
    await expect(cache.resolve(ref)).resolves.toBeNull();
  });
});
