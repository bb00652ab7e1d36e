// The QA gates' shape as the API and template manifests write it (issue #14): declared by a
// template, overridable per project. One list of unique names, each one shell command.
import { z } from "zod";
import type { QaGate as QaGateType } from "../ports/templates.port.js";

export const QaGate = z
  .strictObject({
    name: z
      .string()
      .trim()
      .min(1)
      .max(40)
      .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, "letters, digits, space, '.', '_' and '-'"),
    command: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .regex(/^[^\0]*$/, "must not contain NUL")
      .describe("Run with `sh -c` in the template's image, in the task's worktree"),
    timeoutSeconds: z.number().int().min(1).max(3600),
    required: z.boolean().describe("false: advisory, its failure does not block approval"),
    order: z.number().int().min(0).max(1000),
  })
  .meta({ id: "QaGate" }) satisfies z.ZodType<QaGateType, unknown>;

export const QaGateList = z
  .array(QaGate)
  .min(1)
  .max(20)
  .refine((gates) => new Set(gates.map((g) => g.name.toLowerCase())).size === gates.length, "gate names are unique");
