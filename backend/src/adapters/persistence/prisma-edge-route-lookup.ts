import type { EdgeRoute, EdgeRouteLookup } from "../../ports/edge.port.js";
import { DEFAULT_ACCESS, parseTaskPreviewHost } from "../../shared/project-urls.js";
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

const PROJECT_FIELDS = {
  id: true,
  slug: true,
  name: true,
  ownerId: true,
  desiredState: true,
  status: true,
  sleptAt: true,
  productionIdle: true,
} as const;

/**
 * A task's own preview host (<slug>--t<n>.<domain>, issue #14) is not a Route row: it lives
 * exactly as long as the task is in review with its preview up, so the task row is the route.
 * Its domain is the project's other hosts' domain; access is the dev preview's (owner).
 */
async function taskPreviewRoute(db: Db, hostname: string): Promise<EdgeRoute | null> {
  const named = parseTaskPreviewHost(hostname);
  if (!named) return null;
  const domain = hostname.slice(hostname.indexOf(".") + 1);
  const project = await db.project.findUnique({
    where: { slug: named.slug },
    select: {
      ...PROJECT_FIELDS,
      routes: { select: { hostname: true } },
      tasks: { where: { n: named.n, status: "review" }, select: { previewTarget: true } },
    },
  });
  const target = project?.tasks[0]?.previewTarget;
  if (!project || !target || !project.routes.some((r) => r.hostname.endsWith(`.${domain}`))) return null;
  const { routes: _routes, tasks: _tasks, sleptAt, ...rest } = project;
  return {
    hostname,
    kind: "preview",
    access: DEFAULT_ACCESS.preview,
    project: { ...rest, sleeping: sleptAt !== null },
    target,
    serviceState: "running",
    serviceHealthy: true,
  };
}

export function prismaEdgeRouteLookup(db: Db): EdgeRouteLookup {
  return {
    async findByHostname(hostname): Promise<EdgeRoute | null> {
      const route = await db.route.findUnique({
        where: { hostname },
        include: {
          project: {
            select: {
              ...PROJECT_FIELDS,
              services: { select: { kind: true, observedState: true, endpoint: true, health: true } },
            },
          },
        },
      });
      if (!route) return taskPreviewRoute(db, hostname);
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
