import type { ServiceKindName } from "../../ports/edge.port.js";
import type { PublishedRoute, RouteTable } from "../../ports/route-table.port.js";
import type { Db } from "./prisma-client.js";
import { upstreamOf } from "./prisma-edge-route-lookup.js";

/** The template's `services.<kind>.healthCheck.path` when it is a local path; templates are JSON. */
function healthCheckPath(services: unknown, kind: ServiceKindName): string | null {
  const spec = (services as Record<string, { healthCheck?: { path?: unknown } } | undefined> | null)?.[kind];
  const path = spec?.healthCheck?.path;
  return typeof path === "string" && path.startsWith("/") ? path : null;
}

export function prismaRouteTable(db: Db): RouteTable {
  return {
    async listRoutes(): Promise<PublishedRoute[]> {
      const rows = await db.route.findMany({
        orderBy: { hostname: "asc" },
        select: {
          hostname: true,
          kind: true,
          access: true,
          target: true,
          project: {
            select: {
              id: true,
              slug: true,
              desiredState: true,
              template: { select: { services: true } },
              services: { select: { kind: true, observedState: true, endpoint: true } },
            },
          },
        },
      });
      return rows.map((route) => {
        const { template, services, ...project } = route.project;
        return {
          hostname: route.hostname,
          kind: route.kind,
          access: route.access,
          project,
          ...upstreamOf(route, services),
          healthCheckPath: healthCheckPath(template.services, route.kind),
        };
      });
    },
  };
}
