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
  // Pins the id on a new database, or must match the one stored (composition/installation.ts).
  INSTALL_ID: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,30}$/, "lowercase letters, digits and '-' (max 31)")
    .optional(),
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
  // GET /metrics: a scraper sends it as `Authorization: Bearer`; unset, only admins' tokens read it.
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  // Which proxies may set X-Forwarded-For (client IPs for rate limits and audit): false, true,
  // a hop count, or comma-separated addresses/CIDRs. Behind Traefik (compose) set it.
  TRUST_PROXY: z
    .string()
    .regex(
      /^(true|false|\d{1,2}|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/,
      "true, false, a hop count, or comma-separated addresses/CIDRs",
    )
    .default("false"),
  // Identity (issue #3). A provider is offered only when its client id and secret are set.
  GITHUB_CLIENT_ID: z.string().optional(),
  GITHUB_CLIENT_SECRET: z.string().optional(),
  GITHUB_AUTHORIZE_URL: z.url().default("https://github.com/login/oauth/authorize"),
  GITHUB_TOKEN_URL: z.url().default("https://github.com/login/oauth/access_token"),
  GITHUB_API_URL: z.url().default("https://api.github.com"),
  GOOGLE_CLIENT_ID: z.string().optional(),
  GOOGLE_CLIENT_SECRET: z.string().optional(),
  GOOGLE_ISSUER: z.url().default("https://accounts.google.com"),
  GOOGLE_AUTHORIZE_URL: z.url().default("https://accounts.google.com/o/oauth2/v2/auth"),
  GOOGLE_TOKEN_URL: z.url().default("https://oauth2.googleapis.com/token"),
  GOOGLE_JWKS_URL: z.url().default("https://www.googleapis.com/oauth2/v3/certs"),
  // Unset: closed (only the first account, the owner), or open to SIGNUP_EMAIL_DOMAINS when set.
  // Open by default let anyone with a GitHub account run containers once an OAuth app was set.
  SIGNUPS: z.enum(["open", "closed"]).optional(),
  SIGNUP_EMAIL_DOMAINS: z
    .string()
    .regex(/^[a-z0-9.-]+(\s*,\s*[a-z0-9.-]+)*$/i, "a comma-separated list of domains like example.com,corp.example")
    .optional(),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  AUTH_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(30),
  AUTH_RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).default(60),
  TRAEFIK_API_URL: z.url().default("http://traefik:8080"),
  // Goes into traefik.yml as a header value: a charset that needs no YAML or shell quoting.
  TRAEFIK_PROVIDER_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9._~-]{32,}$/, "at least 32 letters, digits or . _ ~ - (e.g. openssl rand -hex 32)")
    .optional(),
  CONTROL_PLANE_INTERNAL_URL: z.url().optional(),
  // How Traefik reaches the control plane's edge (OpenCode hosts); default: its host on EDGE_PORT.
  CONTROL_PLANE_EDGE_URL: z.url().optional(),
  // The certificate resolver of traefik/traefik.yml that project routers name; "none": tls: {}.
  TRAEFIK_CERT_RESOLVER: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, "a resolver name from traefik.yml, or none")
    .default("le"),
  // true: one *.<APPS_DOMAIN> certificate (ACME DNS-01); false: one per hostname (HTTP-01).
  TRAEFIK_TLS_WILDCARD: bool.default(true),
  TRAEFIK_VERIFY_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(200).default(10_000),
  RECONCILE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  // The warm pool's ceiling: the sum of its instances' memory limits (a template's prewarm asks).
  POOL_MEMORY_MB: z.coerce.number().int().min(0).max(1_048_576).default(4096),
  // false: this process serves the API only and leaves Docker to another replica's reconciler.
  RECONCILER_ENABLED: bool.default(true),
  // false: no LISTEN connection (a pooler in transaction mode forbids it); event streams re-read every 2 s.
  CHANGE_FEED: bool.default(true),
  HEALTH_START_TIMEOUT_MS: z.coerce.number().int().min(1000).default(60_000),
  // Idle projects sleep (issue #15): 0 = never; otherwise at least 10 s.
  IDLE_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .refine((n) => n === 0 || n >= 10, "0 (never) or at least 10")
    .default(900),
  WAKE_HOLD_MS: z.coerce.number().int().min(0).max(120_000).default(15_000),
  ACTIVITY_FLUSH_MS: z.coerce.number().int().min(100).default(5000),
  DEPLOY_KEEP: z.coerce.number().int().min(1).max(100).default(5),
  DEPLOY_KEEP_WARM_S: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .default(600),
  DEPLOY_BUILD_TIMEOUT_S: z.coerce.number().int().min(10).max(7200).default(600),
  TEMPLATES_DIR: z.string().min(1).optional(),
  // gate: no project container publishes a port; the control plane reaches them through the
  // install's service gate (embedded default). network: it shares their networks (compose).
  PROJECT_ENDPOINTS: z.enum(["gate", "network"]).default("gate"),
  SERVICE_GATE_IMAGE: z.string().min(1).default("devsanctum/node:20"),
  PROJECT_NETWORK_ATTACH: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/, "comma-separated container names")
    .optional(),
  CONSOLE_DIR: z.string().min(1).optional(),
  // Project files and history (issue #13): limits, and the per-project workspace container.
  FILES_MAX_FILE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(5 * 1024 * 1024),
  FILES_MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(50 * 1024 * 1024),
  FILES_TREE_MAX_ENTRIES: z.coerce.number().int().min(10).max(100_000).default(5000),
  WORKSPACE_IMAGE: z.string().min(1).default("devsanctum/workspace:1"),
  WORKSPACE_IDLE_S: z.coerce.number().int().min(5).default(300),
  DEVSANCTUM_TEST_RUN: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .optional(),
});

