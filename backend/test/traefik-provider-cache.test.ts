// The provider service's short cache and ETag rules, with a typed in-memory route table.
import { describe, expect, it } from "vitest";
import { etagMatches, traefikProviderServiceFactory } from "../src/modules/traefik/traefik-provider.service.js";
import type { PublishedRoute, RouteTable } from "../src/ports/route-table.port.js";

function table(routes: PublishedRoute[]) {
  const t = { reads: 0, routes, fail: false };
  const port: RouteTable = {
    async listRoutes() {
      t.reads += 1;
      if (t.fail) throw new Error("database down");
      return t.routes;
    },
  };
  return { t, port };
}

const route = (slug: string): PublishedRoute => ({
  hostname: `${slug}.apps.example.com`,
  kind: "production",
  access: "public",
  target: `http://${slug}:3000`,
  project: { id: slug, slug, desiredState: "running" },
  serviceState: "running",
  healthCheckPath: null,
});

describe("Traefik provider service", () => {
  it("reads the table once per TTL however many pollers ask, then sees a change", async () => {
    let clock = 0;
    const { t, port } = table([route("a")]);
    const svc = traefikProviderServiceFactory({
      routes: port,
      render: { appsDomain: "apps.example.com", controlPlaneUrl: "http://cp:3000" },
      ttlMs: 1000,
      now: () => clock,
    });
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

  it("does not keep a failed render", async () => {
    const { t, port } = table([route("a")]);
    const svc = traefikProviderServiceFactory({
      routes: port,
      render: { appsDomain: "apps.example.com", controlPlaneUrl: "http://cp:3000" },
      ttlMs: 60_000,
    });
    t.fail = true;
    await expect(svc.current()).rejects.toThrow("database down");
    t.fail = false;
    await expect(svc.current()).resolves.toMatchObject({ routes: 1 });
  });

  it("matches If-None-Match lists, weak validators and *", () => {
    expect(etagMatches(undefined, '"a"')).toBe(false);
    expect(etagMatches('"a"', '"a"')).toBe(true);
    expect(etagMatches('"b", W/"a"', '"a"')).toBe(true);
    expect(etagMatches("*", '"a"')).toBe(true);
    expect(etagMatches('"ab"', '"a"')).toBe(false);
  });
});
