import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { principalOf, SECURED } from "../../http/auth-hooks.js";
import type { AuditEvent } from "../../ports/audit.port.js";
import { errorResponses } from "../../shared/schemas.js";
import { AuditPage, AuditQueryString } from "./audit.schemas.js";
import type { AuditService } from "./audit.service.js";

const toJson = (e: AuditEvent) => ({ ...e, createdAt: e.createdAt.toISOString() });

export const auditRoutes: FastifyPluginAsyncZod<{ audit: AuditService }> = async (app, { audit }) => {
  app.get(
    "/audit",
    {
      onRequest: app.requireAuth(),
      schema: {
        operationId: "listAuditEvents",
        tags: ["audit"],
        summary: "The audit log, newest first: an admin sees every event, anyone else their own",
        description:
          "Filters narrow the list: actor, project, action (exact or a prefix such as project.*), from/to. " +
          "Pages of `limit` events; pass `nextCursor` back as `cursor` for the next, older page.",
        querystring: AuditQueryString,
        response: { 200: AuditPage, ...errorResponses },
        security: SECURED,
      },
    },
    async (req) => {
      const page = await audit.list(principalOf(req), req.query);
      return { events: page.events.map(toJson), nextCursor: page.nextCursor };
    },
  );
};
