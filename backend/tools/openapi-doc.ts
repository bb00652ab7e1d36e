// Prints the OpenAPI document (/docs/json) without a database, Docker or network: every
// service is a stand-in that throws if touched, since building the app only registers routes.
// The console generates its API types from this (pnpm --filter ./frontend gen:api).
import { buildApp } from "../src/app.js";
import type { AuditService } from "../src/modules/audit/audit.service.js";
import type { DeploymentsService } from "../src/modules/deployments/deployments.service.js";
import type { EdgeAccessService } from "../src/modules/edge/edge-access.service.js";
import type { TasksService } from "../src/modules/tasks/tasks.service.js";
import type { UsageService } from "../src/modules/usage/usage.service.js";

const unused = <T extends object>(name: string, known: Record<string, unknown> = {}): T =>
  new Proxy({} as T, {
    get(_, prop) {
      if (prop === "then") return undefined; // not a thenable
      if (typeof prop === "string" && prop in known) return known[prop];
      throw new Error(`${name}.${String(prop)} was used while only building the OpenAPI document`);
    },
  });

const app = await buildApp({
  logger: false,
  publicUrl: "http://localhost:3000",
  version: process.env.npm_package_version ?? "0.1.0",
  database: unused("database"),
  containers: unused("containers"),
  authenticator: unused("authenticator"),
  edgeAccess: unused<EdgeAccessService>("edgeAccess"),
  identity: {
    providers: [],
    accounts: unused("accounts"),
    sessions: unused("sessions"),
    users: unused("users"),
    apiTokens: unused("apiTokens"),
    rateLimit: { max: 30, windowS: 60 },
    nonceKey: new Uint8Array(32),
  },
  projects: {
    templates: unused("templates"),
    projects: unused("projects"),
    hosts: { appsDomain: "localhost", scheme: "http", port: 8080 },
  },
  files: {
    // Read when the routes register: the body limits of uploads.
    files: unused("files", { limits: { maxFileBytes: 1, maxUploadBytes: 1, maxTreeEntries: 1 }, changes: () => [] }),
    history: unused("history"),
    tasks: unused<TasksService>("tasks", { changes: () => [] }),
  },
  agent: { settings: unused("agentSettings"), agent: unused("agent"), events: unused("agentEvents") },
  deployments: unused<DeploymentsService>("deployments"),
  audit: unused<AuditService>("audit"),
  metrics: { http: unused("httpMetrics"), scrape: unused("metricsScrape") },
  usage: unused<UsageService>("usage"),
});
await app.ready();
process.stdout.write(`${JSON.stringify(app.swagger(), null, 2)}\n`);
await app.close();
