// Shared by the reconciler's service tests with typed fakes: a template of one preview service,
// and an HTTP server on loopback that stands in for a running container's published port.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import type { ServiceSpec, TemplateRecord } from "../../src/ports/templates.port.js";

export function fakeTemplate(restart: ServiceSpec["restart"]): TemplateRecord {
  const now = new Date();
  const preview: ServiceSpec = {
    image: "example/app:1",
    command: ["serve"],
    port: 3000,
    env: {},
    healthCheck: { path: "/", intervalMs: 50, timeoutMs: 500, retries: 1 },
    limits: { memoryMb: 64, cpus: 0.5, pids: 32 },
    restart,
  };
  return {
    ...{ id: "t", slug: "t", name: "T", description: "", filesSeed: null, qaGates: null, builtIn: false },
    ...{ prewarm: 0 },
    ...{ services: { preview }, createdAt: now, updatedAt: now },
  };
}

/**
 * Answers 200 to every health check for the file's tests; `port()` is its loopback port, and
 * `connector` a typed fake of the service network that sends every service endpoint
 * (http://<container>:<port>) there.
 */
export function healthyServerForTests() {
  const server = http.createServer((_q, s) => s.end("ok"));
  beforeAll(() => new Promise<void>((r) => server.listen(0, "127.0.0.1", r)));
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const port = () => (server.address() as AddressInfo).port;
  return {
    port,
    connector: {
      fetch: (url: string | URL, init?: RequestInit) =>
        fetch(`http://127.0.0.1:${port()}${new URL(url).pathname}`, init),
    },
  };
}
