// Server-Sent Events on a listening server: project status and operation progress, and the
// preview container's output, demultiplexed, as it happens.
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedInUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { createStandInTemplate, eventually, type ProjectsHarness, projectsHarness } from "./helpers/projects.js";
import { openSse } from "./helpers/sse.js";

let database: TestDatabase;
let h: ProjectsHarness;
let owner: Awaited<ReturnType<typeof signedInUser>>;
let base: string;
let templateId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  h = await projectsHarness(database);
  await h.app.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/api/v1`;
  owner = await signedInUser(database.db);
  templateId = (await createStandInTemplate(database)).id;
});
afterAll(async () => {
  await h?.close();
  await database?.drop();
});

const post = async (url: string, body?: object) =>
  fetch(`${base}${url}`, {
    method: "POST",
    headers: { ...owner.headers, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

describe("project streams", () => {
  let id: string;

  it("streams the project first, then operation progress, then the project running", async () => {
    const res = await post("/projects", { name: "Streamed", templateId });
    const created = (await res.json()) as { project: { id: string }; operation: { id: string } };
    id = created.project.id;
    const sse = await openSse(`${base}/projects/${id}/events`, owner.headers);
    try {
      expect(sse.status).toBe(200);
      expect(sse.headers["content-type"]).toContain("text/event-stream");
      await sse.next((e) => e.event === "project");
      expect(sse.events[0]).toMatchObject({ event: "project", data: { id, name: "Streamed" } });
      const done = await sse.next(
        (e) => e.event === "operation" && (e.data as { status: string }).status === "succeeded",
      );
      expect(done.data).toMatchObject({ id: created.operation.id, progress: 100 });
      await sse.next((e) => e.event === "project" && (e.data as { status: string }).status === "running");
      const progress = sse.events
        .filter((e) => e.event === "operation")
        .map((e) => (e.data as { progress: number }).progress);
      expect(progress.length).toBeGreaterThan(2);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
    } finally {
      await sse.close();
    }
  });

  it("returns the last lines and ends at once without follow", async () => {
    const logs = await openSse(`${base}/projects/${id}/logs?tail=1&follow=false`, owner.headers);
    try {
      await logs.next((e) => e.event === "end");
      expect(logs.events.map((e) => e.event)).toEqual(["log", "end"]);
      await logs.serverEnded();
    } finally {
      await logs.close();
    }
  });

  it("streams the preview's output line by line and ends when the container stops", async () => {
    const logs = await openSse(`${base}/projects/${id}/logs?service=preview&tail=50&follow=true`, owner.headers);
    try {
      const hello = await logs.next((e) => String((e.data as { line: string }).line).includes("listening on 3000"));
      expect(hello.data).toMatchObject({ stream: "stdout", ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
      const svc = await database.db.serviceInstance.findFirstOrThrow({ where: { projectId: id } });
      await h.serviceFetch(svc.endpoint, `/from-the-test?x=1`);
      await logs.next((e) => (e.data as { line: string }).line === "GET /from-the-test?x=1");

      expect((await post(`/projects/${id}/stop`)).status).toBe(202);
      await logs.next((e) => e.event === "end", 15_000);
      // …and the server closes the response.
      await logs.serverEnded();
    } finally {
      await logs.close();
    }
  });

  it("shows the stop in the events stream of a second client", async () => {
    const sse = await openSse(`${base}/projects/${id}/events`, owner.headers);
    try {
      await sse.next((e) => e.event === "project" && (e.data as { status: string }).status === "stopped");
    } finally {
      await sse.close();
    }
    // The server noticed the client going away and keeps serving.
    await eventually(
      async () => (await fetch(`${base}/projects/${id}`, { headers: owner.headers })).status,
      (s) => s === 200,
    );
  });
});
