import type { EdgeRouteLookup } from "../../ports/edge.port.js";
import type { ProxyProvider } from "../../ports/proxy-provider.port.js";
import { DomainError } from "../../shared/errors.js";

// The builtin edge reads the Route table on every request (through a short cache), so a
// route is served as soon as its row exists: drop the cached answer, then check the row.
export function builtinProxyProvider(deps: {
  routes: EdgeRouteLookup;
  /** Forget the edge's cached lookup of a hostname (a miss may be cached from before the row). */
  invalidate?: (hostname: string) => void;
}): ProxyProvider {
  return {
    kind: "builtin",
    async verify(hostnames) {
      for (const hostname of hostnames) {
        deps.invalidate?.(hostname);
        if (!(await deps.routes.findByHostname(hostname))) {
          throw new DomainError(
            "unavailable",
            "PROXY_ROUTE_NOT_LIVE",
            `The builtin edge has no route for ${hostname}: no Route row with that hostname.`,
            { hostname },
          );
        }
      }
    },
  };
}
