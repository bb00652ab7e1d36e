import { z } from "zod";
import { FILE_TYPES } from "../../ports/workspace.port.js";

// A path relative to the project's root. The string checks here give a clear 400 early; the
// workspace checks again where the files are (symlinks, `..` after resolution).
export const FilePath = z
  .string()
  .max(4096)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  .refine((p) => !/[\u0000-\u001f\u007f]/.test(p), "control characters are refused")
  .describe("A path relative to the project's root, '/'-separated");

export const FileEntry = z
  .object({
    path: z.string(),
    name: z.string(),
    type: z.enum(FILE_TYPES),
    size: z.number().int().min(0),
    modified: z.iso.datetime(),
    target: z.string().optional().describe("A symbolic link's target"),
  })
  .meta({ id: "FileEntry" });

export const FileTree = z
  .object({
    path: z.string(),
    entries: z.array(FileEntry),
    truncated: z.boolean().describe("More entries than FILES_TREE_MAX_ENTRIES: the list stops there"),
  })
  .meta({ id: "FileTree" });

export const TreeQuery = z.object({
  path: FilePath.default(""),
  depth: z.coerce.number().int().min(1).max(32).default(1),
  all: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true")
    .describe("Include node_modules and .git"),
});

export const PathQuery = z.object({ path: FilePath.min(1) });
export const DeleteQuery = PathQuery.extend({
  recursive: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true")
    .describe("Delete a folder with everything in it"),
});

export const WrittenFile = FileEntry.extend({
  etag: z.string(),
  created: z.boolean(),
}).meta({ id: "WrittenFile" });

export const MoveBody = z.object({ from: FilePath.min(1), to: FilePath.min(1) });
export const MkdirBody = z.object({ path: FilePath.min(1) });
export const UploadQuery = z.object({ path: FilePath.default("").describe("The folder to unpack into") });
export const UploadResult = z.object({
  written: z.number().int(),
  skipped: z.array(z.string()).describe("Entries under node_modules or .git, which are never written"),
});

export const FileBytes = z
  .string()
  .describe("The file's bytes: text/plain for text, application/octet-stream as an attachment for binary");
export const ArchiveBytes = z.string().describe("application/gzip: the project's files as .tar.gz");
