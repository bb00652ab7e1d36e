import { z } from "zod";
import { Commit } from "../../shared/git-schemas.js";

/** A commit id (full or abbreviated) or HEAD, HEAD~n: never anything git could read as an option. */
export const Rev = z
  .string()
  .regex(/^([0-9a-f]{4,64}|HEAD(~\d{1,4})?)$/, "a commit id (hex) or HEAD, HEAD~n")
  .describe("A commit id, or HEAD / HEAD~n");

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
