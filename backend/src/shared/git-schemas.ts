import { z } from "zod";
import { DIFF_LINE_TYPES, FILE_CHANGE_STATUSES } from "../ports/project-git.port.js";

// Commits and diffs as the API shows them: the history (issue #13) and the task board (#14).
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
