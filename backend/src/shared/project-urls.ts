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

/** A task's own preview while it is in review (issue #14): `<slug>--t<n>`, still one DNS label. */
export const taskPreviewHostname = (slug: string, n: number, appsDomain: string) => `${slug}--t${n}.${appsDomain}`;

export function taskPreviewUrl(slug: string, n: number, hosts: PublicHosts): string {
  const defaultPort = hosts.scheme === "https" ? 443 : 80;
  const port = hosts.port === defaultPort ? "" : `:${hosts.port}`;
  return `${hosts.scheme}://${taskPreviewHostname(slug, n, hosts.appsDomain)}${port}`;
}

/** The project slug and task number a task preview hostname names, or null for any other host. */
export function parseTaskPreviewHost(hostname: string): { slug: string; n: number } | null {
  const m = /^([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)--t([1-9][0-9]{0,8})\./.exec(hostname.toLowerCase());
  return m ? { slug: m[1] as string, n: Number(m[2]) } : null;
}
