// Many event streams, one watcher per project: it starts with the first listener, every
// listener gets every batch, and it stops when the last one leaves.
import { describe, expect, it } from "vitest";
import { fileChangesHub } from "./file-changes-hub.js";

function fakeWatch() {
  const started: AbortSignal[] = [];
  let push: (paths: string[]) => void = () => {};
  const watch = async function* (_id: string, signal: AbortSignal) {
    started.push(signal);
    const queue: string[][] = [];
    let wake: (() => void) | null = null;
    push = (p) => {
      queue.push(p);
      wake?.();
    };
    signal.addEventListener("abort", () => wake?.());
    while (!signal.aborted) {
      const next = queue.shift();
      if (next) yield next;
      else await new Promise<void>((r) => (wake = r));
    }
  };
  return { watch, started, push: (p: string[]) => push(p) };
}
const tick = () => new Promise((r) => setTimeout(r, 5));

describe("fileChangesHub", () => {
  it("shares one watcher between listeners and stops it with the last", async () => {
    const fake = fakeWatch();
    const changes = fileChangesHub(fake.watch);
    const a = new AbortController();
    const b = new AbortController();
    const itA = changes("p1", a.signal)[Symbol.asyncIterator]();
    const itB = changes("p1", b.signal)[Symbol.asyncIterator]();
    const nextA = itA.next();
    const nextB = itB.next();
    await tick();
    fake.push(["src/App.tsx"]);
    expect((await nextA).value).toEqual(["src/App.tsx"]);
    expect((await nextB).value).toEqual(["src/App.tsx"]);
    expect(fake.started).toHaveLength(1);

    const endA = itA.next();
    a.abort();
    expect((await endA).done).toBe(true);
    expect(fake.started[0]?.aborted).toBe(false);
    const endB = itB.next();
    b.abort();
    expect((await endB).done).toBe(true);
    expect(fake.started[0]?.aborted).toBe(true);

    // A new listener starts a new watcher.
    const c = new AbortController();
    const itC = changes("p1", c.signal)[Symbol.asyncIterator]();
    const nextC = itC.next();
    await tick();
    expect(fake.started).toHaveLength(2);
    c.abort();
    expect((await nextC).done).toBe(true);
  });
});
