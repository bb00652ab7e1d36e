// HTTPS on the builtin edge with a wildcard certificate, verified by curl against the test CA.
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { networkServiceConnector } from "../src/adapters/network/service-connector.js";
import { buildEdge } from "../src/edge/edge-server.js";
import { appSessionCodec } from "../src/modules/edge/app-session.js";
import { edgeAccessServiceFactory } from "../src/modules/edge/edge-access.service.js";
import type { EdgeRoute } from "../src/ports/edge.port.js";
import { makeWildcardCertificate } from "./fixtures/test-certificates.js";
import { startUpstream, type Upstream } from "./fixtures/upstream-server.js";

const run = promisify(execFile);
// curl refuses a wildcard directly under a single-label name (*.localhost), as browsers do
// for public suffixes: a real wildcard sits under a domain with at least two labels.
const DOMAIN = "apps.localhost";

let upstream: Upstream;
let edge: FastifyInstance;
let tls: Awaited<ReturnType<typeof makeWildcardCertificate>>;

beforeAll(async () => {
  upstream = await startUpstream();
  tls = await makeWildcardCertificate(DOMAIN);
  const route = (hostname: string): EdgeRoute => ({
    hostname,
    kind: "production",
    access: "public",
    target: upstream.url,
    project: {
      id: "p1",
      slug: "kilo",
      name: "Kilo",
      ownerId: "u1",
      desiredState: "running",
      status: "running",
      sleeping: false,
      productionIdle: false,
    },
    serviceState: "running",
  });
  const access = edgeAccessServiceFactory({
    // A fixed route table: this test is about TLS, the lookup is covered elsewhere.
    routes: { findByHostname: async (h) => (h === `kilo.${DOMAIN}` ? route(h) : null) },
    authenticator: { authenticate: async () => null },
    sessions: appSessionCodec(new Uint8Array(32).fill(7)),
    usedCodes: { claim: async () => true },
    principals: { resolve: async () => null },
    origins: [{ scheme: "https", port: 443 }],
    appsDomain: DOMAIN,
    publicUrl: "https://console.example.test",
    opencodePassword: async () => "x",
  });
  edge = await buildEdge({
    access,
    logger: false,
    connector: networkServiceConnector(),
    https: { cert: tls.cert, key: tls.key },
  });
  await edge.listen({ host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  await edge?.close();
  await upstream?.close();
  if (tls) await rm(tls.dir, { recursive: true, force: true });
});

describe("builtin edge over HTTPS", () => {
  it("serves a project host with a wildcard certificate that curl verifies", async () => {
    const port = (edge.server.address() as AddressInfo).port;
    const { stdout } = await run("curl", [
      "-sS",
      "--fail",
      "--cacert",
      tls.caFile,
      `https://kilo.${DOMAIN}:${port}/hello`,
    ]);
    const seen = JSON.parse(stdout);
    expect(seen.url).toBe("/hello");
    expect(seen.headers["x-forwarded-proto"]).toBe("https");
  });

  it("is refused by curl without the CA (the certificate really is checked)", async () => {
    const port = (edge.server.address() as AddressInfo).port;
    await expect(run("curl", ["-sS", "--fail", `https://kilo.${DOMAIN}:${port}/`])).rejects.toMatchObject({ code: 60 });
  });
});
