import { Prisma } from "../../generated/prisma/client.js";
import type { PublishedRoute, RouteTable } from "../../ports/route-table.port.js";
import type { RouteAccess, ServiceKind } from "../../ports/vocabulary.js";
import type { Db } from "./prisma-client.js";
import { upstreamOf } from "./prisma-edge-route-lookup.js";

interface Row {
  hostname: string;
  kind: ServiceKind;
  access: RouteAccess;
  target: string;
  projectId: string;
  slug: string;
  desiredState: PublishedRoute["project"]["desiredState"];
  sleeping: boolean;
  productionIdle: boolean;
  observedState: string | null;
  endpoint: string | null;
  healthCheckPath: string | null;
}

// One joined query for the whole table. Prisma's nested select costs four round trips and
// builds every relation object: ~1.3 s for 10,000 routes against tens of ms for this.
/**
 * A task's own preview host (issue #14) is rendered from the task row while it is in review with
 * its preview up (see prisma-edge-route-lookup.ts); it needs APPS_DOMAIN to be named.
 */
export function prismaRouteTable(db: Db, opts: { appsDomain?: string } = {}): RouteTable {
  const appsDomain = opts.appsDomain ?? null;
  /** The table, or one project's part of it (`projectId`). */
  async function read(projectId: string | null): Promise<PublishedRoute[]> {
    const routeOf = projectId === null ? Prisma.empty : Prisma.sql`WHERE r."projectId" = ${projectId}::uuid`;
    const taskOf = projectId === null ? Prisma.empty : Prisma.sql`AND k."projectId" = ${projectId}::uuid`;
    const rows = await db.$queryRaw<Row[]>`
      SELECT r.hostname, r.kind::text AS kind, r.access::text AS access, r.target,
             p.id::text AS "projectId", p.slug, p."desiredState"::text AS "desiredState",
             p."sleptAt" IS NOT NULL AS sleeping, p."productionIdle",
             s."observedState", s.endpoint,
             t.services -> r.kind::text -> 'healthCheck' ->> 'path' AS "healthCheckPath"
      FROM "Route" r
      JOIN "Project" p ON p.id = r."projectId"
      JOIN "Template" t ON t.id = p."templateId"
      LEFT JOIN "ServiceInstance" s ON s."projectId" = r."projectId" AND s.kind = r.kind
      ${routeOf}
      UNION ALL
      SELECT p.slug || '--t' || k.n::text || '.' || ${appsDomain}::text AS hostname, 'preview' AS kind, 'owner' AS access,
             k."previewTarget" AS target,
             p.id::text AS "projectId", p.slug, p."desiredState"::text AS "desiredState",
             p."sleptAt" IS NOT NULL AS sleeping, p."productionIdle",
             'running' AS "observedState", k."previewTarget" AS endpoint,
             t.services -> 'preview' -> 'healthCheck' ->> 'path' AS "healthCheckPath"
      FROM "Task" k
      JOIN "Project" p ON p.id = k."projectId"
      JOIN "Template" t ON t.id = p."templateId"
      WHERE ${appsDomain !== null}::boolean AND k.status = 'review' AND k."previewTarget" IS NOT NULL ${taskOf}
      ORDER BY hostname`;
    return rows.map((row) => ({
      hostname: row.hostname,
      kind: row.kind,
      access: row.access,
      project: {
        id: row.projectId,
        slug: row.slug,
        desiredState: row.desiredState,
        sleeping: row.sleeping,
        productionIdle: row.productionIdle,
      },
      ...upstreamOf(
        row,
        row.observedState === null
          ? []
          : [{ kind: row.kind, observedState: row.observedState, endpoint: row.endpoint }],
      ),
      // Templates are JSON: only a local path is a health-check path.
      healthCheckPath: row.healthCheckPath?.startsWith("/") ? row.healthCheckPath : null,
    }));
  }

  return {
    listRoutes: () => read(null),
    listProjectRoutes: (projectId) => read(projectId),

    // Row counts catch deletions, the newest updatedAt (Prisma sets it on every write) catches
    // inserts and updates: a few milliseconds for 10,000 routes instead of a full read.
    async version(): Promise<string> {
      const [row] = await db.$queryRaw<Array<{ v: string }>>`
        SELECT concat_ws(':',
          (SELECT count(*) || '/' || coalesce(max("updatedAt")::text, '') FROM "Route"),
          (SELECT count(*) || '/' || coalesce(max("updatedAt")::text, '') FROM "Project"),
          (SELECT count(*) || '/' || coalesce(max("updatedAt")::text, '') FROM "ServiceInstance"),
          (SELECT count(*) || '/' || coalesce(max("updatedAt")::text, '') FROM "Template"),
          (SELECT count(*) || '/' || coalesce(max("updatedAt")::text, '') FROM "Task" WHERE "previewTarget" IS NOT NULL)) AS v`;
      return row?.v ?? "";
    },
  };
}
