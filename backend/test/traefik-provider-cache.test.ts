// The provider service's short cache and ETag rules, with a typed in-memory route table.

import { gunzipSync } from "node:zlib";
import { describe, expect, it, vi } from "vitest";
import {
  acceptsGzip,
  etagMatches,
  traefikProviderServiceFactory,
} from "../src/modules/traefik/traefik-provider.service.js";
import type { PublishedRoute, RouteTable } from "../src/ports/route-table.port.js";

function table(routes: PublishedRoute[]) {
  const t = { reads: 0, versions: 0, routes, fail: false, delayMs: 0 };
  const port: RouteTable = {
    async version() {
      t.versions += 1;
      return t.routes.map((r) => `${r.hostname}=${r.serviceState}`).join(",");
    },
    async listRoutes() {
      t.reads += 1;
      const snapshot = t.routes;
      if (t.delayMs) await new Promise((r) => setTimeout(r, t.delayMs));
      if (t.fail) throw new Error("database down");
      return snapshot;
    },
  };
  return { t, port };
}

const route = (slug: string): PublishedRoute => ({
  hostname: `${slug}.apps.example.com`,
  kind: "production",
  access: "public",
  target: `http://${slug}:3000`,
  project: { id: slug, slug, desiredState: "running", sleeping: false, productionIdle: false },
  serviceState: "running",
  healthCheckPath: null,
});

const service = (routes: RouteTable, opts: Partial<Parameters<typeof traefikProviderServiceFactory>[0]> = {}) =>
  traefikProviderServiceFactory({
    routes,
    render: {
      appsDomain: "apps.example.com",
      controlPlaneUrl: "http://cp:3000",
      controlPlaneEdgeUrl: "http://cp:8080",
      forwardAuthKey: "k",
    },
    ...opts,
  });

