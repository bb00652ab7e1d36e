import { describe, expect, it } from "vitest";
import { mapAsync, mergeAsync } from "./merge-async.js";

async function* timed(values: Array<[number, string]>) {
  for (const [ms, v] of values) {
    await new Promise((r) => setTimeout(r, ms));
    yield v;
  }
}

describe("mergeAsync", () => {
  it("yields from every source as values come, until all end", async () => {
    const out: string[] = [];
    const merged = mergeAsync(
      timed([
        [5, "a1"],
        [30, "a2"],
      ]),
      mapAsync(timed([[15, "b1"]]), (v) => v.toUpperCase()),
    );
    for await (const v of merged) out.push(v);
    expect(out).toEqual(["a1", "B1", "a2"]);
  });

  it("stops every source when the consumer stops", async () => {
    let stopped = 0;
    async function* endless(tag: string) {
      try {
        for (;;) {
          await new Promise((r) => setTimeout(r, 2));
          yield tag;
        }
      } finally {
        stopped += 1;
      }
    }
    for await (const v of mergeAsync(endless("x"), endless("y"))) if (v) break;
    expect(stopped).toBe(2);
  });
});
