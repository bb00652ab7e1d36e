import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { principalOf, SECURED } from "../../http/auth-hooks.js";
import { ErrorBody, errorResponses } from "../../shared/schemas.js";
import { AgentParams, ProjectSettings, Settings, SettingsBody } from "./agent.schemas.js";
import type { AgentService } from "./agent.service.js";
import { type AgentSettingsService, toSettingsDto } from "./agent-settings.service.js";

export interface AgentSettingsRoutesOptions {
  settings: AgentSettingsService;
  agent: Pick<AgentService, "owned">;
}

const errors = { ...errorResponses, 403: ErrorBody };
const dto = (s: Parameters<typeof toSettingsDto>[0] | null) => (s ? toSettingsDto(s) : null);
const BODY = SettingsBody.nullable().describe("null clears the settings");

export const agentSettingsRoutes: FastifyPluginAsyncZod<AgentSettingsRoutesOptions> = async (app, opts) => {
  const { settings, agent } = opts;
  const read = app.requireAuth("projects:read");
  const write = app.requireAuth("projects:write");

  app.get(
    "/me/agent-settings",
    {
      onRequest: read,
      schema: {
        operationId: "getMyAgentSettings",
        tags: ["agent"],
        summary: "Your default model settings for your projects' agents (the key is never returned)",
        security: SECURED,
        response: { 200: Settings.nullable(), ...errors },
      },
    },
    async (req) => dto(await settings.getMine(principalOf(req))),
  );

  app.put(
    "/me/agent-settings",
    {
      onRequest: write,
      schema: {
        operationId: "putMyAgentSettings",
        tags: ["agent"],
        summary: "Set (or clear with null) your default model settings; running agents pick them up",
        security: SECURED,
        body: BODY,
        response: { 200: Settings.nullable(), ...errors },
      },
    },
    async (req) => dto(await settings.putMine(principalOf(req), req.body)),
  );

  app.get(
    "/projects/:id/agent-settings",
    {
      onRequest: read,
      schema: {
        operationId: "getProjectAgentSettings",
        tags: ["agent"],
        summary: "A project's own model settings, and what its agent uses",
        security: SECURED,
        params: AgentParams,
        response: { 200: ProjectSettings, ...errors },
      },
    },
    async (req) => {
      const p = await agent.owned(principalOf(req), req.params.id);
      const s = await settings.getForProject(p.id, p.ownerId);
      return { override: dto(s.override), effective: dto(s.effective), source: s.source as "project" | "user" | null };
    },
  );

  app.put(
    "/projects/:id/agent-settings",
    {
      onRequest: write,
      schema: {
        operationId: "putProjectAgentSettings",
        tags: ["agent"],
        summary: "Override the model settings for one project (null: use its owner's again)",
        security: SECURED,
        params: AgentParams,
        body: BODY,
        response: { 200: ProjectSettings, ...errors },
      },
    },
    async (req) => {
      const principal = principalOf(req);
      const p = await agent.owned(principal, req.params.id);
      await settings.putForProject(principal, p.id, req.body);
      const s = await settings.getForProject(p.id, p.ownerId);
      return { override: dto(s.override), effective: dto(s.effective), source: s.source as "project" | "user" | null };
    },
  );
};
