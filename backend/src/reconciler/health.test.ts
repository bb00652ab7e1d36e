import { afterEach, describe, expect, it, vi } from "vitest";
import { waitForHealthy } from "./health.js";

const check = { path: "/", intervalMs: 250, timeoutMs: 2000, retries: 100 };

describe("waitForHealthy", () => {
  afterEach(() => vi.useRealTimers());

  it("polls fast while a service starts, then at the template's interval", async () => {
    vi.useFakeTimers();
    let polls = 0;
    const fetch = async () => {
      polls++;
      throw new Error("connection refused");
    };
    const done = waitForHealthy("http://svc:80", check, { deadlineMs: 10_000, fetch }).catch((e: Error) => e);
    await vi.advanceTimersByTimeAsync(1000);
    // A wake waits at most one fast interval past the moment the dev server answers.
    expect(polls).toBeGreaterThanOrEqual(30);
    await vi.advanceTimersByTimeAsync(4000);
    const afterFastWindow = polls;
    await vi.advanceTimersByTimeAsync(1000);
    expect(polls - afterFastWindow).toBeLessThanOrEqual(5);
    await vi.advanceTimersByTimeAsync(5000);
    expect(String(await done)).toContain("health check / failed for 10 s (connection refused)");
  });

  it("returns once the service answers 2xx or 3xx", async () => {
    let polls = 0;
    const fetch = async () => new Response(null, { status: ++polls < 3 ? 502 : 302 });
    await waitForHealthy("http://svc:80", check, { deadlineMs: 10_000, fetch });
    expect(polls).toBe(3);
  });
});
