// A project's files for its owner: browse, read, write with lost-update protection, move,
// delete, upload and download archives, and live change notices. The files themselves are
// reached through the ProjectFiles port, which checks every path where the files are.
import { gunzipSync } from "node:zlib";
import type { AuditLog } from "../../ports/audit.port.js";
import type { Principal } from "../../ports/auth.port.js";
import type { ProjectRecord } from "../../ports/projects.port.js";
import type { TemplateStore } from "../../ports/templates.port.js";
import type { ProjectFiles, UploadFile, WriteCondition } from "../../ports/workspace.port.js";
import { badRequest, conflict, DomainError } from "../../shared/errors.js";
import { workspaceTargetOf } from "../../shared/workspace-target.js";
import { fileChangesHub } from "./file-changes-hub.js";
import { readTarEntries } from "./tar-entries.js";

export interface FilesLimits {
  maxFileBytes: number;
  maxUploadBytes: number;
  maxTreeEntries: number;
}

export interface FilesServiceDeps {
  /** The project if the principal may see it; a 404 otherwise (another user's project too). */
  projects: { get(principal: Principal, id: string): Promise<ProjectRecord> };
  templates: Pick<TemplateStore, "get">;
  files: ProjectFiles;
  limits: FilesLimits;
  /** A project row, whoever asks (a stream checked access when it opened); null when gone. */
  lookup: (projectId: string) => Promise<Pick<ProjectRecord, "id" | "templateId" | "desiredState"> | null>;
  audit?: AuditLog;
}

const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;
/** Paths an archive may carry that are never written: dependencies and history. */
const SKIPPED = /(^|\/)(node_modules|\.git)(\/|$)/;

export function filesServiceFactory(deps: FilesServiceDeps) {
  const { files, limits } = deps;
  const changes = fileChangesHub((id, signal) => watchWithRetry(files, deps, id, signal));
  const target = async (principal: Principal, id: string) => {
    const p = await deps.projects.get(principal, id);
    // Touching the files would start its workspace again and hold the volume being removed.
    if (p.desiredState === "deleted") throw conflict("PROJECT_DELETING", "The project is being deleted");
    return { p, t: await workspaceTargetOf(deps.templates, p) };
  };
  const tooLarge = (what: string, size: number, limit: number, variable: string) =>
    new DomainError(
      "payload_too_large",
      "FILE_TOO_LARGE",
      `${what} is ${mb(size)}; the limit is ${mb(limit)} (${variable})`,
      { size, limit },
    );

  return {
    limits,
    async tree(principal: Principal, id: string, opts: { path: string; depth: number; all: boolean }) {
      const { t } = await target(principal, id);
      return files.tree(t, { ...opts, maxEntries: limits.maxTreeEntries });
    },
    async read(principal: Principal, id: string, path: string) {
      const { t } = await target(principal, id);
      return files.read(t, path, { maxBytes: limits.maxFileBytes });
    },
    async write(principal: Principal, id: string, path: string, content: Buffer, condition: WriteCondition) {
      if (content.length > limits.maxFileBytes) {
        throw tooLarge("The file", content.length, limits.maxFileBytes, "FILES_MAX_FILE_BYTES");
      }
      const { t } = await target(principal, id);
      return files.write(t, path, content, condition);
    },
    async remove(principal: Principal, id: string, path: string, opts: { recursive: boolean }) {
      const { t } = await target(principal, id);
      await files.remove(t, path, opts);
    },
    async move(principal: Principal, id: string, from: string, to: string) {
      const { t } = await target(principal, id);
      await files.move(t, from, to);
    },
    async mkdir(principal: Principal, id: string, path: string) {
      const { t } = await target(principal, id);
      return files.mkdir(t, path);
    },
    async archive(principal: Principal, id: string, signal: AbortSignal) {
      const { p, t } = await target(principal, id);
      return { name: `${p.slug}.tar.gz`, stream: await files.archive(t, signal) };
    },

    /** Unpacks a .tar.gz (or .tar) into `into`; every entry is checked before anything is written. */
    async upload(principal: Principal, id: string, body: Buffer, opts: { into: string }) {
      if (body.length > limits.maxUploadBytes) {
        throw tooLarge("The archive", body.length, limits.maxUploadBytes, "FILES_MAX_UPLOAD_BYTES");
      }
      const { p, t } = await target(principal, id);
      let tar: Buffer;
      try {
        tar =
          body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body, { maxOutputLength: limits.maxUploadBytes }) : body;
      } catch (err) {
        if (err instanceof RangeError) {
          throw tooLarge(
            "The unpacked archive",
            limits.maxUploadBytes + 1,
            limits.maxUploadBytes,
            "FILES_MAX_UPLOAD_BYTES",
          );
        }
        throw badRequest("ARCHIVE_INVALID", "The upload is not a readable .tar.gz or .tar archive");
      }
      const entries = await readTarEntries(tar);
      const prefix = opts.into.replace(/^\/+|\/+$/g, "");
      const toWrite: UploadFile[] = [];
      const skipped: string[] = [];
      for (const e of entries) {
        if (e.type === "directory") continue;
        if (e.type !== "file") {
          throw badRequest(
            "ARCHIVE_UNSUPPORTED_ENTRY",
            `${e.name} is a ${e.type}; archives may hold only files and folders`,
          );
        }
        if (SKIPPED.test(e.name)) {
          skipped.push(e.name);
          continue;
        }
        if (e.content.length > limits.maxFileBytes) {
          throw tooLarge(e.name, e.content.length, limits.maxFileBytes, "FILES_MAX_FILE_BYTES");
        }
        toWrite.push({ path: prefix ? `${prefix}/${e.name}` : e.name, content: e.content, mode: e.mode & 0o755 });
      }
      const { written } = await files.writeMany(t, toWrite);
      await deps.audit?.record({ actorId: principal.userId, action: "files.upload", target: p.id, data: { written } });
      return { written, skipped };
    },

    /** Changed paths by anyone, for a stream whose access was checked when it opened. */
    changes,
  };
}

/**
 * Keeps watching across workspace restarts (a project not seeded yet, a workspace replaced)
 * until aborted, or until the project is going away: its workspace must not come back then.
 */
async function* watchWithRetry(
  files: ProjectFiles,
  deps: Pick<FilesServiceDeps, "templates" | "lookup">,
  projectId: string,
  signal: AbortSignal,
): AsyncIterable<string[]> {
  let delay = 500;
  while (!signal.aborted) {
    const p = await deps.lookup(projectId);
    if (!p || p.desiredState === "deleted") return;
    try {
      for await (const batch of files.watch(await workspaceTargetOf(deps.templates, p), signal)) {
        delay = 500;
        if (batch.length) yield batch;
      }
    } catch {
      // Not ready yet, or the workspace went away: look again shortly.
    }
    if (signal.aborted) return;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 10_000);
  }
}

export type FilesService = ReturnType<typeof filesServiceFactory>;
