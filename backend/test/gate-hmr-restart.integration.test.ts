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
import { openBrowserPage } from "./helpers/chromium.js";
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

  // Regression: "the preview stops hot-updating in the console" (service gate). Any failed
  // connection through the gate made it forget its port, and a WebSocket opened before the next
  // HTTP request had looked the gate up again failed at once: the page's HMR client gave up.
  it("opens a WebSocket connection right after another connection through the gate failed", async () => {
    const svc = await database.db.serviceInstance.findFirstOrThrow({
      where: { project: { slug: "gate-hmr" }, kind: "preview" },
    });
    const { hostname, port } = new URL(svc.endpoint as string);
    for (let i = 0; i < 3; i++) {
      // A container of this install that does not exist: the gate drops the connection.
      await h.connector.fetch(`http://ds-${h.installId}-nope:${port}/`).catch(() => {});
      const socket = h.connector.createConnection({ host: hostname, port: Number(port) });
      const answer = await new Promise<string>((resolve, reject) => {
        let got = "";
        socket.on("data", (d) => {
          got += String(d);
          if (got.includes("\r\n")) resolve(got);
        });
        socket.once("error", reject);
        socket.write(`GET / HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
      });
      socket.destroy();
      expect(answer).toMatch(/^HTTP\/1\.1 200/);
    }
  });

  it("hot-updates a real browser's page through the gate", async () => {
    const route = await database.db.route.findFirstOrThrow({ where: { hostname: "gate-hmr--preview.localhost" } });
    // Public, so the browser needs no sign-in: this is about the socket, not the access.
    await database.db.route.update({ where: { id: route.id }, data: { access: "public" } });
    await new Promise((r) => setTimeout(r, 1500)); // the edge's route cache
    const port = (edge.server.address() as AddressInfo).port;
    const page = await openBrowserPage();
    const heading = 'document.querySelector("h1")?.textContent';
    const until = async (want: string, ms = 20_000) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const v = await page.evaluate<string | null>(heading);
        if (v === want) return;
        if (Date.now() > deadline) throw new Error(`the heading is still ${JSON.stringify(v)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await page.goto(`http://gate-hmr--preview.localhost:${port}/`);
      await until("After the restart");
      const svc = await database.db.serviceInstance.findFirstOrThrow({
        where: { projectId: route.projectId, kind: "preview" },
      });
      const app = "export function App() {\n  return <h1>In the browser</h1>;\n}\n";
      await h.runtime.docker
        .getContainer(svc.containerId as string)
        .putArchive(tarOf([{ name: "App.tsx", content: app }]), { path: "/app/src" });
      await until("In the browser");
    } finally {
      await page.close();
    }
  }, 60_000);
});
