import { z } from "zod";
import { DESIRED_STATES, PROJECT_STATUSES, SERVICE_KINDS } from "../../ports/vocabulary.js";
import { AgentSummary, Setup } from "../../shared/agent-summary.js";
import { Operation } from "../../shared/operations.js";
import { displayName } from "../../shared/schemas.js";

const KIND = z.enum(SERVICE_KINDS);

export const Project = z
  .object({
    id: z.uuid(),
    name: z.string(),
    slug: z.string(),
    templateId: z.uuid(),
    templateName: z.string(),
    prompt: z.string().nullable(),
    ownerId: z.uuid(),
    desiredState: z.enum(DESIRED_STATES),
    status: z.enum(PROJECT_STATUSES),
    statusMessage: z.string().nullable(),
    services: z.array(
      z.object({
        kind: KIND,
        observedState: z.string().describe("running, exited, absent, …"),
        health: z.string().describe("healthy, unhealthy, unknown"),
        url: z.string().nullable(),
      }),
    ),
    urls: z.object({
      preview: z.string().optional(),
      opencode: z.string().optional(),
      production: z.string().optional(),
    }),
    agent: AgentSummary.describe("The project's agent: its state, current session and last event"),
    setup: Setup.describe("containers → agent_working → ready (or agent_failed) for a project created with a prompt"),
    lastActivityAt: z.iso.datetime(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "Project" });

export const ProjectWithOperation = z
  .object({ project: Project, operation: Operation })
  .meta({ id: "ProjectOperation" });

export const CreateProjectBody = z
  .object({
    name: displayName(60),
    templateId: z.uuid().optional(),
    template: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "a template slug like vite-react")
      .optional()
      .describe("The template's slug (e.g. vite-react), instead of templateId"),
    prompt: z.string().max(20_000).optional(),
  })
  .refine((b) => (b.templateId === undefined) !== (b.template === undefined), {
    message: "give the template as templateId (its id) or template (its slug), one of them",
    path: ["template"],
  });

export const ProjectParams = z.object({ id: z.uuid() });

export const DeleteQuery = z.object({
  keepData: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true")
    .describe("Keep the project's volume (its files)"),
});

export const LogsQuery = z.object({
  service: KIND.default("preview"),
  tail: z.coerce.number().int().min(0).max(10_000).default(200),
  follow: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
});

export const EventStream = z.string().describe("text/event-stream");
