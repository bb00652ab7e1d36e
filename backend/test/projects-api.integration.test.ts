// The projects and templates API on a real database and Docker engine: validation creates
// nothing, ownership hides other users' projects (404), slugs, admin-only template writes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prismaTemplateStore } from "../src/adapters/persistence/prisma-template-store.js";
import { templatesServiceFactory } from "../src/modules/templates/templates.service.js";
import { signedInUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import {
  createStandInTemplate,
  eventually,
  type ProjectsHarness,
  projectsHarness,
  standInPreview,
} from "./helpers/projects.js";

let database: TestDatabase;
let h: ProjectsHarness;
type Caller = Awaited<ReturnType<typeof signedInUser>>;
let alice: Caller;
let bob: Caller;
let admin: Caller;
let templateId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  h = await projectsHarness(database);
  alice = await signedInUser(database.db);
  bob = await signedInUser(database.db);
  admin = await signedInUser(database.db, {
    role: "admin",
    scopes: ["projects:read", "projects:write", "templates:read", "templates:write"],
  });
  templateId = (await createStandInTemplate(database)).id;
});
afterAll(async () => {
  await h?.close();
  await database?.drop();
});

const call = (who: Caller, method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown) =>
  h.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { ...who.headers, ...(typeof payload === "string" ? { "content-type": "application/json" } : {}) },
    ...(payload !== undefined ? { payload: payload as string } : {}),
  });
const nothingCreated = async () => {
  expect(await database.db.project.count()).toBe(0);
  const containers = await h.runtime.listContainers({ "devsanctum.install": h.installId });
  // The install's service gate is shared by every project, not created for one.
  expect(containers.filter((c) => c.labels["devsanctum.kind"] !== "gate")).toEqual([]);
};

describe("bad input creates nothing", () => {
  it.each([
    [
      "an unknown template",
      { name: "x", templateId: "00000000-0000-4000-8000-000000000000" },
      400,
      "TEMPLATE_NOT_FOUND",
    ],
    ["a template id that is no uuid", { name: "x", templateId: "nope" }, 400, "VALIDATION_FAILED"],
    ["a name with nothing DNS-safe", { name: "!!! ???" }, 400, "INVALID_PROJECT_NAME"],
    ["an empty name", { name: "   " }, 400, "VALIDATION_FAILED"],
    ["a name too long", { name: "x".repeat(61) }, 400, "VALIDATION_FAILED"],
    ["a reserved name", { name: "WWW" }, 400, "PROJECT_NAME_RESERVED"],
    ["another reserved name", { name: "traefik" }, 400, "PROJECT_NAME_RESERVED"],
    ["a prompt too long", { name: "ok", prompt: "p".repeat(20_001) }, 400, "VALIDATION_FAILED"],
    ["an unknown field type", { name: 42 }, 400, "VALIDATION_FAILED"],
    // Regression: a NUL byte in a name gave 500 (issue #10); other control characters are refused too.
    ["a NUL byte in the name", { name: "a\u0000b" }, 400, "CONTROL_CHARACTER"],
    ["a NUL byte in the prompt", { name: "ok", prompt: "build\u0000" }, 400, "CONTROL_CHARACTER"],
    ["a newline in the name", { name: "two\nlines" }, 400, "VALIDATION_FAILED"],
    ["an escape in the name", { name: "\u001b[31mred" }, 400, "VALIDATION_FAILED"],
    ["an unknown template slug", { name: "x", templateId: undefined, template: "no-such" }, 400, "TEMPLATE_NOT_FOUND"],
    [
      "a template slug that is no slug",
      { name: "x", templateId: undefined, template: "Vite React" },
      400,
      "VALIDATION_FAILED",
    ],
    ["both a template id and a slug", { name: "x", template: "vite-react" }, 400, "VALIDATION_FAILED"],
    ["no template at all", { name: "x", templateId: undefined }, 400, "VALIDATION_FAILED"],
  ])("refuses %s", async (_what, body, status, code) => {
    const res = await call(alice, "POST", "/projects", { templateId, ...body });
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
    await nothingCreated();
  });

  it("refuses a body over the limit with 413", async () => {
    const res = await call(
      alice,
      "POST",
      "/projects",
      JSON.stringify({ name: "big", templateId, prompt: "p".repeat(1_100_000) }),
    );
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe("BODY_TOO_LARGE");
    await nothingCreated();
  });

  it("refuses without credentials and without the write scope", async () => {
    const anonymous = await h.app.inject({
      method: "POST",
      url: "/api/v1/projects",
      payload: { name: "a", templateId },
    });
    expect(anonymous.statusCode).toBe(401);
    const reader = await signedInUser(database.db, { scopes: ["projects:read"] });
    expect((await call(reader, "POST", "/projects", { name: "a", templateId })).statusCode).toBe(403);
    await nothingCreated();
  });
});

