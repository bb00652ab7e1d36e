import { describe, expect, it } from "vitest";
import { activityRecorder } from "./activity-recorder.js";

function recorder() {
  let t = 1000;
  const flushes: Array<Map<string, Date>> = [];
  const r = activityRecorder({
    store: { recordActivity: async (m) => void flushes.push(new Map(m)) },
    flushMs: 1000,
    log: { warn: () => {} },
    now: () => t,
  });
  return { r, flushes, advance: (ms: number) => (t += ms) };
}

describe("activityRecorder", () => {
  it("aggregates many touches into one write per project per flush, and none when idle", async () => {
    const { r, flushes, advance } = recorder();
    for (let i = 0; i < 1000; i++) r.touch("a");
    advance(500);
    r.touch("a");
    r.touch("b");
    await r.flush();
    await r.flush();
    expect(flushes).toHaveLength(1);
    expect([...(flushes[0]?.entries() ?? [])]).toEqual([
      ["a", new Date(1500)],
      ["b", new Date(1500)],
    ]);
    expect(r.lastSeen("a")).toBe(1500);
  });

  it("an open WebSocket counts at every flush until it closes (closing twice counts once)", async () => {
    const { r, flushes, advance } = recorder();
    const close = r.socketOpened("a");
    const other = r.socketOpened("a");
    expect(r.openSockets("a")).toBe(2);
    await r.flush();
    advance(1000);
    await r.flush();
    expect(flushes.map((f) => f.get("a")?.getTime())).toEqual([1000, 2000]);
    close();
    close();
    expect(r.openSockets("a")).toBe(1);
    other();
    expect(r.openSockets("a")).toBe(0);
  });

  it("keeps what a failed flush held for the next one", async () => {
    let fail = true;
    const written: string[] = [];
    const r = activityRecorder({
      store: {
        recordActivity: async (m) => {
          if (fail) throw new Error("database down");
          written.push(...m.keys());
        },
      },
      flushMs: 1000,
      log: { warn: () => {} },
    });
    r.touch("a");
    await r.flush();
    fail = false;
    await r.flush();
    expect(written).toEqual(["a"]);
  });
});
