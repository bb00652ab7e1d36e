// Regression: "one-time app-auth codes are remembered per process" (issue #9). Each replica
// kept the codes it had seen in memory, so a code exchanged on one control plane could be
// replayed on another for a second session. Two real control-plane processes on one
// database, behind (a stand-in for) Traefik: forwardAuth on either exchanges a code once.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forwardAuthKeyOf } from "../src/composition/edge.js";
import { createApiToken, createUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { freePort, startControlPlane, waitFor } from "./helpers/process.js";

let database: TestDatabase;
let replicas: Array<{ url: string; stop(): Promise<void> }> = [];
let owner: { authorization: string };
const HOST = "replay--preview.localhost";
const PROVIDER_SECRET = randomBytes(24).toString("hex");

async function replica(shared: Record<string, string>) {
  const port = await freePort();
  const cp = startControlPlane({
    ...shared,
    PORT: String(port),
    EDGE_PORT: String(await freePort()),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/readyz`, 45_000).catch((err) => {
    throw new Error(`${err.message}\n${cp.output()}`);
  });
  return {
    url,
    async stop() {
      cp.child.kill("SIGTERM");
      await cp.exited;
    },
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  const user = await createUser(database.db);
  owner = await createApiToken(database.db, user.id);
  const template = await database.db.template.create({ data: { slug: "replay", name: "Replay", services: {} } });
  const project = await database.db.project.create({
    data: { slug: "replay", name: "Replay", ownerId: user.id, templateId: template.id, status: "running" },
  });
  await database.db.serviceInstance.create({
    data: { projectId: project.id, kind: "preview", observedState: "running", endpoint: "http://127.0.0.1:9" },
  });
  await database.db.route.create({
    data: { hostname: HOST, projectId: project.id, kind: "preview", access: "owner", target: "http://127.0.0.1:9" },
  });
  const shared = {
    DATABASE_URL: database.url,
    SECRET_KEY: randomBytes(32).toString("hex"),
    PROXY_PROVIDER: "traefik",
    TRAEFIK_PROVIDER_SECRET: PROVIDER_SECRET,
    TRAEFIK_API_URL: "http://127.0.0.1:9",
    RECONCILER_ENABLED: "false",
    LOG_LEVEL: "warn",
    // Replicas of one install: the same id (the database's own would do; pinned for clarity).
    INSTALL_ID: `rep-${randomBytes(3).toString("hex")}`,
  };
  replicas = await Promise.all([replica(shared), replica(shared)]);
}, 90_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await database?.drop();
});

/** What Traefik asks a replica's forwardAuth for a browser request to `uri` on the host. */
const forwardAuth = (replicaUrl: string, uri: string) =>
  fetch(`${replicaUrl}/internal/forward-auth?key=${forwardAuthKeyOf(PROVIDER_SECRET)}`, {
    redirect: "manual",
    headers: {
      "x-forwarded-host": HOST,
      "x-forwarded-uri": uri,
      "x-forwarded-proto": "https",
      "x-forwarded-method": "GET",
    },
  });

describe("one-time app-auth codes across replicas", () => {
  it("exchanges a code once: a replay on another replica is refused", async () => {
    const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
    const minted = await fetch(
      `${a.url}/api/v1/app-auth/authorize?origin=${encodeURIComponent(`https://${HOST}`)}&next=/`,
      { redirect: "manual", headers: owner },
    );
    expect(minted.status).toBe(302);
    const callback = new URL(minted.headers.get("location") as string);
    const uri = callback.pathname + callback.search;

    const first = await forwardAuth(a.url, uri);
    expect(first.status).toBe(302);
    expect(first.headers.get("set-cookie")).toMatch(/^__Host-ds_app=/);

    const replay = await forwardAuth(b.url, uri);
    expect(replay.status).toBe(400);
    expect(replay.headers.get("set-cookie")).toBeNull();
    expect(await replay.text()).toContain("This sign-in link has expired");
  });
});
