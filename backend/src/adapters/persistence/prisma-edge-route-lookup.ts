import type { EdgeRoute, EdgeRouteLookup } from "../../ports/edge.port.js";
import type { Db } from "./prisma-client.js";

/**
 * The upstream both proxies use: the service's live endpoint first (after a start the
 * container has a new port before the reconciler rewrites the route), else the route's target.
 */
export function upstreamOf(
  route: { kind: string; target: string },
  services: Array<{ kind: string; observedState: string; endpoint: string | null }>,
) {
  const service = services.find((s) => s.kind === route.kind);
  return { target: service?.endpoint || route.target || null, serviceState: service?.observedState ?? "absent" };
}

export function prismaEdgeRouteLookup(db: Db): EdgeRouteLookup {
  return {
    async findByHostname(hostname): Promise<EdgeRoute | null> {
      const route = await db.route.findUnique({
        where: { hostname },
        include: {
          project: {
            select: {
              id: true,
              slug: true,
              name: true,
              ownerId: true,
              desiredState: true,
              status: true,
              sleptAt: true,
              productionIdle: true,
              services: { select: { kind: true, observedState: true, endpoint: true, health: true } },
            },
          },
        },
      });
      if (!route) return null;
      const { services, sleptAt, ...rest } = route.project;
      const project = { ...rest, sleeping: sleptAt !== null };
      return {
        hostname: route.hostname,
        kind: route.kind,
        access: route.access,
        project,
        ...upstreamOf(route, services),
        serviceHealthy: services.find((s) => s.kind === route.kind)?.health === "healthy",
      };
    },
  };
}
