// Project hosts: the route lookup the edge reads (with its cache), the one access decision
// (modules/edge), the ProxyProvider the reconciler verifies routes through (builtin edge or
// Traefik), Traefik's HTTP provider, and the public URLs projects are shown with.
import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { prismaAccountStore } from "../adapters/persistence/prisma-account-store.js";
import { prismaApiTokenRepository } from "../adapters/persistence/prisma-api-token-store.js";
import type { Db } from "../adapters/persistence/prisma-client.js";
import { prismaEdgeRouteLookup } from "../adapters/persistence/prisma-edge-route-lookup.js";
import { prismaProjectSecrets } from "../adapters/persistence/prisma-project-secrets.js";
import { prismaRouteTable } from "../adapters/persistence/prisma-route-table.js";
import { prismaRefreshTokenStore } from "../adapters/persistence/prisma-session-store.js";
import { prismaUsedCodeLedger } from "../adapters/persistence/prisma-used-code-ledger.js";
import { builtinProxyProvider } from "../adapters/proxy/builtin-proxy-provider.js";
import { traefikProxyProvider } from "../adapters/proxy/traefik-proxy-provider.js";
import type { Config } from "../config/config.js";
import { deriveKey } from "../config/secrets.js";
import { buildEdge, type EdgeDeps } from "../edge/edge-server.js";
import { type OpencodePasswords, opencodePasswords } from "../modules/agent/opencode-password.js";
import { principalResolverFactory } from "../modules/auth/principal-resolver.js";
import { appSessionCodec } from "../modules/edge/app-session.js";
import { cachedRouteLookup } from "../modules/edge/cached-route-lookup.js";
import { edgeAccessServiceFactory } from "../modules/edge/edge-access.service.js";
import { routerNameFor, SENTINEL_ROUTER } from "../modules/traefik/traefik-dynamic-config.js";
import { traefikProviderServiceFactory } from "../modules/traefik/traefik-provider.service.js";
import type { Authenticator } from "../ports/auth.port.js";
import type { ChangedTable, ChangeFeed } from "../ports/change-feed.port.js";
import type { EdgeOrigin, EdgeRouteLookup } from "../ports/edge.port.js";
import type { ProxyProvider } from "../ports/proxy-provider.port.js";
import type { ServiceConnector } from "../ports/service-connector.port.js";
import type { PublicHosts } from "../shared/project-urls.js";
import { secretBox } from "../shared/secret-box.js";

export type EdgeConfig = Pick<Config, "appsDomain" | "publicUrl" | "proxyProvider" | "traefik" | "edge">;

export interface EdgeOptions {
  db: Db;
  rootSecret: Buffer;
  config: EdgeConfig;
  authenticator: Authenticator;
  log: { warn(obj: object, msg?: string): void };
  /** Committed changes from every replica: Traefik's document re-renders at once. */
  changes?: Pick<ChangeFeed, "onChange" | "onResync">;
  /**
   * Tests: a fixed route table instead of the database's, a known OpenCode password, more
   * origins (one access service behind both the builtin edge and forwardAuth), no principal cache.
   */
  routes?: EdgeRouteLookup;
  opencodePasswords?: Pick<OpencodePasswords, "passwordFor">;
  origins?: EdgeOrigin[];
  principalCacheMs?: number;
  /** A wake under way (composition/idle.ts, bound late): requests keep waiting on it. */
  waking?: (projectId: string) => boolean;
}

/** Where people open project services: https on 443 behind Traefik, the builtin edge's port otherwise. */
function publicHostsFor(config: EdgeConfig): PublicHosts {
  return config.proxyProvider === "traefik"
    ? { appsDomain: config.appsDomain, scheme: "https", port: 443 }
    : { appsDomain: config.appsDomain, scheme: "http", port: config.edge.port };
}

/** The key Traefik's forwardAuth sends (in its address): derived, so the provider secret stays unshared. */
export function forwardAuthKeyOf(providerSecret: string): string {
  return createHmac("sha256", providerSecret).update("devsanctum:forward-auth").digest("base64url");
}

/** The schemes and ports project hosts are served on: where sign-in codes may be sent. */
export function edgeOriginsFor(config: EdgeConfig): EdgeOrigin[] {
  if (config.proxyProvider === "traefik") return [{ scheme: "https", port: 443 }];
  return [
    { scheme: "http", port: config.edge.port },
    ...(config.edge.tls ? [{ scheme: "https" as const, port: config.edge.httpsPort }] : []),
  ];
}

/** Each project's OpenCode password: random, sealed in the database (modules/agent/opencode-password.ts). */
export function composeOpencodePasswords(db: Db, rootSecret: Buffer): OpencodePasswords {
  return opencodePasswords(prismaProjectSecrets(db, secretBox(deriveKey(rootSecret, "project-secrets"))));
}

/**
 * The builtin edge reads the Route table through a short cache: a route counts as served once
 * its row exists and the cached answer for its hostname (maybe a miss from before) is dropped.
 */
function builtinEdgeProxy(db: Db, cache: ReturnType<typeof cachedRouteLookup>): ProxyProvider {
  return builtinProxyProvider({ routes: prismaEdgeRouteLookup(db), invalidate: (h) => cache.invalidate(h) });
}

