import type { EdgeOrigin } from "../../ports/edge.port.js";

// Where the edge serves project hosts: scheme and port (http on EDGE_PORT, https on
// EDGE_HTTPS_PORT; Traefik: https on 443). A sign-in code is only ever sent to a project
// hostname on one of these, and is bound to that exact origin: before, the control plane
// redirected to whatever port the `origin` parameter named, so another user's container
// listening on a loopback port of the victim's hostname received the victim's code.

const DEFAULT_PORT = { http: 80, https: 443 } as const;

/** `scheme://host[:port]`, the port left out when it is the scheme's default. */
export function originOf(scheme: "http" | "https", hostname: string, port: number): string {
  return port === DEFAULT_PORT[scheme] ? `${scheme}://${hostname}` : `${scheme}://${hostname}:${port}`;
}

/** The origin a request reached the edge on, from its scheme and Host header. */
export function requestOrigin(scheme: "http" | "https", hostHeader: string): string | null {
  const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(hostHeader.trim().toLowerCase().replace(/\.$/, ""));
  if (!m?.[1]) return null;
  return originOf(scheme, m[1], m[2] ? Number(m[2]) : DEFAULT_PORT[scheme]);
}

/**
 * The configured edge origin `candidate` names, rebuilt from the configuration (never echoed),
 * with its hostname; null when it is not an http(s) origin on one of the edge's scheme/ports.
 */
export function matchEdgeOrigin(candidate: string, origins: readonly EdgeOrigin[]) {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  const scheme = url.protocol.replace(/:$/, "");
  if ((scheme !== "http" && scheme !== "https") || url.pathname !== "/" || url.search || url.username) return null;
  const port = url.port ? Number(url.port) : DEFAULT_PORT[scheme];
  const hostname = url.hostname.toLowerCase();
  const known = origins.find((o) => o.scheme === scheme && o.port === port);
  return known ? { origin: originOf(scheme, hostname, port), hostname } : null;
}
