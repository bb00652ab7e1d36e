import { z } from "zod";

export const AuditQueryString = z
  .object({
    actor: z.uuid().optional().describe("Events by this user (a user who is not an admin sees only their own)"),
    project: z.uuid().optional().describe("Events about this project"),
    action: z
      .string()
      .regex(/^[a-z_]+(\.[a-z_]+)*(\.\*)?$/, "an action such as project.create, or a prefix such as project.*")
      .max(100)
      .optional()
      .describe("An exact action (project.create) or a prefix ending in .* (project.*)"),
    from: z.iso.datetime({ offset: true }).optional().describe("At or after this time (ISO 8601)"),
    to: z.iso.datetime({ offset: true }).optional().describe("Before this time (ISO 8601)"),
    cursor: z.string().max(200).optional().describe("nextCursor of the previous page"),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
    message: "from must be before to",
    path: ["from"],
  });

export const AuditEventJson = z
  .object({
    id: z.uuid(),
    actorId: z.uuid().nullable(),
    action: z.string(),
    target: z.string().nullable().describe("A project id, or kind:id (api_token:…, user:…, session:…)"),
    data: z.record(z.string(), z.unknown()).nullable(),
    ip: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "AuditEvent" });

export const AuditPage = z
  .object({
    events: z.array(AuditEventJson),
    nextCursor: z.string().nullable().describe("Pass as cursor for the next (older) page; null on the last one"),
  })
  .meta({ id: "AuditPage" });