export interface Config {
  env: "development" | "production" | "test";
  host: string;
  port: number;
  publicUrl: string;
  log: { level: string; pretty: boolean };
  dataDir: string;
  database: { url: string } | { embedded: { port: number; dataDir: string } };
  docker: { host?: string; socketPath: string };
  /** As configured; the id in use is the database's (composition/installation.ts). */
  installId?: string;
  secretKey?: string;
  appsDomain: string;
  proxyProvider: "builtin" | "traefik";
  edge: { host: string; port: number; httpsPort: number; tls?: { certFile: string; keyFile: string } };
  /** Set when PROXY_PROVIDER=traefik. */
  traefik?: {
    apiUrl: string;
    providerSecret: string;
    /** How Traefik reaches the control plane (forward-auth, offline pages). */
    controlPlaneUrl: string;
    /** How Traefik reaches the control plane's own edge, which serves OpenCode hosts. */
    controlPlaneEdgeUrl: string;
    /** Unset when TRAEFIK_CERT_RESOLVER=none. */
    tls?: { certResolver: string; wildcard: boolean };
    verifyTimeoutMs: number;
  };
  shutdownTimeoutMs: number;
  /** LISTEN/NOTIFY for events streams and Traefik's document; false: re-read every 2 s instead. */
  changeFeed: boolean;
  /** The bearer token Prometheus scrapes GET /metrics with (admins' API tokens work too). */
  metricsToken?: string;
  /** Fastify's trustProxy: whose X-Forwarded-For to believe. */
  trustProxy: boolean | number | string;
  reconciler: {
    /** false: API only; another control-plane process reconciles. */
    enabled: boolean;
    intervalMs: number;
    concurrency: number;
    healthTimeoutMs: number;
    /** Services are at http://<container>:<port>; gate: reached through the service gate; network: directly (compose). */
    endpoints: "gate" | "network";
    /** The image the service gate runs on (any image with node: the templates' base). */
    gateImage: string;
    /** Containers joined to every project's network (the control plane and Traefik in compose). */
    attachContainers: string[];
  };
  /** The warm pool (issue #16): at most this much memory (services' limits) kept in unclaimed instances. */
  warmPool: { memoryMb: number };
  /** Idle stop and wake on access (issue #15). */
  idle: { timeoutS: number; wakeHoldMs: number; flushMs: number };
  /** Production deployments (issue #12). */
  deployments: { keep: number; keepWarmMs: number; buildTimeoutS: number };
  /** Built-in templates: <dir>/<slug>/template.json. */
  templatesDir: string;
  /** Set by scripts/test.sh: every Docker resource carries devsanctum.test-run=<id>. */
  testRun?: string;
  auth: AuthConfig;
  /** The built web console; served at "/" when it holds an index.html. */
  consoleDir: string;
  files: FilesConfig;
}