function traefikProxy(traefik: NonNullable<EdgeConfig["traefik"]>): ProxyProvider {
  return traefikProxyProvider({
    apiUrl: traefik.apiUrl,
    routerNameFor,
    sentinelRouter: SENTINEL_ROUTER,
    timeoutMs: traefik.verifyTimeoutMs,
  });
}

/** The tables Traefik's document is rendered from (prisma-route-table.ts). */
const ROUTE_TABLES = new Set<ChangedTable>(["Route", "Project", "ServiceInstance", "Template", "Task"]);

/** Which project's routes changed; null (a template, or notifications missed while reconnecting): any. */
export function routeTableChanges(feed: Pick<ChangeFeed, "onChange" | "onResync">) {
  return (fn: (projectId: string | null) => void) => {
    const offChange = feed.onChange((c) => {
      if (ROUTE_TABLES.has(c.table)) fn(c.table === "Template" ? null : c.projectId);
    });
    const offResync = feed.onResync(() => fn(null));
    return () => {
      offChange();
      offResync();
    };
  };
}

export function composeEdge(opts: EdgeOptions) {
  const { db, config } = opts;
  const passwords = composeOpencodePasswords(db, opts.rootSecret);
  const routes = cachedRouteLookup(opts.routes ?? prismaEdgeRouteLookup(db), { ttlMs: 1000, unsettledTtlMs: 100 });
  const access = edgeAccessServiceFactory({
    routes,
    authenticator: opts.authenticator,
    principals: principalResolverFactory({
      refreshTokens: prismaRefreshTokenStore(db),
      apiTokens: prismaApiTokenRepository(db),
      accounts: prismaAccountStore(db),
    }),
    origins: opts.origins ?? edgeOriginsFor(config),
    ...(opts.principalCacheMs !== undefined ? { principalCacheMs: opts.principalCacheMs } : {}),
    sessions: appSessionCodec(deriveKey(opts.rootSecret, "app-session")),
    usedCodes: prismaUsedCodeLedger(db),
    appsDomain: config.appsDomain,
    publicUrl: config.publicUrl,
    opencodePassword: (opts.opencodePasswords ?? passwords).passwordFor,
    ...(opts.waking ? { waking: opts.waking } : {}),
  });
  const traefik = config.traefik;
  // The reconciler calls proxy.verify(hostnames) after it writes Route rows, so a service
  // counts as routed only once the proxy serves it.
  const proxy = traefik ? traefikProxy(traefik) : builtinEdgeProxy(db, routes);
  const traefikProvider = traefik && {
    providerSecret: traefik.providerSecret,
    provider: traefikProviderServiceFactory({
      routes: prismaRouteTable(db, { appsDomain: config.appsDomain }),
      render: {
        appsDomain: config.appsDomain,
        controlPlaneUrl: traefik.controlPlaneUrl,
        controlPlaneEdgeUrl: traefik.controlPlaneEdgeUrl,
        forwardAuthKey: forwardAuthKeyOf(traefik.providerSecret),
        ...(traefik.tls ? { tls: traefik.tls } : {}),
      },
      ttlMs: 1000,
      ...(opts.changes ? { onTableChange: routeTableChanges(opts.changes) } : {}),
      onSkipped: (skipped) => opts.log.warn({ skipped }, "routes left out of the Traefik configuration"),
    }),
  };
  const forwardAuth = traefik ? { key: forwardAuthKeyOf(traefik.providerSecret) } : null;
  return { routes, access, proxy, traefikProvider, forwardAuth, hosts: publicHostsFor(config), passwords };
}

export type Edge = ReturnType<typeof composeEdge>;

/**
 * The builtin edge's listeners: http, and https when a certificate is given. With Traefik, one
 * internal listener that Traefik forwards OpenCode hosts to (the scheme is Traefik's).
 */
export async function builtinEdgeServers(
  config: EdgeConfig,
  edge: Edge,
  logger: FastifyBaseLogger,
  connector: ServiceConnector,
  extra: Partial<Pick<EdgeDeps, "activity" | "wake" | "metrics" | "usage">> = {},
) {
  type Listener = { server: FastifyInstance; port: number; scheme: "http" | "https"; behindTraefik: boolean };
  if (config.proxyProvider === "traefik") {
    const server = await buildEdge({ access: edge.access, logger, behindProxy: true, connector, ...extra });
    return [{ server, port: config.edge.port, scheme: "http", behindTraefik: true }] satisfies Listener[];
  }
  const servers: Listener[] = [
    {
      server: await buildEdge({ access: edge.access, logger, connector, ...extra }),
      port: config.edge.port,
      scheme: "http",
      behindTraefik: false,
    },
  ];
  if (config.edge.tls) {
    const https = { cert: await readFile(config.edge.tls.certFile), key: await readFile(config.edge.tls.keyFile) };
    const server = await buildEdge({ access: edge.access, logger, https, connector, ...extra });
    servers.push({ server, port: config.edge.httpsPort, scheme: "https", behindTraefik: false });
  }
  return servers;
}
