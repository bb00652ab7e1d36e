// The production files cannot run here (no image can be pulled, no Traefik binary installed),
// so this checks what would break them: both sides of the provider secret, the URLs each side
// uses for the other, what is published, where certificates live, and the template renderer.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROVIDER_TOKEN_HEADER } from "../src/modules/traefik/traefik.routes.js";
import { SENTINEL_ENTRYPOINT } from "../src/modules/traefik/traefik-dynamic-config.js";
import { OFFLINE_PAGE_PATH } from "../src/shared/edge-paths.js";
import { traefikSchemaValidator } from "./helpers/traefik-schema.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (p: string) => readFileSync(path.join(ROOT, p), "utf8");

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML is walked as data
type Yaml = any;
const compose: Yaml = parse(read("docker-compose.yml"));
const services = compose.services;

const RENDER_ENV = {
  APPS_DOMAIN: "apps.example.com",
  CONSOLE_HOST: "devsanctum.example.com",
  TRAEFIK_PROVIDER_SECRET: "0123456789abcdef0123456789abcdef0123456789abcdef",
  ACME_EMAIL: "ops@example.com",
  ACME_CA_SERVER: "https://acme-staging-v02.api.letsencrypt.org/directory",
  TRAEFIK_ACME_DNS_PROVIDER: "cloudflare",
};

/** traefik/entrypoint.sh --render-only, as the container runs it (sh + awk). */
function renderStatic(env: Record<string, string>) {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), "devsanctum-traefik-")), "traefik.yml");
  const run = spawnSync("sh", [path.join(ROOT, "traefik/entrypoint.sh"), "--render-only"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      TRAEFIK_STATIC_TEMPLATE: path.join(ROOT, "traefik/traefik.yml"),
      TRAEFIK_STATIC_FILE: out,
      ...env,
    },
    encoding: "utf8",
  });
  const stdout = run.status === 0 ? readFileSync(out, "utf8") : "";
  rmSync(path.dirname(out), { recursive: true, force: true });
  return { status: run.status, stderr: run.stderr, stdout };
}

const rendered = renderStatic(RENDER_ENV);
const traefik: Yaml = parse(rendered.stdout);

