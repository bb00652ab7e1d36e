import { renderHook } from "@testing-library/react";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { server } from "../../../testing/server";
import { presenceEveryMs, usePresence } from "./project-settings";

describe("usePresence", () => {
  it("beats every 30 s, or three times per idle timeout when that is shorter", () => {
    expect(presenceEveryMs(900)).toBe(30_000);
    expect(presenceEveryMs(30)).toBe(10_000);
    expect(presenceEveryMs(10)).toBe(3333);
    expect(presenceEveryMs(0)).toBe(30_000); // never sleeps: the default pace is harmless
  });

  it("beats while the page is open and visible, not while hidden, and stops on unmount", async () => {
    let beats = 0;
    server.use(
      http.post("/api/v1/projects/p1/presence", () => {
        beats++;
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { unmount } = renderHook(() => usePresence("p1", 20));
    await expect.poll(() => beats).toBeGreaterThanOrEqual(2);
    const hidden = Object.getOwnPropertyDescriptor(Document.prototype, "visibilityState");
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
    await new Promise((r) => setTimeout(r, 30));
    const whileHidden = beats;
    await new Promise((r) => setTimeout(r, 100));
    expect(beats).toBe(whileHidden);
    if (hidden) Object.defineProperty(document, "visibilityState", hidden);
    else Reflect.deleteProperty(document, "visibilityState");
    unmount();
    const atUnmount = beats;
    await new Promise((r) => setTimeout(r, 100));
    expect(beats).toBe(atUnmount);
  });
});
