import type { ServiceKind } from "../ports/templates.port.js";

export interface PublicHosts {
  appsDomain: string;
  /** builtin edge: http on EDGE_PORT; traefik: https on 443. */
  scheme: "http" | "https";
  port: number;
}

export function hostnameFor(slug: string, kind: ServiceKind, appsDomain: string): string {
  return kind === "production" ? `${slug}.${appsDomain}` : `${slug}--${kind}.${appsDomain}`;
}

export function publicUrlFor(slug: string, kind: ServiceKind, hosts: PublicHosts): string {
  const defaultPort = hosts.scheme === "https" ? 443 : 80;
  const port = hosts.port === defaultPort ? "" : `:${hosts.port}`;
  return `${hosts.scheme}://${hostnameFor(slug, kind, hosts.appsDomain)}${port}`;
}

export const DEFAULT_ACCESS = { preview: "owner", opencode: "owner", production: "public" } as const;