describe("traefik/traefik.yml", () => {
  it("is filled from the environment, and refuses to start with a placeholder unset", () => {
    expect(rendered.status).toBe(0);
    expect(rendered.stdout).not.toMatch(/\$\{/);
    const { TRAEFIK_PROVIDER_SECRET: _, ...missing } = RENDER_ENV;
    const failed = renderStatic(missing);
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toContain("TRAEFIK_PROVIDER_SECRET is not set");
  });

  it("redirects web to websecure, and keeps the API on the internal entrypoint", () => {
    expect(traefik.entryPoints.web.address).toBe(":80");
    expect(traefik.entryPoints.web.http.redirections.entryPoint).toMatchObject({ to: "websecure", scheme: "https" });
    expect(traefik.entryPoints.websecure.address).toBe(":443");
    expect(traefik.entryPoints[SENTINEL_ENTRYPOINT].address).toBe(":8080");
    expect(traefik.api.insecure).toBe(true); // served on the `traefik` entrypoint only
    expect(traefik.ping.entryPoint).toBe(SENTINEL_ENTRYPOINT);
  });

  it("polls the control plane's provider with the secret header every 2 s", () => {
    const http = traefik.providers.http;
    const endpoint = new URL(http.endpoint);
    expect(endpoint.pathname).toBe("/internal/traefik/dynamic");
    expect(endpoint.host).toBe(new URL(services["control-plane"].environment.CONTROL_PLANE_INTERNAL_URL).host);
    expect(http.pollInterval).toBe("2s");
    const headers = Object.fromEntries(Object.entries(http.headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(headers[PROVIDER_TOKEN_HEADER]).toBe(RENDER_ENV.TRAEFIK_PROVIDER_SECRET);
    expect(traefik.providers.file.directory).toBe("/etc/traefik/dynamic");
  });

  it("asks ACME for the wildcard over DNS-01 and stores it on the acme volume", () => {
    const tls = traefik.entryPoints.websecure.http.tls;
    expect(tls.certResolver).toBe("le");
    expect(tls.domains).toEqual([{ main: "apps.example.com", sans: ["*.apps.example.com"] }]);
    const acme = traefik.certificatesResolvers.le.acme;
    expect(acme.dnsChallenge.provider).toBe("cloudflare");
    expect(acme.email).toBe("ops@example.com");
    const acmeMount = services.traefik.volumes.find((v: string) => v.startsWith("traefik-acme:"));
    expect(acme.storage.startsWith(`${acmeMount.split(":")[1]}/`)).toBe(true);
    expect(compose.volumes["traefik-acme"]).toBeDefined();
  });
});

describe("traefik/dynamic/console.yml", () => {
  const consoleYml: Yaml = parse(read("traefik/dynamic/console.yml"));

  it("is a valid dynamic configuration routing the console host to the control plane", () => {
    expect(traefikSchemaValidator()(consoleYml)).toEqual([]);
    const router = consoleYml.http.routers["devsanctum-console"];
    expect(router.rule).toContain('Host(`{{ env "CONSOLE_HOST" }}`)');
    expect(router.tls.certResolver).toBe(traefik.entryPoints.websecure.http.tls.certResolver);
    expect(consoleYml.http.services["devsanctum-console"].loadBalancer.servers[0].url).toBe(
      services["control-plane"].environment.CONTROL_PLANE_INTERNAL_URL,
    );
    expect(services.traefik.environment.CONSOLE_HOST).toBeDefined();
  });

  it("never exposes the control plane's /internal routes on the public console host", () => {
    expect(consoleYml.http.routers["devsanctum-console"].rule).toContain("!PathPrefix(`/internal/`)");
    expect(OFFLINE_PAGE_PATH.startsWith("/internal/")).toBe(true);
  });
});

describe("docker-compose.yml", () => {
  it("publishes only 80 and 443, from Traefik alone", () => {
    expect(services.traefik.ports).toEqual(["80:80", "443:443"]);
    for (const name of ["control-plane", "postgres"]) expect(services[name].ports).toBeUndefined();
  });

  it("uses one provider secret on both sides, required from .env", () => {
    const ref = "${TRAEFIK_PROVIDER_SECRET:?";
    expect(services.traefik.environment.TRAEFIK_PROVIDER_SECRET).toContain(ref);
    expect(services["control-plane"].environment.TRAEFIK_PROVIDER_SECRET).toContain(ref);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder entrypoint.sh fills in
    expect(read("traefik/traefik.yml")).toContain('"${TRAEFIK_PROVIDER_SECRET}"');
  });

  it("points the control plane at Traefik's internal API and runs it behind Traefik", () => {
    const env = services["control-plane"].environment;
    expect(env.PROXY_PROVIDER).toBe("traefik");
    expect(new URL(env.TRAEFIK_API_URL).port).toBe(traefik.entryPoints[SENTINEL_ENTRYPOINT].address.slice(1));
    expect(new URL(env.TRAEFIK_API_URL).hostname).toBe("traefik");
    expect(env.HOST).toBe("0.0.0.0");
    expect(env.DATABASE_URL).toMatch(/@postgres:5432\//);
  });

  it("gives the Docker socket to the control plane only, never to Traefik or the database", () => {
    const sock = (name: string) => (services[name].volumes ?? []).some((v: string) => v.includes("docker.sock"));
    expect(sock("control-plane")).toBe(true);
    expect(sock("traefik")).toBe(false);
    expect(sock("postgres")).toBe(false);
  });

  it("has a health check on every service, persistent volumes, and a database with no route out", () => {
    for (const [name, svc] of Object.entries<Yaml>(services)) {
      expect(svc.healthcheck?.test, name).toBeDefined();
      expect(svc.restart, name).toBe("unless-stopped");
    }
    expect(services.postgres.volumes).toEqual(["postgres-data:/var/lib/postgresql"]);
    expect(services["control-plane"].volumes).toContain("control-plane-data:/data");
    expect(compose.networks.backend.internal).toBe(true);
    expect(services.postgres.networks).toEqual(["backend"]);
    // No network shared by every project: Traefik joins each project's own network instead.
    expect(Object.keys(compose.networks).sort()).toEqual(["backend", "edge"]);
    expect(services.traefik.container_name).toBe("devsanctum-traefik");
    expect(services["control-plane"].depends_on.postgres.condition).toBe("service_healthy");
  });

  it("documents every variable it reads in .env.example", () => {
    const used = new Set([...read("docker-compose.yml").matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]));
    const documented = read(".env.example");
    for (const name of used) expect(documented, name).toMatch(new RegExp(`^${name}=`, "m"));
  });

  it("builds the control plane from the repository's Dockerfile (multi-stage Node build)", () => {
    expect(services["control-plane"].build).toEqual({ context: ".", dockerfile: "Dockerfile" });
    const dockerfile = read("Dockerfile");
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toContain('CMD ["node", "backend/dist/main.js"]');
    // The image keeps the repository layout the backend resolves migrations against.
    expect(dockerfile).toContain("cp -r prisma /out/prisma");
    expect(execFileSync("sh", ["-n", path.join(ROOT, "traefik/entrypoint.sh")]).toString()).toBe("");
  });
});