export interface FilesConfig {
  maxFileBytes: number;
  /** An uploaded archive, compressed and unpacked. */
  maxUploadBytes: number;
  maxTreeEntries: number;
  workspace: { image: string; idleMs: number };
}

export interface OAuthClientConfig {
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
}

export interface AuthConfig {
  github?: OAuthClientConfig & { apiUrl: string };
  google?: OAuthClientConfig & { issuer: string; jwksUrl: string };
  /** closed: only the first user may sign up (and existing users sign in). */
  signups: "open" | "closed";
  /** When non-empty, only these email domains may sign up. */
  signupEmailDomains: string[];
  refreshTokenTtlDays: number;
  rateLimit: { max: number; windowS: number };
}

/** Fastify's trustProxy from TRUST_PROXY: a boolean, a hop count, or the address list as given. */
function parseTrustProxy(value: string): boolean | number | string {
  if (value === "true" || value === "false") return value === "true";
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** Where Traefik reaches the control plane's edge: given, or the control plane's host on EDGE_PORT. */
function edgeUrlOf(given: string | undefined, controlPlane: string | undefined, edgePort: number): string {
  if (given) return given.replace(/\/$/, "");
  const url = new URL(controlPlane ?? "http://127.0.0.1");
  return `${url.protocol}//${url.hostname}:${edgePort}`;
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
  for (const p of ["GITHUB", "GOOGLE"] as const) {
    if (Boolean(e[`${p}_CLIENT_ID`]) !== Boolean(e[`${p}_CLIENT_SECRET`])) {
      throw new ConfigError(`Invalid configuration: ${p}_CLIENT_ID and ${p}_CLIENT_SECRET must be set together`);
    }
  }
  if (e.PROXY_PROVIDER === "traefik" && !e.TRAEFIK_PROVIDER_SECRET) {
    throw new ConfigError(
      "Invalid configuration: PROXY_PROVIDER=traefik needs TRAEFIK_PROVIDER_SECRET (the header Traefik sends; e.g. openssl rand -hex 32)",
    );
  }
  // Sealed secrets (model keys, OpenCode passwords) and every signing key derive from the root
  // secret. A production install on an external database may run several replicas and replace
  // containers with their DATA_DIR: a secret generated into one of them would lock the others
  // out of every sealed value. The embedded default keeps a generated one under DATA_DIR.
  if (e.NODE_ENV === "production" && e.DATABASE_URL && !e.SECRET_KEY) {
    throw new ConfigError(
      "Invalid configuration: SECRET_KEY is required in production with DATABASE_URL (every replica must share it; e.g. openssl rand -hex 32)",
    );
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
    ...(e.INSTALL_ID ? { installId: e.INSTALL_ID } : {}),
    ...(e.SECRET_KEY ? { secretKey: e.SECRET_KEY } : {}),
    appsDomain: e.APPS_DOMAIN,
    proxyProvider: e.PROXY_PROVIDER,
    edge: {
      host: e.EDGE_HOST,
      port: e.EDGE_PORT,
      httpsPort: e.EDGE_HTTPS_PORT,
      ...(e.EDGE_TLS_CERT && e.EDGE_TLS_KEY ? { tls: { certFile: e.EDGE_TLS_CERT, keyFile: e.EDGE_TLS_KEY } } : {}),
    },
    ...(e.PROXY_PROVIDER === "traefik" && e.TRAEFIK_PROVIDER_SECRET
      ? {
          traefik: {
            apiUrl: e.TRAEFIK_API_URL.replace(/\/$/, ""),
            providerSecret: e.TRAEFIK_PROVIDER_SECRET,
            controlPlaneUrl: (e.CONTROL_PLANE_INTERNAL_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/$/, ""),
            controlPlaneEdgeUrl: edgeUrlOf(e.CONTROL_PLANE_EDGE_URL, e.CONTROL_PLANE_INTERNAL_URL, e.EDGE_PORT),
            ...(e.TRAEFIK_CERT_RESOLVER !== "none"
              ? { tls: { certResolver: e.TRAEFIK_CERT_RESOLVER, wildcard: e.TRAEFIK_TLS_WILDCARD } }
              : {}),
            verifyTimeoutMs: e.TRAEFIK_VERIFY_TIMEOUT_MS,
          },
        }
      : {}),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    ...(e.METRICS_TOKEN ? { metricsToken: e.METRICS_TOKEN } : {}),
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    auth: {
      ...(e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET
        ? {
            github: {
              clientId: e.GITHUB_CLIENT_ID,
              clientSecret: e.GITHUB_CLIENT_SECRET,
              authorizeUrl: e.GITHUB_AUTHORIZE_URL,
              tokenUrl: e.GITHUB_TOKEN_URL,
              apiUrl: e.GITHUB_API_URL.replace(/\/$/, ""),
            },
          }
        : {}),
      ...(e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET
        ? {
            google: {
              clientId: e.GOOGLE_CLIENT_ID,
              clientSecret: e.GOOGLE_CLIENT_SECRET,
              authorizeUrl: e.GOOGLE_AUTHORIZE_URL,
              tokenUrl: e.GOOGLE_TOKEN_URL,
              issuer: e.GOOGLE_ISSUER,
              jwksUrl: e.GOOGLE_JWKS_URL,
            },
          }
        : {}),
      signups: e.SIGNUPS ?? (e.SIGNUP_EMAIL_DOMAINS ? "open" : "closed"),
      signupEmailDomains: (e.SIGNUP_EMAIL_DOMAINS ?? "")
        .split(",")
        .map((d) => d.trim().toLowerCase())
        .filter(Boolean),
      refreshTokenTtlDays: e.REFRESH_TOKEN_TTL_DAYS,
      rateLimit: { max: e.AUTH_RATE_LIMIT_MAX, windowS: e.AUTH_RATE_LIMIT_WINDOW_S },
    },
    changeFeed: e.CHANGE_FEED,
    reconciler: {
      enabled: e.RECONCILER_ENABLED,
      intervalMs: e.RECONCILE_INTERVAL_MS,
      concurrency: e.RECONCILE_CONCURRENCY,
      healthTimeoutMs: e.HEALTH_START_TIMEOUT_MS,
      endpoints: e.PROJECT_ENDPOINTS,
      gateImage: e.SERVICE_GATE_IMAGE,
      attachContainers: e.PROJECT_NETWORK_ATTACH?.split(",") ?? [],
    },
    warmPool: { memoryMb: e.POOL_MEMORY_MB },
    idle: { timeoutS: e.IDLE_TIMEOUT_SECONDS, wakeHoldMs: e.WAKE_HOLD_MS, flushMs: e.ACTIVITY_FLUSH_MS },
    deployments: {
      keep: e.DEPLOY_KEEP,
      keepWarmMs: e.DEPLOY_KEEP_WARM_S * 1000,
      buildTimeoutS: e.DEPLOY_BUILD_TIMEOUT_S,
    },
    templatesDir: path.resolve(e.TEMPLATES_DIR ?? fileURLToPath(new URL("../../templates", import.meta.url))),
    consoleDir: path.resolve(e.CONSOLE_DIR ?? fileURLToPath(new URL("../../../frontend/dist", import.meta.url))),
    files: {
      maxFileBytes: e.FILES_MAX_FILE_BYTES,
      maxUploadBytes: e.FILES_MAX_UPLOAD_BYTES,
      maxTreeEntries: e.FILES_TREE_MAX_ENTRIES,
      workspace: { image: e.WORKSPACE_IMAGE, idleMs: e.WORKSPACE_IDLE_S * 1000 },
    },
    ...(e.DEVSANCTUM_TEST_RUN ? { testRun: e.DEVSANCTUM_TEST_RUN } : {}),
  };
}
