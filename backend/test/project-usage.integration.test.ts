// GET /projects/{id}/usage and the operation and error series of GET /metrics (issue #16), on
// the real app, PostgreSQL, Docker and the builtin edge: requests through the edge move the
// project's per-host counters, Docker's stats give its container's memory, and the owner alone
// may read them.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "../src/adapters/persistence/prisma-client.js";
import { composeMetrics } from "../src/composition/metrics.js";
import { signedInUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { requestVia } from "./helpers/http-client.js";
import { createStandInTemplate, eventually, type ProjectsHarness, projectsHarness } from "./helpers/projects.js";

const METRICS_TOKEN = `metrics-${randomBytes(12).toString("hex")}`;
const metrics = composeMetrics({ token: METRICS_TOKEN, defaultMetrics: false });
let database: TestDatabase;
let h: ProjectsHarness;
let owner: Awaited<ReturnType<typeof signedInUser>>;
let project: { id: string; host: string; hostname: string };

/** The sum of a metric's samples whose labels include `labels` (0 when none). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[4]);
  }
  return sum;
}

const scrape = async () => {
  const res = await h.app.inject({
    method: "GET",
    url: "/metrics",
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  expect(res.statusCode).toBe(200);
  return res.body;
};
const usageOf = (id: string, as = owner) =>
  h.app.inject({ method: "GET", url: `/api/v1/projects/${id}/usage`, headers: as.headers });

beforeAll(async () => {
  database = await createTestDatabase();
  // A long idle timeout: the project stays awake; `idle` brings the harness's builtin edge.
  h = await projectsHarness(database, { metrics, usage: true, idle: { timeoutS: 3600 } });
  owner = await signedInUser(database.db);
  const template = await createStandInTemplate(database);
  const res = await h.app.inject({
    method: "POST",
    url: "/api/v1/projects",
    headers: owner.headers,
    payload: { name: `Usage ${randomBytes(2).toString("hex")}`, templateId: template.id },
  });
  expect(res.statusCode).toBe(202);
  const { id, slug } = res.json().project as { id: string; slug: string };
  await eventually(
    () => database.db.project.findUniqueOrThrow({ where: { id } }),
    (p) => p.status === "running",
    60_000,
  );
  const hostname = `${slug}--preview.localhost`;
  project = { id, hostname, host: `${hostname}:${h.edgePort}` };
}, 90_000);

afterAll(async () => {
  await h?.close();
  await database?.drop();
});

describe("GET /projects/{id}/usage", () => {
  it("counts requests and bytes through the edge per host, and gives the container's memory", async () => {
    const before = (await usageOf(project.id)).json();
    const preview = (u: typeof before) => u.hosts.find((x: { hostname: string }) => x.hostname === project.hostname);
    expect(preview(before)).toMatchObject({ kind: "preview" });
    for (let i = 0; i < 3; i++) {
      expect((await requestVia(h.edgePort as number, project.host, "/", { headers: owner.headers })).status).toBe(200);
    }
    const res = await usageOf(project.id);
    expect(res.statusCode).toBe(200);
    const after = res.json();
    expect(preview(after).requests - preview(before).requests).toBe(3);
    // Three responses, headers included.
    expect(preview(after).bytesSent - preview(before).bytesSent).toBeGreaterThan(3 * 100);
    expect(Date.parse(preview(after).lastActivityAt)).toBeGreaterThan(Date.parse(after.since));
    const container = after.containers.find((c: { kind: string }) => c.kind === "preview");
    expect(container.running).toBe(true);
    expect(container.memoryBytes).toBeGreaterThan(0);
    // The stand-in's limit: 128 MB.
    expect(container.memoryLimitBytes).toBe(128 * 1024 * 1024);
    expect(typeof container.cpuPercent).toBe("number");
  });

  it("is a 404 for another user and a 400 for an id that is not a uuid", async () => {
    const stranger = await signedInUser(database.db);
    const other = await usageOf(project.id, stranger);
    expect(other.statusCode).toBe(404);
    expect(other.json().error.code).toBe("PROJECT_NOT_FOUND");
    expect((await usageOf(randomUUID())).statusCode).toBe(404);
    expect((await usageOf("not-a-uuid")).statusCode).toBe(400);
  });

  it("is in /docs with its schema", async () => {
    const doc = (await h.app.inject({ method: "GET", url: "/docs/json" })).json();
    const op = doc.paths["/api/v1/projects/{id}/usage"].get;
    expect(op.operationId).toBe("getProjectUsage");
    expect(doc.components.schemas.ProjectUsage.required).toEqual(
      expect.arrayContaining(["since", "sampledAt", "hosts", "containers"]),
    );
  });
});

describe("GET /metrics: operations and call errors", () => {
  it("counts the create by kind and outcome, with its steps' durations", async () => {
    const text = await scrape();
    expect(
      sample(text, "devsanctum_operations_total", { kind: "create", outcome: "succeeded" }),
    ).toBeGreaterThanOrEqual(1);
    for (const step of ["create", "start", "health"]) {
      expect(sample(text, "devsanctum_operation_step_duration_seconds_count", { kind: "create", step })).toBe(1);
    }
    expect(text).not.toContain(project.id);
  });

  it("counts a failed Docker call by operation, not the engine's tolerated 404s", async () => {
    const before = await scrape();
    const gone = `devsanctum-usage-missing-${randomBytes(4).toString("hex")}`;
    expect(await h.runtime.inspectContainer(gone)).toBeNull();
    await expect(h.runtime.startContainer(gone)).rejects.toMatchObject({ code: "CONTAINER_GONE" });
    const after = await scrape();
    const delta = (operation: string) =>
      sample(after, "devsanctum_docker_errors_total", { operation }) -
      sample(before, "devsanctum_docker_errors_total", { operation });
    expect(delta("startContainer")).toBe(1);
    expect(delta("inspectContainer")).toBe(0);
  });

  it("counts a failed database call by Prisma error code, inside a transaction too", async () => {
    const db = createPrismaClient(database.url, { maxConnections: 2, onError: metrics.failures.databaseError });
    try {
      const before = await scrape();
      await expect(db.$queryRawUnsafe("SELECT * FROM no_such_table")).rejects.toThrow();
      // A unique violation in an interactive transaction: the extension sees the transaction's calls.
      const email = `usage-${randomBytes(4).toString("hex")}@example.test`;
      await expect(
        db.$transaction(async (tx) => {
          await tx.user.create({ data: { email, name: "A", role: "member" } });
          await tx.user.create({ data: { email, name: "B", role: "member" } });
        }),
      ).rejects.toMatchObject({ code: "P2002" });
      // The counted client still reads and writes as before.
      expect(await db.user.count({ where: { email } })).toBe(0);
      const text = await scrape();
      const delta = (labels: Record<string, string> = {}) =>
        sample(text, "devsanctum_database_errors_total", labels) -
        sample(before, "devsanctum_database_errors_total", labels);
      expect(delta({ code: "P2002" })).toBe(1);
      expect(delta()).toBe(2);
      expect(text).toMatch(/^devsanctum_database_errors_total\{code="(P\d{4}|unknown)"\} \d+$/m);
    } finally {
      await db.$disconnect();
    }
  });
});
