import type { EdgeRoute, EdgeRouteLookup } from "../../ports/edge.port.js";
import type { Db } from "./prisma-client.js";

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
              services: { select: { kind: true, observedState: true, endpoint: true } },
            },
          },
        },
      });
      if (!route) return null;
      const service = route.project.services.find((s) => s.kind === route.kind);
      const { services: _services, ...project } = route.project;
      return {
        hostname: route.hostname,
        kind: route.kind,
        access: route.access,
        // The live endpoint first: after a start the container has a new port before the
        // reconciler rewrites the route (it does after the health check).
        target: service?.endpoint || route.target || null,
        project,
        serviceState: service?.observedState ?? "absent",
      };
    },
  };
}