describe("slugs, names and ownership", () => {
  let aliceProject: { id: string; slug: string };

  it("turns a name into a DNS label: lowercase, no '--', at most 40 characters", async () => {
    const res = await call(alice, "POST", "/projects", { name: "Crème -- Brûlée!  Shop", templateId });
    expect(res.statusCode).toBe(202);
    aliceProject = res.json().project;
    expect(aliceProject.slug).toBe("creme-brulee-shop");
    const long = await call(alice, "POST", "/projects", { name: `A ${"very ".repeat(8)}long name`, templateId });
    expect(long.json().project.slug).toMatch(/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/);
    expect(long.json().project.slug).not.toContain("--");
  });

  it("refuses the same name twice for one owner (409) and suffixes a slug taken by someone else", async () => {
    const again = await call(alice, "POST", "/projects", { name: "crème -- brûlée!  shop", templateId });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe("PROJECT_NAME_TAKEN");
    const bobs = await call(bob, "POST", "/projects", { name: "Creme Brulee Shop", templateId });
    expect(bobs.statusCode).toBe(202);
    expect(bobs.json().project.slug).toBe("creme-brulee-shop-2");
  });

  it("shows another user's project as a 404 everywhere, admins see all", async () => {
    const id = aliceProject.id;
    for (const [method, url] of [
      ["GET", `/projects/${id}`],
      ["POST", `/projects/${id}/start`],
      ["POST", `/projects/${id}/stop`],
      ["POST", `/projects/${id}/restart`],
      ["DELETE", `/projects/${id}`],
      ["GET", `/projects/${id}/operations`],
      ["GET", `/projects/${id}/events`],
      ["GET", `/projects/${id}/logs`],
    ] as const) {
      const res = await call(bob, method, url);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.code).toBe("PROJECT_NOT_FOUND");
    }
    const op = (await call(alice, "GET", `/projects/${id}/operations`)).json().operations[0];
    expect((await call(bob, "GET", `/operations/${op.id}`)).statusCode).toBe(404);
    expect((await call(alice, "GET", `/operations/${op.id}`)).json()).toMatchObject({ id: op.id, kind: "create" });

    const bobList = (await call(bob, "GET", "/projects")).json().projects.map((p: { slug: string }) => p.slug);
    expect(bobList).toEqual(["creme-brulee-shop-2"]);
    const all = (await call(admin, "GET", "/projects")).json().projects;
    expect(all).toHaveLength(3);
    expect((await call(admin, "GET", `/projects/${id}`)).statusCode).toBe(200);
  });

  it("repeats a start that is in flight harmlessly: the same operation comes back", async () => {
    // A preview that never answers keeps its create in flight (the health step waits 20 s), so
    // the starts cannot come after it finished, as they could on a loaded machine.
    const silent = await createStandInTemplate(database, standInPreview({ command: ["sleep", "600"] }));
    const created = (await call(alice, "POST", "/projects", { name: "Still Starting", templateId: silent.id })).json();
    const first = await call(alice, "POST", `/projects/${created.project.id}/start`);
    const second = await call(alice, "POST", `/projects/${created.project.id}/start`);
    expect(first.statusCode).toBe(202);
    expect(first.json().operation.id).toBe(created.operation.id);
    expect(second.json().operation.id).toBe(first.json().operation.id);
  });
});

