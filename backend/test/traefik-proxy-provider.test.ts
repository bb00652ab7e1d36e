// The Traefik verification client against a local stub that replays Traefik API answers
// (no Traefik binary or image can be installed on these machines).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { traefikProxyProvider } from "../src/adapters/proxy/traefik-proxy-provider.js";
import { routerNameFor, SENTINEL_ROUTER } from "../src/modules/traefik/traefik-dynamic-config.js";
import { DomainError } from "../src/shared/errors.js";

type Reply = { status: number; body?: unknown };
const enabled = (name: string): Reply => ({
  status: 200,
  body: {
    entryPoints: ["websecure"],
    service: name,
    rule: "Host(`x`)",
    status: "enabled",
    name: `${name}@http`,
    provider: "http",
  },
});
const disabled = (name: string): Reply => ({
  status: 200,
  body: { service: name, status: "disabled", error: ['the service "x@http" does not exist'], name: `${name}@http` },
});
const missing: Reply = { status: 404, body: { message: "router not found" } };

let server: http.Server | undefined;

/** A stub of Traefik's API: per router, the scripted answers in order (the last one repeats). */
async function stubTraefik(script: Record<string, Reply[]>) {
  const seen: Array<{ path: string; at: number }> = [];
  server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? "", at: Date.now() });
    const m = /^\/api\/http\/routers\/([^/]+)$/.exec(req.url ?? "");
    const name = m ? decodeURIComponent(m[1] as string).replace(/@http$/, "") : "";
    const answers = script[name] ?? [missing];
    const answer = (answers.length > 1 ? answers.shift() : answers[0]) as Reply;
    res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body ?? {}));
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

const provider = (apiUrl: string, over: Partial<Parameters<typeof traefikProxyProvider>[0]> = {}) =>
  traefikProxyProvider({
    apiUrl,
    routerNameFor,
    sentinelRouter: SENTINEL_ROUTER,
    initialDelayMs: 20,
    maxDelayMs: 200,
    timeoutMs: 3000,
    ...over,
  });

describe("Traefik verification client", () => {
  it("waits through 404 and 'disabled' until the router is enabled", async () => {
    const host = "alpha--preview.apps.example.com";
    const name = routerNameFor(host);
    const stub = await stubTraefik({
      [SENTINEL_ROUTER]: [enabled(SENTINEL_ROUTER)],
      [name]: [missing, disabled(name), enabled(name)],
    });
    await provider(stub.url, { initialDelayMs: 100, maxDelayMs: 1000 }).verify([host]);
    const asked = stub.seen.filter((s) => s.path.includes(name));
    expect(asked.map((s) => s.path)).toEqual(Array(3).fill(`/api/http/routers/${name}@http`));
    // Exponential backoff: ~100 ms, then ~200 ms between attempts.
    const [a, b, c] = asked.map((s) => s.at) as [number, number, number];
    expect(b - a).toBeGreaterThanOrEqual(95);
    expect(c - b).toBeGreaterThanOrEqual(190);
    // verify() also checks the sentinel: Traefik loads our provider at all.
    expect(stub.seen.some((s) => s.path === `/api/http/routers/${SENTINEL_ROUTER}@http`)).toBe(true);
  });

  it("a woken project's route is live only once Traefik sends it to its container, not to the control plane", async () => {
    const host = "delta--preview.apps.example.com";
    const name = routerNameFor(host);
    // What Traefik holds from before the wake (the sleeping route to the control plane's edge), then the new document.
    const asleep: Reply = {
      status: 200,
      body: { ...(enabled(name).body as object), service: "devsanctum-control-plane-edge" },
    };
    const stub = await stubTraefik({
      [SENTINEL_ROUTER]: [enabled(SENTINEL_ROUTER)],
      [name]: [asleep, asleep, { status: 200, body: { ...(enabled(name).body as object), service: `${name}@http` } }],
    });
    await provider(stub.url).verify([host]);
    expect(stub.seen.filter((s) => s.path.includes(name))).toHaveLength(3);
    await new Promise((resolve) => server?.close(resolve));

    const stuck = await stubTraefik({ [SENTINEL_ROUTER]: [enabled(SENTINEL_ROUTER)], [name]: [asleep] });
    const err = await provider(stuck.url, { timeoutMs: 300 })
      .verify([host])
      .catch((e: unknown) => e);
    expect((err as Error).message).toContain("routed to devsanctum-control-plane-edge (not yet to");
  });

  it("gives up after the timeout with an error naming the router and Traefik's last answer", async () => {
    const host = "bravo--preview.apps.example.com";
    const name = routerNameFor(host);
    const stub = await stubTraefik({ [SENTINEL_ROUTER]: [enabled(SENTINEL_ROUTER)], [name]: [disabled(name)] });
    const started = Date.now();
    const err = await provider(stub.url, { timeoutMs: 600 })
      .verify([host])
      .catch((e: unknown) => e);
    const took = Date.now() - started;
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ kind: "unavailable", code: "PROXY_ROUTE_NOT_LIVE" });
    expect((err as Error).message).toContain(`router ${name}@http`);
    expect((err as Error).message).toContain('last answer: HTTP 200 status "disabled"');
    expect((err as Error).message).toContain("does not exist");
    expect(took).toBeGreaterThanOrEqual(550);
    expect(took).toBeLessThan(2000);
    // Bounded polling, not a busy loop: 20, 40, 80, 160, 200, … ms apart.
    expect(stub.seen.filter((s) => s.path.includes(name)).length).toBeLessThanOrEqual(8);
  });

  it("names the sentinel and the likely cause when Traefik does not load the provider at all", async () => {
    const stub = await stubTraefik({});
    const err = (await provider(stub.url, { timeoutMs: 300 })
      .verify([])
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(`router ${SENTINEL_ROUTER}@http`);
    expect(err.message).toContain("TRAEFIK_PROVIDER_SECRET");
    expect(err.message).toContain("last answer: HTTP 404");
  });

  it("reports when nothing answers at TRAEFIK_API_URL", async () => {
    const stub = await stubTraefik({});
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    const err = (await provider(stub.url, { timeoutMs: 200 })
      .verify([])
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/last answer: no answer/);
  });

  it("stops at once when the caller aborts", async () => {
    const stub = await stubTraefik({});
    const ctrl = new AbortController();
    const pending = provider(stub.url, { timeoutMs: 10_000 }).verify([], { signal: ctrl.signal });
    setTimeout(() => ctrl.abort(new Error("reconciler stopping")), 100);
    const started = Date.now();
    await expect(pending).rejects.toThrow("reconciler stopping");
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