describe("Traefik provider service", () => {
  it("reads the table once per TTL however many pollers ask, then sees a change", async () => {
    let clock = 0;
    const { t, port } = table([route("a")]);
    const svc = service(port, { ttlMs: 1000, now: () => clock });
    const [x, y] = await Promise.all([svc.current(), svc.current()]);
    expect(t.reads).toBe(1);
    expect(y.etag).toBe(x.etag);
    t.routes = [route("a"), route("b")];
    clock = 999;
    expect((await svc.current()).etag).toBe(x.etag);
    clock = 1000;
    const changed = await svc.current();
    expect(t.reads).toBe(2);
    expect(changed.etag).not.toBe(x.etag);
    expect(changed.routes).toBe(2);
  });

  it("re-reads the table only when its fingerprint moved, and at least every rereadMs", async () => {
    let clock = 0;
    const { t, port } = table([route("a")]);
    const svc = service(port, { ttlMs: 1000, rereadMs: 10_000, now: () => clock });
    const first = await svc.current();
    for (clock = 1000; clock < 10_000; clock += 1000) expect((await svc.current()).etag).toBe(first.etag);
    expect(t.reads).toBe(1);
    expect(t.versions).toBe(10);
    clock = 10_000; // same fingerprint, but it is time to read anyway
    await svc.current();
    expect(t.reads).toBe(2);
    t.routes = [{ ...route("a"), serviceState: "exited" }];
    clock = 11_000;
    expect((await svc.current()).etag).not.toBe(first.etag);
    expect(t.reads).toBe(3);
  });

  it("does not keep a failed render", async () => {
    const { t, port } = table([route("a")]);
    const svc = service(port, { ttlMs: 60_000 });
    t.fail = true;
    await expect(svc.current()).rejects.toThrow("database down");
    t.fail = false;
    await expect(svc.current()).resolves.toMatchObject({ routes: 1 });
  });

  it("keeps answering with the previous document while a slow render runs, then serves the new one", async () => {
    let clock = 0;
    const { t, port } = table([route("a")]);
    const svc = service(port, { ttlMs: 1000, maxWaitMs: 30, now: () => clock });
    const first = await svc.current();
    t.routes = [route("a"), route("b")];
    t.delayMs = 300;
    clock = 5000;
    const started = Date.now();
    const during = await svc.current();
    expect(Date.now() - started).toBeLessThan(200);
    expect(during.etag).toBe(first.etag); // stale, not blocked
    await new Promise((r) => setTimeout(r, 400));
    const after = await svc.current();
    expect(after.routes).toBe(2);
    expect(t.reads).toBe(2); // one refresh, however many callers waited on it
  });

  it("re-reads only the project a change names, and serves what a full read would", async () => {
    const { t, port } = table([route("a"), route("b"), route("c")]);
    const projectReads: string[] = [];
    port.listProjectRoutes = async (id) => {
      projectReads.push(id);
      return t.routes.filter((r) => r.project.id === id);
    };
    let notify: (projectId: string | null) => void = () => {};
    const svc = service(port, {
      onTableChange: (fn) => {
        notify = fn;
        return () => {};
      },
    });
    const fullRead = async () => (await service(table(t.routes).port).current()).body.toString();
    await svc.current();
    expect(t.reads).toBe(1);

    // b moves to a new container, c's route goes: each is a few rows, not the table.
    t.routes = [route("a"), { ...route("b"), target: "http://b-2:3000" }, route("c")];
    notify("b");
    expect((await svc.current()).body.toString()).toBe(await fullRead());
    t.routes = [route("a"), { ...route("b"), target: "http://b-2:3000" }];
    notify("c");
    const doc = await svc.current();
    expect(doc.body.toString()).toBe(await fullRead());
    expect(doc.routes).toBe(2);
    expect(projectReads).toEqual(["b", "c"]);
    expect(t.reads).toBe(1);

    // A template (or a resync) may touch any route: the whole table is read again.
    t.routes = [route("a")];
    notify(null);
    expect((await svc.current()).body.toString()).toBe(await fullRead());
    expect(t.reads).toBe(2);
    // So does a burst of changes to many projects: one read, not one per project.
    t.routes = Array.from({ length: 40 }, (_, i) => route(`p${i}`));
    for (const r of t.routes) notify(r.project.id);
    expect((await svc.current()).body.toString()).toBe(await fullRead());
    expect(t.reads).toBe(3);
    expect(projectReads).toEqual(["b", "c"]);
  });

  it("a poll that sees the fingerprint move before the feed names the project waits for it briefly", async () => {
    let clock = 0;
    const { t, port } = table([route("a"), route("b")]);
    port.listProjectRoutes = async (id) => t.routes.filter((r) => r.project.id === id);
    let notify: (projectId: string | null) => void = () => {};
    const svc = service(port, {
      ttlMs: 1000,
      now: () => clock,
      onTableChange: (fn) => {
        notify = fn;
        return () => {};
      },
    });
    await svc.current();
    t.routes = [route("a"), { ...route("b"), serviceState: "exited" }];
    clock = 2000; // the poll's cache expired; the commit is visible, its notification 10 ms away
    const polled = svc.current();
    setTimeout(() => notify("b"), 10);
    const doc = await polled;
    expect(doc.body.toString()).toBe((await service(table(t.routes).port).current()).body.toString());
    expect(t.reads).toBe(1); // one project's rows, not the table
  });

  it("keeps a gzip copy of the same bytes, with its own ETag", async () => {
    const { port } = table([route("a")]);
    const svc = service(port);
    // Compressed in the background: the first answer may still be the plain document alone.
    const doc = await vi.waitFor(async () => {
      const d = await svc.current();
      if (!d.gzipped) throw new Error("not compressed yet");
      return { ...d, gzipped: d.gzipped };
    });
    expect(gunzipSync(doc.gzipped).equals(doc.body)).toBe(true);
    expect(doc.gzipEtag).not.toBe(doc.etag);
    expect(acceptsGzip("gzip, deflate, br")).toBe(true);
    expect(acceptsGzip("br;q=1, gzip;q=0.5")).toBe(true);
    expect(acceptsGzip("gzip;q=0")).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip("identity")).toBe(false);
  });

  it("matches If-None-Match lists, weak validators and *", () => {
    expect(etagMatches(undefined, '"a"')).toBe(false);
    expect(etagMatches('"a"', '"a"')).toBe(true);
    expect(etagMatches('"b", W/"a"', '"a"')).toBe(true);
    expect(etagMatches("*", '"a"')).toBe(true);
    expect(etagMatches('"ab"', '"a"')).toBe(false);
  });
});
