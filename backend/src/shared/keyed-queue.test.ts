import { describe, expect, it } from "vitest";
import { keyedQueue } from "./keyed-queue.js";

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("keyedQueue", () => {
  it("runs one at a time per key, in order, a failure not blocking the next; other keys run alongside", async () => {
    const run = keyedQueue();
    const log: string[] = [];
    const job = (key: string, name: string, fail = false) =>
      run(key, async () => {
        log.push(`${name} start`);
        await tick();
        log.push(`${name} end`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([job("a", "a1", true), job("a", "a2"), job("b", "b1")]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
    expect(log.indexOf("a1 end")).toBeLessThan(log.indexOf("a2 start"));
    expect(log.indexOf("b1 start")).toBeLessThan(log.indexOf("a1 end"));
  });
});