describe("templates", () => {
  it("lists templates for any signed-in user", async () => {
    const res = await call(bob, "GET", "/templates");
    expect(res.statusCode).toBe(200);
    expect(res.json().templates).toContainEqual(
      expect.objectContaining({ id: templateId, name: "Stand-in", services: { preview: expect.any(Object) } }),
    );
  });

  it("lets only admins create, change and delete; refuses to delete one in use", async () => {
    const body = { slug: "plain-node", name: "Plain node", services: { preview: standInPreview() } };
    const noScope = await call(alice, "POST", "/templates", body);
    expect(noScope.statusCode).toBe(403);
    const member = await signedInUser(database.db, { scopes: ["templates:read", "templates:write"] });
    expect((await call(member, "POST", "/templates", body)).json().error.code).toBe("ADMIN_ONLY");

    const created = await call(admin, "POST", "/templates", body);
    expect(created.statusCode).toBe(201);
    const t = created.json();
    expect(t).toMatchObject({ slug: "plain-node", builtIn: false, description: "" });
    expect((await call(admin, "POST", "/templates", body)).statusCode).toBe(409);

    const bad = await call(admin, "PATCH", `/templates/${t.id}`, { services: { preview: { image: "x" } } });
    expect(bad.statusCode).toBe(400);
    const renamed = await call(admin, "PATCH", `/templates/${t.id}`, { name: "Plain Node 20" });
    expect(renamed.json()).toMatchObject({ name: "Plain Node 20" });

    const inUse = await call(admin, "DELETE", `/templates/${templateId}`);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().error.code).toBe("TEMPLATE_IN_USE");
    expect((await call(admin, "DELETE", `/templates/${t.id}`)).statusCode).toBe(204);
    expect((await call(admin, "DELETE", `/templates/${t.id}`)).statusCode).toBe(404);
  });

  // Regression: "capability deny-list bypassed" (issue #10): SYS_ADMIN was refused, but
  // CAP_SYS_ADMIN and ALL were stored, and a container ran with CAP_SYS_ADMIN.
  it.each([["SYS_ADMIN"], ["CAP_SYS_ADMIN"], ["cap_sys_admin"], ["ALL"], ["NET_ADMIN"], ["SYS_PTRACE"], ["NET_RAW"]])(
    "refuses a service spec that asks for %s, and stores nothing",
    async (cap) => {
      const before = await database.db.template.count();
      const res = await call(admin, "POST", "/templates", {
        slug: "evil",
        name: "Evil",
        services: { preview: standInPreview({ capabilities: ["CHOWN", cap] }) },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(/not granted to templates; allowed: AUDIT_WRITE, CHOWN/);
      expect(await database.db.template.count()).toBe(before);
    },
  );

  it("stores allowed capabilities in their normal form, with or without CAP_", async () => {
    const res = await call(admin, "POST", "/templates", {
      slug: "caps",
      name: "Caps",
      services: { preview: standInPreview({ capabilities: ["cap_net_bind_service", "CHOWN", "CAP_CHOWN"] }) },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().services.preview.capabilities).toEqual(["NET_BIND_SERVICE", "CHOWN"]);
    expect((await call(admin, "DELETE", `/templates/${res.json().id}`)).statusCode).toBe(204);
  });

  it("never grants a capability off the allow-list, even from a template stored before it, and removes it at start", async () => {
    // As a row written by an older version: straight into the database, past the API.
    const legacy = await createStandInTemplate(database, standInPreview({ capabilities: ["CAP_SYS_ADMIN", "CHOWN"] }));
    const res = await call(alice, "POST", "/projects", { name: "Legacy Caps", templateId: legacy.id });
    expect(res.statusCode).toBe(202);
    const id = res.json().project.id;
    const container = await eventually(
      async () =>
        (await database.db.serviceInstance.findFirst({ where: { projectId: id, kind: "preview" } }))?.containerId,
      (c) => Boolean(c),
    );
    const info = await h.runtime.docker.getContainer(container as string).inspect();
    expect(info.HostConfig.CapAdd).toEqual(["CHOWN"]);
    expect(info.HostConfig.CapDrop).toEqual(["ALL"]);

    const templates = templatesServiceFactory({
      templates: prismaTemplateStore(database.db),
      audit: { record: async () => {} },
    });
    expect(await templates.revalidateStored()).toEqual([{ slug: legacy.slug, capabilities: ["preview: SYS_ADMIN"] }]);
    const stored = await database.db.template.findUniqueOrThrow({ where: { id: legacy.id } });
    expect((stored.services as { preview: { capabilities: string[] } }).preview.capabilities).toEqual(["CHOWN"]);
    expect(await templates.revalidateStored()).toEqual([]);
    await call(alice, "DELETE", `/projects/${id}?keepData=false`);
  });

  // Issue #10 (sessions and curl): the README's curl examples need no template lookup.
  it("creates a project from a template's slug as well as its id", async () => {
    const t = await database.db.template.findUniqueOrThrow({ where: { id: templateId } });
    const res = await call(alice, "POST", "/projects", { name: "By Slug", template: t.slug });
    expect(res.statusCode).toBe(202);
    expect(res.json().project).toMatchObject({ slug: "by-slug", templateId });
    await call(alice, "DELETE", `/projects/${res.json().project.id}?keepData=false`);
  });

  it("records who changed what in the audit log", async () => {
    const actions = (await database.db.auditEvent.findMany({ orderBy: { createdAt: "asc" } })).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining(["project.create", "template.create", "template.update", "template.delete"]),
    );
  });
});
