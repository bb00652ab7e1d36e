// The built-in vite-react template deployed for real: `vite build` in the build container, the
// committed artifact served by `vite preview`, on the project's public host through the edge.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken, createUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import {
  baseUrl,
  createDeployTemplate,
  type DeploymentsHarness,
  deploymentsHarness,
  viaEdge,
} from "./helpers/deployments.js";
import { eventually } from "./helpers/projects.js";
import { TEMPLATES_DIR } from "./helpers/template-service.js";

let database: TestDatabase;
let h: DeploymentsHarness;
let authorization = "";

const api = async <T>(method: string, p: string, body?: unknown) =>
  (await (
    await fetch(`${baseUrl(h.app)}/api/v1${p}`, {
      method,
      headers: { authorization, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    })
  ).json()) as T;

beforeAll(async () => {
  database = await createTestDatabase();
  h = await deploymentsHarness(database, { healthTimeoutMs: 30_000 });
  authorization = (await createApiToken(database.db, (await createUser(database.db)).id)).authorization;
});

afterAll(async () => {
  await h?.close();
  await database?.drop();
});

describe("vite-react: production deployment", () => {
  it("builds with vite and serves the bundle on the public host", async () => {
    // Its agent plays no part in a deployment: left out, the project starts sooner.
    const template = await createDeployTemplate(database, `${TEMPLATES_DIR}/vite-react`, ["opencode"]);
    const { project } = await api<{ project: { id: string; slug: string } }>("POST", "/projects", {
      name: "Vite shop",
      templateId: template.id,
    });
    await eventually(
      async () => (await api<{ status: string }>("GET", `/projects/${project.id}`)).status,
      (s) => s === "running",
      60_000,
    );
    const t0 = performance.now();
    const { deployment } = await api<{ deployment: { number: number } }>("POST", `/projects/${project.id}/deployments`);
    type Dep = { status: string; log: string; error: string | null };
    const done = await eventually(
      async () =>
        (await api<{ deployment: Dep }>("GET", `/projects/${project.id}/deployments/${deployment.number}`)).deployment,
      (d) => !["queued", "building", "starting"].includes(d.status),
      90_000,
      200,
    );
    console.log(`vite-react deploy: POST → live in ${Math.round(performance.now() - t0)} ms`);
    expect(done.status, done.log).toBe("live");
    expect(done.log).toMatch(/built in \d/);

    const host = `${project.slug}.localhost`;
    const page = await viaEdge(h.edgePort, host);
    expect(page.status).toBe(200);
    expect(page.body).not.toContain("/@vite/client");
    const bundle = /src="(\/assets\/index-[\w-]+\.js)"/.exec(page.body)?.[1];
    expect(bundle).toBeTruthy();
    const js = await viaEdge(h.edgePort, host, bundle);
    expect(js.body).toContain("Hello from ");
    // The build ran with the project's slug: the page greets it by name.
    expect(js.body).toContain(project.slug);
  });
});
