// Events without polling (issue #16): the database announces committed project changes
// (LISTEN/NOTIFY), so a stream open on one replica sees another replica's write at once, with
// its periodic re-read set to an hour here so only the notification can deliver it. Each
// "replica" has its own Prisma client and its own listening connection on one database.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgChangeFeed } from "../src/adapters/persistence/pg-change-feed.js";
import { createPrismaClient, type Db } from "../src/adapters/persistence/prisma-client.js";
import { prismaProjectStore } from "../src/adapters/persistence/prisma-project-store.js";
import { prismaRouteTable } from "../src/adapters/persistence/prisma-route-table.js";
import { prismaTemplateStore } from "../src/adapters/persistence/prisma-template-store.js";
import { routeTableChanges } from "../src/composition/edge.js";
import { type ProjectEvent, projectsServiceFactory } from "../src/modules/projects/projects.service.js";
import { traefikProviderServiceFactory } from "../src/modules/traefik/traefik-provider.service.js";
import type { Principal } from "../src/ports/auth.port.js";
import type { ChangeFeed } from "../src/ports/change-feed.port.js";
import { changeFeedProjectSignals } from "../src/shared/project-signals.js";
import { createUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { createStandInTemplate } from "./helpers/projects.js";

let database: TestDatabase;
let replicaB: Db;
const feeds: ChangeFeed[] = [];
let owner: Principal;
let templateId: string;

const HOUR = 3_600_000;

async function replica(db: Db, retryMs = 50) {
  const feed = await pgChangeFeed(database.url, { retryMs });
  feeds.push(feed);
  const store = prismaProjectStore(db);
  const reads = { get: 0 };
  const counted: typeof store = {
    ...store,
    get: (id) => {
      reads.get++;
      return store.get(id);
    },
  };
  const projects = projectsServiceFactory({
    projects: counted,
    templates: prismaTemplateStore(db),
    containers: { logs: async function* () {} },
    audit: { record: async () => {} },
    wake: () => {},
    signals: changeFeedProjectSignals(feed),
    watchPollMs: HOUR,
  });
  return { feed, projects, reads };
}

/** The next event the iterator yields that satisfies `ok`, or a timeout. */
async function nextMatching(it: AsyncIterator<ProjectEvent>, ok: (e: ProjectEvent) => boolean, ms = 3000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    const r = await Promise.race([
      it.next(),
      new Promise<"timeout">((resolve) => setTimeout(resolve, Math.max(left, 0), "timeout")),
    ]);
    if (r === "timeout") throw new Error("no matching event in time");
    if (r.done) throw new Error("stream ended");
    if (ok(r.value)) return r.value;
  }
}

/** Past the stream's opening: the project, then (its first re-read) the create operation. */
async function settled(it: AsyncIterator<ProjectEvent>) {
  await nextMatching(it, (e) => e.type === "project");
  await nextMatching(it, (e) => e.type === "operation");
}

const statusIs = (status: string) => (e: ProjectEvent) => e.type === "project" && e.project.status === status;

beforeAll(async () => {
  database = await createTestDatabase();
  replicaB = createPrismaClient(database.url, { maxConnections: 2 });
  const user = await createUser(database.db);
  owner = { userId: user.id, role: "member", scopes: "all", via: "session" };
  templateId = (await createStandInTemplate(database)).id;
});
afterAll(async () => {
  for (const f of feeds) await f.close();
  await replicaB?.$disconnect();
  await database?.drop();
});

