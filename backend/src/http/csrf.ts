import type { FastifyRequest } from "fastify";

// Cookie-authenticated mutations must come from the console itself. Browsers send Origin
// on every cross-site POST (and Referer when Origin is absent on older ones); a request
// with neither, or from another origin, is refused. Bearer requests are exempt: another
// site cannot make a browser attach an Authorization header.
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

export function isSameOriginRequest(req: FastifyRequest, publicUrl: string): boolean {
  if (SAFE.has(req.method)) return true;
  const expected = new URL(publicUrl).origin;
  const origin = req.headers.origin;
  if (origin) return origin === expected;
  const referer = req.headers.referer;
  if (!referer) return false;
  try {
    return new URL(referer).origin === expected;
  } catch {
    return false;
  }
}
