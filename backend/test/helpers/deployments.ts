// Production deployments wired exactly as main.ts wires them (composition/deployments.ts and
// composition/projects.ts, the builtin edge listening on loopback), on their own install label.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { composeAudit } from "../../src/composition/audit.js";
import { composeDeployments } from "../../src/composition/deployments.js";
import { composeProjects } from "../../src/composition/projects.js";
import { composeServiceNetwork } from "../../src/composition/service-network.js";
import { buildEdge } from "../../src/edge/edge-server.js";
import { buildTestApp, testDocker } from "./app.js";
import type { TestDatabase } from "./database.js";
import { freePort } from "./process.js";
import { NODE_IMAGE, removeByInstall, TEMPLATES_FIXTURE, TEST_RUN, testEdge } from "./projects.js";
import { tarOf } from "./tar.js";

export const DEPLOY_STAND_IN = path.join(TEMPLATES_FIXTURE, "deploy-stand-in");

/** A template folder (template.json + files/; the deploy stand-in by default) as a row of this database. */
export async function createDeployTemplate(database: TestDatabase, dir = DEPLOY_STAND_IN, omit: string[] = []) {
  const manifest = JSON.parse(await readFile(path.join(dir, "template.json"), "utf8"));
  for (const kind of omit) delete manifest.services[kind];
  return database.db.template.create({
    data: {
      slug: `${manifest.slug}-${randomBytes(3).toString("hex")}`,
      name: manifest.name,
      services: manifest.services,
      filesSeed: path.join(dir, manifest.filesSeed),
      builtIn: false,
    },
  });
}

export interface DeploymentsHarness {
  app: FastifyInstance;
  edgePort: number;
  runtime: ReturnType<typeof testDocker>;
  installId: string;
  deployments: ReturnType<typeof composeDeployments>;
  close(): Promise<void>;
}

export async function deploymentsHarness(
  database: TestDatabase,
  opts: { keep?: number; keepWarmMs?: number; buildTimeoutS?: number; healthTimeoutMs?: number } = {},
): Promise<DeploymentsHarness> {
  const runtime = testDocker();
  const installId = `t-${randomBytes(5).toString("hex")}`;
  const edgePort = await freePort();
  const { log, authenticator, edge } = testEdge(database, { edgePort });
  const audit = composeAudit(database.db, log);
  const reconciler = {
    enabled: true,
    intervalMs: 1000,
    concurrency: 4,
    healthTimeoutMs: opts.healthTimeoutMs ?? 20_000,
    endpoints: "gate" as const,
    gateImage: NODE_IMAGE,
    attachContainers: [],
  };
  const serviceNetwork = composeServiceNetwork({
    config: reconciler,
    runtime,
    installId,
    rootSecret: Buffer.from(`test-gate-secret-${installId}`),
    extraLabels: { "devsanctum.test-run": TEST_RUN },
  });
  const config = {
    appsDomain: "localhost",
    testRun: TEST_RUN,
    reconciler,
    warmPool: { memoryMb: 0 },
    deployments: {
      keep: opts.keep ?? 5,
      keepWarmMs: opts.keepWarmMs ?? 600_000,
      buildTimeoutS: opts.buildTimeoutS ?? 600,
    },
  };
  const deployments = composeDeployments({
    db: database.db,
    databaseUrl: database.url,
    installId,
    runtime,
    proxy: edge.proxy,
    audit,
    log,
    config,
    hosts: edge.hosts,
    connector: serviceNetwork.connector,
    stopTimeoutS: 2,
  });
  const projects = composeProjects({
    db: database.db,
    databaseUrl: database.url,
    installId,
    runtime,
    proxy: edge.proxy,
    audit,
    log,
    config,
    opencodePassword: edge.passwords.passwordFor,
    serviceNetwork,
    stopTimeoutS: 2,
    alsoWake: deployments.wake,
  });
  const app = await buildTestApp(database, {
    containers: runtime,
    authenticator,
    edgeAccess: edge.access,
    projects: {
      templates: projects.templates,
      projects: projects.projects,
      hosts: edge.hosts,
    },
    deployments: deployments.service,
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const edgeServer = await buildEdge({ access: edge.access, logger: false, connector: serviceNetwork.connector });
  await edgeServer.listen({ host: "127.0.0.1", port: edgePort });
  projects.start();
  deployments.start();
  return {
    app,
    edgePort,
    runtime,
    installId,
    deployments,
    async close() {
      await deployments.close();
      await projects.close();
      await edgeServer.close();
      await app.close();
      await serviceNetwork.close();
      await removeByInstall(runtime, installId);
      for (const i of await runtime.listImages({ "devsanctum.install": installId })) await runtime.removeImage(i.id);
    },
  };
}

/** The app's own base URL (it listens on loopback). */
export const baseUrl = (app: FastifyInstance) => `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

/** Writes files into a running container's /app (the project's volume, through the preview). */
export async function writeProjectFiles(
  runtime: ReturnType<typeof testDocker>,
  containerId: string,
  files: Record<string, string>,
) {
  const entries = Object.entries(files).map(([name, content]) => ({ name, content }));
  await runtime.docker.getContainer(containerId).putArchive(tarOf(entries), { path: "/app" });
}

/** GET through the edge on a fresh connection, with the Host header of a project hostname. */
export function viaEdge(port: number, host: string, pathName = "/", headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve) => {
    const req = http.get(
      { host: "127.0.0.1", port, path: pathName, headers: { host: `${host}:${port}`, ...headers }, agent: false },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.setTimeout(5000, () => req.destroy());
    req.on("error", (err) => resolve({ status: 0, body: String(err) }));
  });
}

/**
 * Requests `host` through the edge without pause, `concurrency` at a time, until stopped:
 * every answer that is not a 200 is a failure a visitor would have seen.
 */
export function requestLoop(port: number, host: string, concurrency = 4) {
  let running = true;
  const bodies = new Map<string, number>();
  const failures: Array<{ status: number; body: string }> = [];
  let total = 0;
  const worker = async () => {
    while (running) {
      const r = await viaEdge(port, host);
      total += 1;
      if (r.status !== 200) failures.push({ status: r.status, body: r.body.slice(0, 200) });
      else bodies.set(r.body, (bodies.get(r.body) ?? 0) + 1);
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    bodies,
    failures,
    get total() {
      return total;
    },
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}
