// The vite-react preview through the builtin edge and the service gate (the embedded default),
// across a stop and start of the project: the HMR WebSocket must come back with the new
// container and carry its updates, as it did before the restart.
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prismaAuditLog } from "../src/adapters/persistence/prisma-audit-log.js";
import { prismaTemplateStore } from "../src/adapters/persistence/prisma-template-store.js";
import { fsBuiltInTemplates } from "../src/adapters/templates/fs-built-in-templates.js";
import { buildEdge } from "../src/edge/edge-server.js";
import { templatesServiceFactory } from "../src/modules/templates/templates.service.js";
import { signedInUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { requestVia } from "./helpers/http-client.js";
import { eventually, type ProjectsHarness, projectsHarness, testEdge } from "./helpers/projects.js";
import { tarOf } from "./helpers/tar.js";
import { TEMPLATES_DIR } from "./helpers/template-service.js";
import { hmrSocket, type ViteTarget } from "./helpers/vite-hmr.js";

let database: TestDatabase;
let h: ProjectsHarness;
let edge: FastifyInstance;
let owner: Awaited<ReturnType<typeof signedInUser>>;

const api = (method: "GET" | "POST", url: string, payload?: object) =>
  h.app.inject({ method, url: `/api/v1${url}`, headers: owner.headers, ...(payload ? { payload } : {}) });
const status = (id: string, want: string) =>
  eventually(
    async () => (await api("GET", `/projects/${id}`)).json(),
    (p) => p.status === want || p.status === "failed",
    90_000,
    200,
  );

beforeAll(async () => {
  database = await createTestDatabase();
  await templatesServiceFactory({
    templates: prismaTemplateStore(database.db),
    audit: prismaAuditLog(database.db),
  }).seedBuiltIns(fsBuiltInTemplates(TEMPLATES_DIR));
  h = await projectsHarness(database, { healthTimeoutMs: 60_000 });
  owner = await signedInUser(database.db);
  edge = await buildEdge({ access: testEdge(database).edge.access, logger: false, connector: h.connector });
  await edge.listen({ host: "127.0.0.1", port: 0 });
}, 60_000);
afterAll(async () => {
  await edge?.close();
  await h?.close();
  await database?.drop();
});

describe("HMR through the service gate", () => {
  it("carries updates before and after the project is stopped and started", async () => {
    const res = await api("POST", "/projects", { name: "Gate Hmr", template: "vite-react" });
    expect(res.statusCode).toBe(202);
    const id = res.json().project.id;
    expect((await status(id, "running")).status).toBe("running");
    const port = (edge.server.address() as AddressInfo).port;
    const target: ViteTarget = { port, host: `gate-hmr--preview.localhost:${port}`, headers: owner.headers };
    const edit = async (text: string) => {
      const svc = await database.db.serviceInstance.findFirstOrThrow({ where: { projectId: id, kind: "preview" } });
      const app = `export function App() {\n  return <h1>${text}</h1>;\n}\n`;
      await h.runtime.docker
        .getContainer(svc.containerId as string)
        .putArchive(tarOf([{ name: "App.tsx", content: app }]), { path: "/app/src" });
    };
    const roundTrip = async (text: string) => {
      const { ws, next } = await hmrSocket(target);
      try {
        await next("connected", 10_000);
        await edit(text);
        const update = await next("update", 15_000);
        expect(update.updates).toContainEqual(expect.objectContaining({ path: "/src/App.tsx" }));
      } finally {
        ws.close();
      }
    };
    await roundTrip("Before the restart");

    expect((await api("POST", `/projects/${id}/stop`)).statusCode).toBe(202);
    expect((await status(id, "stopped")).status).toBe("stopped");
    expect((await api("POST", `/projects/${id}/start`)).statusCode).toBe(202);
    expect((await status(id, "running")).status).toBe("running");
    await roundTrip("After the restart");
    // The browser then fetches the updated module, after the pooled connections sat idle past
    // Vite's keep-alive timeout (5 s).
    await new Promise((r) => setTimeout(r, 7000));
    const mod = await requestVia(port, target.host as string, "/src/App.tsx", { headers: owner.headers });
    expect(mod.status).toBe(200);
    expect(mod.body).toContain("After the restart");
  }, 180_000);
});
