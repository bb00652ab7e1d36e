// The edge's view of a route right after a start: the container has a new port before the
// reconciler rewrites the route (after the health check); the edge must already use it.
import { afterAll, beforeAll, expect, it } from "vitest";
import { prismaEdgeRouteLookup } from "../src/adapters/persistence/prisma-edge-route-lookup.js";
import { createUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

it("targets the service's live endpoint over the route's previous one, and falls back to the route", async () => {
  const { db } = database;
  const owner = await createUser(db);
  const template = await db.template.create({ data: { slug: "lookup", name: "Lookup", services: {} } });
  const project = await db.project.create({
    data: { slug: "restarted", name: "Restarted", ownerId: owner.id, templateId: template.id, status: "starting" },
  });
  await db.route.create({
    data: {
      hostname: "restarted--preview.localhost",
      projectId: project.id,
      kind: "preview",
      access: "owner",
      target: "http://127.0.0.1:40001",
    },
  });
  const service = await db.serviceInstance.create({
    data: { projectId: project.id, kind: "preview", observedState: "running", endpoint: "http://127.0.0.1:40002" },
  });
  const lookup = prismaEdgeRouteLookup(db);
  expect(await lookup.findByHostname("restarted--preview.localhost")).toMatchObject({
    target: "http://127.0.0.1:40002",
    serviceState: "running",
  });
  await db.serviceInstance.update({ where: { id: service.id }, data: { observedState: "exited", endpoint: null } });
  expect(await lookup.findByHostname("restarted--preview.localhost")).toMatchObject({
    target: "http://127.0.0.1:40001",
    serviceState: "exited",
  });
});
