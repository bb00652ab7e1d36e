// GET /api/v1/audit (issue #16) on a real PostgreSQL: who sees what, the filters, paging by
// cursor, and bad filters refused with a 400.
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeAuditReader } from "../src/composition/audit.js";
import { buildTestApp } from "./helpers/app.js";
import { signedInUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";

let database: TestDatabase;
let app: FastifyInstance;
let admin: Awaited<ReturnType<typeof signedInUser>>;
let alice: Awaited<ReturnType<typeof signedInUser>>;
let bob: Awaited<ReturnType<typeof signedInUser>>;
const projectA = randomUUID();
const projectB = randomUUID();
const T0 = Date.parse("2026-01-01T00:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

beforeAll(async () => {
  database = await createTestDatabase();
  app = await buildTestApp(database, { audit: composeAuditReader(database.db) });
  admin = await signedInUser(database.db, { role: "admin" });
  alice = await signedInUser(database.db);
  bob = await signedInUser(database.db);
  // Creating users and tokens may audit too: start from a known log.
  await database.db.auditEvent.deleteMany({});
  const rows = [
    { actorId: alice.user.id, action: "project.create", target: projectA, createdAt: at(1) },
    { actorId: alice.user.id, action: "project.stop", target: projectA, createdAt: at(2) },
    { actorId: alice.user.id, action: "agent.prompt", target: projectA, createdAt: at(3), data: { sessionId: "s1" } },
    { actorId: bob.user.id, action: "project.create", target: projectB, createdAt: at(4) },
    { actorId: bob.user.id, action: "api_token.create", target: "api_token:x", createdAt: at(5), ip: "10.0.0.9" },
    { actorId: null, action: "auth.refresh_reuse", target: "session:y", createdAt: at(6) },
  ];
  for (const r of rows) await database.db.auditEvent.create({ data: r });
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

const get = (who: { headers: Record<string, string> } | null, query = "") =>
  app.inject({ method: "GET", url: `/api/v1/audit${query}`, headers: who?.headers ?? {} });
const actions = (body: { events: Array<{ action: string }> }) => body.events.map((e) => e.action);

describe("GET /api/v1/audit", () => {
  it("shows an admin every event, newest first", async () => {
    const res = await get(admin);
    expect(res.statusCode).toBe(200);
    expect(actions(res.json())).toEqual([
      "auth.refresh_reuse",
      "api_token.create",
      "project.create",
      "agent.prompt",
      "project.stop",
      "project.create",
    ]);
    expect(res.json().events[1]).toMatchObject({
      actorId: bob.user.id,
      target: "api_token:x",
      ip: "10.0.0.9",
      createdAt: at(5).toISOString(),
    });
    expect(res.json().nextCursor).toBeNull();
  });

  it("shows anyone else only their own events, whatever actor they ask for", async () => {
    const own = await get(alice);
    expect(actions(own.json())).toEqual(["agent.prompt", "project.stop", "project.create"]);
    expect(own.json().events[0].data).toEqual({ sessionId: "s1" });
    expect((await get(alice, `?actor=${bob.user.id}`)).json()).toEqual({ events: [], nextCursor: null });
    expect(actions((await get(alice, `?project=${projectB}`)).json())).toEqual([]);
    expect(actions((await get(bob)).json())).toEqual(["api_token.create", "project.create"]);
    expect((await get(null)).statusCode).toBe(401);
  });

  it("filters by actor, project, action (exact or prefix) and time", async () => {
    expect(actions((await get(admin, `?actor=${bob.user.id}`)).json())).toEqual(["api_token.create", "project.create"]);
    expect(actions((await get(admin, `?project=${projectA}`)).json())).toEqual([
      "agent.prompt",
      "project.stop",
      "project.create",
    ]);
    expect(actions((await get(admin, "?action=project.create")).json())).toEqual(["project.create", "project.create"]);
    expect(actions((await get(admin, "?action=project.*")).json())).toEqual([
      "project.create",
      "project.stop",
      "project.create",
    ]);
    const window = `?from=${at(2).toISOString()}&to=${at(4).toISOString()}`;
    expect(actions((await get(admin, window)).json())).toEqual(["agent.prompt", "project.stop"]);
    expect(
      actions((await get(admin, `?actor=${alice.user.id}&action=project.*&from=${at(2).toISOString()}`)).json()),
    ).toEqual(["project.stop"]);
  });

  it("pages with a cursor, without gaps or repeats", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(admin, `?limit=4${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      seen.push(...body.events.map((e: { id: string }) => e.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    const all = (await get(admin)).json().events.map((e: { id: string }) => e.id);
    expect(seen).toEqual(all);
  });

  it("refuses bad filters with a 400 naming them", async () => {
    for (const q of [
      "?actor=alice",
      "?project=not-a-uuid",
      "?action=DROP%20TABLE",
      "?from=yesterday",
      `?from=${at(5).toISOString()}&to=${at(1).toISOString()}`,
      "?limit=0",
      "?limit=1000",
    ]) {
      const res = await get(admin, q);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.code, q).toBe("VALIDATION_FAILED");
    }
    expect((await get(admin, "?cursor=bm9wZQ")).json().error.code).toBe("INVALID_CURSOR");
  });
});
