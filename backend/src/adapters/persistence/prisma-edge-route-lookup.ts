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
        target: route.target || service?.endpoint || null,
        project,
        serviceState: service?.observedState ?? "absent",
      };
    },
  };
}
