import { z } from "zod";
import { DIFF_LINE_TYPES, FILE_CHANGE_STATUSES } from "../../ports/project-git.port.js";

/** A commit id (full or abbreviated) or HEAD, HEAD~n: never anything git could read as an option. */
export const Rev = z
  .string()
  .regex(/^([0-9a-f]{4,64}|HEAD(~\d{1,4})?)$/, "a commit id (hex) or HEAD, HEAD~n")
  .describe("A commit id, or HEAD / HEAD~n");

const Person = z.object({ name: z.string(), email: z.string() });

export const Commit = z
  .object({
    id: z.string(),
    parents: z.array(z.string()),
    subject: z.string(),
    message: z.string(),
    author: Person,
    time: z.iso.datetime({ offset: true }),
    files: z.array(
      z.object({
        path: z.string(),
        status: z.enum(FILE_CHANGE_STATUSES),
        additions: z.number().int().nullable().describe("null for a binary file"),
        deletions: z.number().int().nullable(),
      }),
    ),
  })
  .meta({ id: "Commit" });

export const Diff = z
  .object({
    from: z.string(),
    to: z.string().describe("A commit id, or worktree"),
    files: z.array(
      z.object({
        path: z.string(),
        oldPath: z.string(),
        status: z.enum(FILE_CHANGE_STATUSES),
        binary: z.boolean(),
        additions: z.number().int(),
        deletions: z.number().int(),
        hunks: z.array(
          z.object({
            header: z.string(),
            oldStart: z.number().int(),
            oldLines: z.number().int(),
            newStart: z.number().int(),
            newLines: z.number().int(),
            lines: z.array(
              z.object({
                type: z.enum(DIFF_LINE_TYPES),
                text: z.string(),
                oldLine: z.number().int().nullable(),
                newLine: z.number().int().nullable(),
              }),
            ),
          }),
        ),
      }),
    ),
    stats: z.object({ files: z.number().int(), additions: z.number().int(), deletions: z.number().int() }),
    unified: z.string().describe("The same diff as git's unified text"),
    truncated: z.boolean(),
  })
  .meta({ id: "Diff" });

export const HistoryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: Rev.optional().describe("List the commits after this one (the next page)"),
});
export const CommitParams = z.object({ id: z.uuid(), commit: Rev });
export const DiffQuery = z.object({
  from: Rev.default("HEAD"),
  to: z.union([Rev, z.literal("worktree")]).default("worktree"),
});
export const CommitBody = z.object({
  message: z
    .string()
    .trim()
    .min(1)
    .max(5000)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: newlines and tabs are fine, other control characters are not
    .refine((m) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(m), "control characters are refused"),
});
export const CommitResult = z.object({ commit: Commit });
