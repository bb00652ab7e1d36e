import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { EventSource } from "eventsource";
import { afterAll, afterEach, beforeAll } from "vitest";
import { server } from "./server";

// findBy*/waitFor give up after 1 s by default; on a loaded 2-core CI machine (the backend suites
// run Docker and PostgreSQL beside these) a first render can take longer. A wrong page still fails.
configure({ asyncUtilTimeout: 5000 });

// jsdom has no EventSource; this spec-following one runs on fetch, so MSW serves the streams.
globalThis.EventSource = EventSource as unknown as typeof globalThis.EventSource;

// jsdom lays nothing out; CodeMirror measures text ranges, so ranges get empty rectangles.
const emptyRects = () => Object.assign([], { item: () => null }) as unknown as DOMRectList;
Range.prototype.getClientRects = emptyRects;
Range.prototype.getBoundingClientRect = () => new DOMRect();

// MSW's "error" strategy only rejects the request; a test that made one must fail as well.
const unhandled: string[] = [];
beforeAll(() =>
  server.listen({
    onUnhandledRequest: (req, print) => {
      unhandled.push(`${req.method} ${new URL(req.url).pathname}`);
      print.error();
    },
  }),
);
afterEach(() => {
  cleanup();
  server.resetHandlers();
  const seen = unhandled.splice(0);
  if (seen.length) throw new Error(`unhandled requests: ${seen.join(", ")}`);
});
afterAll(() => server.close());