describe("change feed", () => {
  it("delivers a status change written by another replica to an open stream in milliseconds", async () => {
    const a = await replica(database.db);
    const { project } = await a.projects.create(owner, { name: `Fed ${randomUUID().slice(0, 6)}`, templateId });
    const aborter = new AbortController();
    const events = (await a.projects.watch(owner, project.id, aborter.signal))[Symbol.asyncIterator]();
    try {
      await settled(events);
      const wrote = Date.now();
      await replicaB.project.update({ where: { id: project.id }, data: { status: "running" } });
      await nextMatching(events, statusIs("running"), 1000);
      expect(Date.now() - wrote).toBeLessThan(1000);
    } finally {
      aborter.abort();
      await events.return?.();
    }
  });

  it("reconnects after its connection is killed, re-reads once, and hears changes again", async () => {
    const a = await replica(database.db, 400);
    const { project } = await a.projects.create(owner, { name: `Cut ${randomUUID().slice(0, 6)}`, templateId });
    const aborter = new AbortController();
    const events = (await a.projects.watch(owner, project.id, aborter.signal))[Symbol.asyncIterator]();
    let resyncs = 0;
    a.feed.onResync(() => resyncs++);
    try {
      await settled(events);
      await database.db.$executeRaw`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'devsanctum-change-feed' AND datname = current_database()`;
      const listening = async () =>
        (
          await database.db.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM pg_stat_activity
          WHERE application_name = 'devsanctum-change-feed' AND datname = current_database()`
        )[0]?.n ?? 0n;
      while ((await listening()) > 0n) await new Promise((r) => setTimeout(r, 10));
      // A write during the gap is caught by the re-read that follows the reconnect.
      await replicaB.project.update({ where: { id: project.id }, data: { status: "stopped" } });
      await nextMatching(events, statusIs("stopped"), 3000);
      expect(resyncs).toBeGreaterThanOrEqual(1);
      await replicaB.project.update({ where: { id: project.id }, data: { status: "running" } });
      await nextMatching(events, statusIs("running"), 1000);
    } finally {
      aborter.abort();
      await events.return?.();
    }
  });

  it("reads a changed project once for all the streams open on it", async () => {
    const a = await replica(database.db);
    const { project } = await a.projects.create(owner, { name: `Shared ${randomUUID().slice(0, 6)}`, templateId });
    const aborter = new AbortController();
    const streams = await Promise.all(
      Array.from({ length: 10 }, async () =>
        (await a.projects.watch(owner, project.id, aborter.signal))[Symbol.asyncIterator](),
      ),
    );
    try {
      for (const events of streams) await settled(events);
      const before = a.reads.get;
      await replicaB.project.update({ where: { id: project.id }, data: { status: "running" } });
      await Promise.all(streams.map((events) => nextMatching(events, statusIs("running"), 1000)));
      expect(a.reads.get - before).toBe(1);
    } finally {
      aborter.abort();
      for (const events of streams) await events.return?.();
    }
  });

  it("re-renders Traefik's document as soon as another replica adds a route", async () => {
    const a = await replica(database.db);
    const { project } = await a.projects.create(owner, { name: `Routed ${randomUUID().slice(0, 6)}`, templateId });
    const provider = traefikProviderServiceFactory({
      routes: prismaRouteTable(database.db),
      render: {
        appsDomain: "apps.example.com",
        controlPlaneUrl: "http://cp:3000",
        controlPlaneEdgeUrl: "http://cp:8080",
        forwardAuthKey: "k",
      },
      ttlMs: HOUR, // without the feed, the route would show only after an hour
      onTableChange: routeTableChanges(a.feed),
    });
    try {
      const before = await provider.current();
      const wrote = Date.now();
      await replicaB.route.create({
        data: {
          hostname: `${project.slug}--preview.apps.example.com`,
          projectId: project.id,
          kind: "preview",
          target: "http://somewhere:5173",
          access: "owner",
        },
      });
      let doc = before;
      while (doc.etag === before.etag && Date.now() - wrote < 2000) {
        await new Promise((r) => setTimeout(r, 5));
        doc = await provider.current();
      }
      expect(doc.etag).not.toBe(before.etag);
      expect(doc.body.toString()).toContain(`${project.slug}--preview`);
      expect(Date.now() - wrote).toBeLessThan(500);
    } finally {
      provider.close();
    }
  });
});
