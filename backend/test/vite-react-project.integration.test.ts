// The built-in vite-react template through the real control plane: seeded from
// backend/templates as on start, a project created over the API converges to running on the
// template's own images, its preview serves the app, and the agent can edit the seeded files.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prismaAuditLog } from "../src/adapters/persistence/prisma-audit-log.js";
import { prismaTemplateStore } from "../src/adapters/persistence/prisma-template-store.js";
import { fsBuiltInTemplates } from "../src/adapters/templates/fs-built-in-templates.js";
import { templatesServiceFactory } from "../src/modules/templates/templates.service.js";
import { signedInUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { eventually, type ProjectsHarness, projectsHarness } from "./helpers/projects.js";
import { TEMPLATES_DIR } from "./helpers/template-service.js";

let database: TestDatabase;
let h: ProjectsHarness;
let owner: Awaited<ReturnType<typeof signedInUser>>;
let projectId: string;

const api = (method: "GET" | "POST" | "DELETE", url: string, payload?: object) =>
  h.app.inject({ method, url: `/api/v1${url}`, headers: owner.headers, ...(payload ? { payload } : {}) });
const endpointOf = async (kind: "preview" | "opencode") =>
  (await database.db.serviceInstance.findFirstOrThrow({ where: { projectId, kind } })).endpoint as string;

beforeAll(async () => {
  database = await createTestDatabase();
  const templates = templatesServiceFactory({
    templates: prismaTemplateStore(database.db),
    audit: prismaAuditLog(database.db),
  });
  await templates.seedBuiltIns(fsBuiltInTemplates(TEMPLATES_DIR));
  h = await projectsHarness(database, { healthTimeoutMs: 60_000 });
  owner = await signedInUser(database.db);
});
afterAll(async () => {
  await h?.close();
  await database?.drop();
});

describe("a vite-react project through the projects API", () => {
  it("is seeded as a built-in template and converges to running", async () => {
    const { templates } = (await api("GET", "/templates")).json() as {
      templates: { id: string; slug: string; builtIn: boolean; services: Record<string, unknown> }[];
    };
    const template = templates.find((t) => t.slug === "vite-react");
    expect(template).toMatchObject({ builtIn: true });
    expect(Object.keys(template?.services ?? {}).sort()).toEqual(["opencode", "preview", "production"]);

    const res = await api("POST", "/projects", { name: "Hot App", templateId: template?.id });
    expect(res.statusCode).toBe(202);
    projectId = res.json().project.id;
    const p = await eventually(
      async () => (await api("GET", `/projects/${projectId}`)).json(),
      (p) => p.status === "running" || p.status === "failed",
      90_000,
      200,
    );
    expect(p).toMatchObject({ status: "running", statusMessage: null });
  }, 100_000);

  it("serves the app from the seeded files on the preview endpoint", async () => {
    const preview = await endpointOf("preview");
    const page = await h.serviceFetch(preview, `/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('src="/src/main.tsx"');
    expect(await (await h.serviceFetch(preview, `/src/App.tsx`)).text()).toContain("Hello from ");
    // The page greets with the project's slug, which the control plane passes to the container.
    expect(await (await h.serviceFetch(preview, `/src/project.ts`)).text()).toMatch(/"VITE_PROJECT_NAME":\s*"hot-app"/);
  });

  it("runs the agent with the password the control plane gives the project, and only with it", async () => {
    const agent = await endpointOf("opencode");
    expect((await h.serviceFetch(agent, `/global/health`)).status).toBe(401);
    const basic = Buffer.from(`opencode:${await h.opencodePassword(projectId)}`).toString("base64");
    const health = await h.serviceFetch(agent, `/global/health`, { headers: { authorization: `Basic ${basic}` } });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ healthy: true });
  });

  it("lets the agent's container write the project's files (they belong to its user)", async () => {
    const [agent] = await h.runtime.listContainers({ "devsanctum.project": projectId, "devsanctum.kind": "opencode" });
    const exec = await h.runtime.docker.getContainer(agent?.id ?? "").exec({
      Cmd: ["sh", "-c", "echo edited >> /app/src/App.tsx && touch /app/NEW.md && id -u"],
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({});
    const out = await new Promise<string>((resolve) => {
      let s = "";
      stream.on("data", (d: Buffer) => (s += d.toString("utf8")));
      stream.on("end", () => resolve(s));
    });
    expect(out).not.toMatch(/denied/i);
    expect((await exec.inspect()).ExitCode).toBe(0);
  });
});
