import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf, SECURED } from "../../http/auth-hooks.js";
import { ErrorBody, errorResponses } from "../../shared/schemas.js";
import { CreateTemplateBody, Template, UpdateTemplateBody } from "./templates.schemas.js";
import { type TemplatesService, toTemplateDto } from "./templates.service.js";

const IdParams = z.object({ id: z.uuid() });
const adminErrors = { ...errorResponses, 403: ErrorBody, 409: ErrorBody };

export const templatesRoutes: FastifyPluginAsyncZod<{ templates: TemplatesService }> = async (app, { templates }) => {
  app.get(
    "/templates",
    {
      onRequest: app.requireAuth("templates:read"),
      schema: {
        operationId: "listTemplates",
        tags: ["templates"],
        summary: "Templates a project can be created from",
        security: SECURED,
        response: { 200: z.object({ templates: z.array(Template) }), ...errorResponses, 403: ErrorBody },
      },
    },
    async () => ({ templates: (await templates.list()).map(toTemplateDto) }),
  );

  app.post(
    "/templates",
    {
      onRequest: app.requireAuth("templates:write"),
      schema: {
        operationId: "createTemplate",
        tags: ["templates"],
        summary: "Create a template (administrators)",
        security: SECURED,
        body: CreateTemplateBody,
        response: { 201: Template, ...adminErrors },
      },
    },
    async (req, reply) => reply.status(201).send(toTemplateDto(await templates.create(principalOf(req), req.body))),
  );

  app.patch(
    "/templates/:id",
    {
      onRequest: app.requireAuth("templates:write"),
      schema: {
        operationId: "updateTemplate",
        tags: ["templates"],
        summary: "Change a template (administrators)",
        security: SECURED,
        params: IdParams,
        body: UpdateTemplateBody,
        response: { 200: Template, ...adminErrors },
      },
    },
    async (req) => toTemplateDto(await templates.update(principalOf(req), req.params.id, req.body)),
  );

  app.delete(
    "/templates/:id",
    {
      onRequest: app.requireAuth("templates:write"),
      schema: {
        operationId: "deleteTemplate",
        tags: ["templates"],
        summary: "Delete a template no project uses (administrators)",
        description:
          "409 TEMPLATE_IN_USE while projects use it. A template with a warm pool answers 409 TEMPLATE_POOL_DRAINING once: its prewarm is set to 0 and, when its instances are gone (seconds), the delete succeeds.",
        security: SECURED,
        params: IdParams,
        response: { 204: z.null(), ...adminErrors },
      },
    },
    async (req, reply) => {
      await templates.remove(principalOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
};
