import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

// Every variable the control plane reads, with its default. .env.example documents the same list.
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_PRETTY: bool.optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(32767).default(5454),
  DOCKER_HOST: z.string().optional(),
  DOCKER_SOCKET: z.string().default("/var/run/docker.sock"),
  INSTALL_ID: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,30}$/, "lowercase letters, digits and '-' (max 31)")
    .default("default"),
  SECRET_KEY: z.string().min(32, "must be at least 32 characters").optional(),
  APPS_DOMAIN: z
    .string()
    .regex(
      /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/,
      "must be a DNS name like apps.example.com",
    )
    .default("localhost"),
  PROXY_PROVIDER: z.enum(["builtin", "traefik"]).default("builtin"),
  EDGE_HOST: z.string().min(1).default("127.0.0.1"),
  EDGE_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  EDGE_HTTPS_PORT: z.coerce.number().int().min(0).max(65535).default(8443),
  EDGE_TLS_CERT: z.string().optional(),
  EDGE_TLS_KEY: z.string().optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(200).default(10_000),
  RECONCILE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  HEALTH_START_TIMEOUT_MS: z.coerce.number().int().min(1000).default(60_000),
  TEMPLATES_DIR: z.string().min(1).optional(),
  PROJECT_ENDPOINTS: z.enum(["loopback", "network"]).default("loopback"),
  PROJECT_NETWORK_ATTACH: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/, "comma-separated container names")
    .optional(),
  DEVSANCTUM_TEST_RUN: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .optional(),
});

export type Env = z.input<typeof EnvSchema>;

export interface Config {
  env: "development" | "production" | "test";
  host: string;
  port: number;
  publicUrl: string;
  log: { level: string; pretty: boolean };
  dataDir: string;
  database: { url: string } | { embedded: { port: number; dataDir: string } };
  docker: { host?: string; socketPath: string };
  installId: string;
  secretKey?: string;
  appsDomain: string;
  proxyProvider: "builtin" | "traefik";
  edge: { host: string; port: number; httpsPort: number; tls?: { certFile: string; keyFile: string } };
  shutdownTimeoutMs: number;
  reconciler: {
    intervalMs: number;
    concurrency: number;
    healthTimeoutMs: number;
    /** loopback: services on 127.0.0.1:<port>; network: http://<container>:<port> (compose). */
    endpoints: "loopback" | "network";
    /** Containers joined to every project's network (the control plane and Traefik in compose). */
    attachContainers: string[];
  };
  /** Built-in templates: <dir>/<slug>/template.json. */
  templatesDir: string;
  /** Set by scripts/test.sh: every Docker resource carries devsanctum.test-run=<id>. */
  testRun?: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the environment once. Throws a ConfigError whose message names every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Treat empty strings as unset, as dotenv files and compose often produce them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? "environment");
      const got = cleaned[name];
      return `${name}: ${i.message}${got === undefined ? "" : ` (got "${got}")`}`;
    });
    throw new ConfigError(`Invalid configuration: ${lines.join("; ")}`);
  }
  const e = parsed.data;
  if (Boolean(e.EDGE_TLS_CERT) !== Boolean(e.EDGE_TLS_KEY)) {
    throw new ConfigError("Invalid configuration: EDGE_TLS_CERT and EDGE_TLS_KEY must be set together");
  }
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ""),
    log: {
      level: e.LOG_LEVEL,
      // Pretty on a terminal, JSON when collected by a log pipeline.
      pretty: e.LOG_PRETTY ?? process.stdout.isTTY === true,
    },
    dataDir,
    database: e.DATABASE_URL
      ? { url: e.DATABASE_URL }
      : { embedded: { port: e.EMBEDDED_PG_PORT, dataDir: path.join(dataDir, "postgres") } },
    docker: { ...(e.DOCKER_HOST ? { host: e.DOCKER_HOST } : {}), socketPath: e.DOCKER_SOCKET },
    installId: e.INSTALL_ID,
    ...(e.SECRET_KEY ? { secretKey: e.SECRET_KEY } : {}),
    appsDomain: e.APPS_DOMAIN,
    proxyProvider: e.PROXY_PROVIDER,
    edge: {
      host: e.EDGE_HOST,
      port: e.EDGE_PORT,
      httpsPort: e.EDGE_HTTPS_PORT,
      ...(e.EDGE_TLS_CERT && e.EDGE_TLS_KEY ? { tls: { certFile: e.EDGE_TLS_CERT, keyFile: e.EDGE_TLS_KEY } } : {}),
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    reconciler: {
      intervalMs: e.RECONCILE_INTERVAL_MS,
      concurrency: e.RECONCILE_CONCURRENCY,
      healthTimeoutMs: e.HEALTH_START_TIMEOUT_MS,
      endpoints: e.PROJECT_ENDPOINTS,
      attachContainers: e.PROJECT_NETWORK_ATTACH?.split(",") ?? [],
    },
    templatesDir: path.resolve(e.TEMPLATES_DIR ?? fileURLToPath(new URL("../../templates", import.meta.url))),
    ...(e.DEVSANCTUM_TEST_RUN ? { testRun: e.DEVSANCTUM_TEST_RUN } : {}),
  };
}
