import { z } from "zod";

// Shared API schemas, registered once with an id so /docs refers to them by $ref.
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().describe("Stable machine-readable code, e.g. PROJECT_NOT_FOUND"),
      message: z.string(),
      requestId: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: "Error" });

export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  404: ErrorBody,
  500: ErrorBody,
} as const;

/** A name people see in a list: one line, no control characters (tab, newline, NUL, escape…). */
export const displayName = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, "must not contain control characters");

/** `/projects/{id}/…` routes of every module. */
export const ProjectIdParams = z.object({ id: z.uuid() });
