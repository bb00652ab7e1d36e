import { describe, expect, it } from "vitest";
import { keyedWorkQueue } from "./work-queue.js";

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("keyed work queue", () => {
  it("runs at most `concurrency` keys at once and never one key twice at the same time", async () => {
    let active = 0;
    let peak = 0;
    const perKey = new Map<string, number>();
    const runs: string[] = [];
    const q = keyedWorkQueue(2, async (key) => {
      active++;
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
      expect(perKey.get(key)).toBe(1);
      peak = Math.max(peak, active);
      runs.push(key);
      await tick();
      perKey.set(key, (perKey.get(key) ?? 1) - 1);
      active--;
    });
    for (const k of ["a", "b", "c", "d"]) q.add(k);
    await q.idle();
    expect(peak).toBe(2);
    expect(runs.sort()).toEqual(["a", "b", "c", "d"]);
  });

  it("runs a key once more when it is added while running (level-triggered), not once per add", async () => {
    const runs: string[] = [];
    const q = keyedWorkQueue(4, async (key) => {
      runs.push(key);
      await tick();
    });
    q.add("p");
    q.add("p"); // while running: one more pass afterwards
    q.add("p"); // coalesced with the previous one
    await q.idle();
    expect(runs).toEqual(["p", "p"]);
  });

  it("keeps going after a failing run", async () => {
    const runs: string[] = [];
    const q = keyedWorkQueue(1, async (key) => {
      runs.push(key);
      if (key === "bad") throw new Error("boom");
    });
    q.add("bad");
    q.add("good");
    await q.idle();
    expect(runs).toEqual(["bad", "good"]);
  });
});
