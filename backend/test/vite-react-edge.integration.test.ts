// Issue #5's promise for the built-in template: the real vite-react preview behind the builtin
// edge, reached by its project hostname. The page's HMR client dials back to the host and port
// it was loaded from (the edge), and an edit reaches it as an update through the edge.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { networkServiceConnector } from "../src/adapters/network/service-connector.js";
import { prismaApiTokenStore } from "../src/adapters/persistence/prisma-api-token-store.js";
import { composeEdge } from "../src/composition/edge.js";
import { buildEdge } from "../src/edge/edge-server.js";
import { authenticatorFactory } from "../src/modules/auth/authenticator.js";
import { testDocker } from "./helpers/app.js";
import { signedInUser } from "./helpers/auth.js";
import { type BrowserPage, openBrowserPage } from "./helpers/chromium.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { requestVia } from "./helpers/http-client.js";
import { tarOf } from "./helpers/tar.js";
import { type RunningService, readTemplate, runTemplateService, TEMPLATES_DIR } from "./helpers/template-service.js";
import { hmrSocket, type ViteTarget, viteClient } from "./helpers/vite-hmr.js";

let database: TestDatabase;
let preview: RunningService;
let edge: FastifyInstance;
let viaEdge: ViteTarget;

beforeAll(async () => {
  database = await createTestDatabase();
  const template = await readTemplate("vite-react");
  preview = await runTemplateService(testDocker().docker, template, "preview");
  const { user, headers } = await signedInUser(database.db);
  const row = await database.db.template.create({ data: { slug: template.slug, name: template.name, services: {} } });
  // A running project whose preview route points at the container; the second one is public,
  // for a browser that has no session.
  const routeTo = async (slug: string, access: "owner" | "public") => {
    const project = await database.db.project.create({
      data: { slug, name: slug, ownerId: user.id, templateId: row.id, status: "running" },
    });
    await database.db.serviceInstance.create({
      data: { projectId: project.id, kind: "preview", observedState: "running", endpoint: preview.url },
    });
    await database.db.route.create({
      data: {
        hostname: `${slug}--preview.localhost`,
        projectId: project.id,
        kind: "preview",
        access,
        target: preview.url,
      },
    });
  };
  await routeTo("hot-app", "owner");
  await routeTo("hot-pub", "public");
  const { access } = composeEdge({
    db: database.db,
    rootSecret: randomBytes(32),
    config: {
      appsDomain: "localhost",
      publicUrl: "http://localhost:1",
      proxyProvider: "builtin",
      edge: { host: "127.0.0.1", port: 0, httpsPort: 0 },
    },
    authenticator: authenticatorFactory({ apiTokens: prismaApiTokenStore(database.db) }),
    log: { warn: () => {} },
  });
  edge = await buildEdge({ access, logger: false, connector: networkServiceConnector() });
  await edge.listen({ host: "127.0.0.1", port: 0 });
  const port = (edge.server.address() as AddressInfo).port;
  viaEdge = { port, host: `hot-app--preview.localhost:${port}`, headers };
});

afterAll(async () => {
  await edge?.close();
  await preview?.remove();
  await database?.drop();
});

describe("vite-react preview through the builtin edge", () => {
  it("serves the page on the project's hostname; the HMR client targets that same host and port", async () => {
    const page = await requestVia(viaEdge.port, viaEdge.host as string, "/", { headers: viaEdge.headers ?? {} });
    expect(page.status).toBe(200);
    expect(page.body).toContain('src="/src/main.tsx"');
    const client = await viteClient(viaEdge);
    // No fixed port or host baked in: the browser's socket goes to location's host:port, the edge.
    expect(client).toContain("const hmrPort = null;");
    expect(client).toMatch(
      /const socketHost = `\$\{null \|\| importMetaUrl\.hostname\}:\$\{hmrPort \|\| importMetaUrl\.port\}/,
    );
  });

  it("hot-updates a real browser's page through the edge: new heading, counter state kept", async () => {
    let page: BrowserPage | undefined;
    const until = async <T>(expr: string, ok: (v: T) => boolean, ms = 20_000): Promise<T> => {
      const deadline = Date.now() + ms;
      for (;;) {
        const v = await (page as BrowserPage).evaluate<T>(expr);
        if (ok(v)) return v;
        if (Date.now() > deadline) throw new Error(`${expr} is still ${JSON.stringify(v)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      page = await openBrowserPage();
      await page.goto(`http://hot-pub--preview.localhost:${viaEdge.port}/`);
      const heading = 'document.querySelector("h1")?.textContent';
      const counter = 'document.querySelector("button")?.textContent';
      await until<string | null>(heading, (h) => h === "Hello from hot-pub");
      await page.evaluate('document.querySelector("button").click(), document.querySelector("button").click()');
      await until<string | null>(counter, (c) => c === "Count is 2");

      const source = await readFile(path.join(TEMPLATES_DIR, "vite-react/files/src/App.tsx"), "utf8");
      const edited = source.replace("Hello from ", "Hot hello from ");
      await preview.container.putArchive(tarOf([{ name: "App.tsx", content: edited }]), { path: "/app/src" });
      await until<string | null>(heading, (h) => h === "Hot hello from hot-pub");
      // Fast Refresh, not a reload: the component kept its state.
      expect(await page.evaluate(counter)).toBe("Count is 2");
    } finally {
      await page?.close();
      await preview.container.putArchive(
        tarOf([
          {
            name: "App.tsx",
            content: await readFile(path.join(TEMPLATES_DIR, "vite-react/files/src/App.tsx"), "utf8"),
          },
        ]),
        { path: "/app/src" },
      );
    }
  }, 60_000);

  it("carries the HMR WebSocket and its update messages", async () => {
    const { ws, next } = await hmrSocket(viaEdge);
    try {
      await next("connected", 5_000);
      const app = await requestVia(viaEdge.port, viaEdge.host as string, "/src/App.tsx", {
        headers: viaEdge.headers ?? {},
      });
      expect(app.body).toContain("Hello from ");
      const edited = "export function App() {\n  return <h1>Edited through the edge</h1>;\n}\n";
      await preview.container.putArchive(tarOf([{ name: "App.tsx", content: edited }]), { path: "/app/src" });
      const update = await next("update", 10_000);
      expect(update.updates).toContainEqual(expect.objectContaining({ type: "js-update", path: "/src/App.tsx" }));
    } finally {
      ws.close();
    }
  });
});
