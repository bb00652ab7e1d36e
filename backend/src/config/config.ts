import path from "node:path";
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
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
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
  shutdownTimeoutMs: number;
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
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}
