// ProjectFiles and GitRunner over the files agent, wherever it runs: a `docker exec` in the
// project's workspace container (adapters/docker/docker-workspaces.ts) or, in tests, a child
// process on a temporary folder. The agent checks every path where the files are.
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type {
  FileContent,
  FileEntry,
  FileTree,
  GitRunner,
  ProjectFiles,
  WorkspaceTarget,
} from "../../ports/workspace.port.js";
import type { AgentClient } from "./workspace-agent-client.js";

/** Where agents run: one serving session per project, and one-off streaming runs. */
export interface WorkspaceHost {
  session(t: WorkspaceTarget): Promise<AgentClient>;
  /** Runs the agent in `mode` (watch | archive); its stdout until it exits or `signal` aborts. */
  stream(t: WorkspaceTarget, mode: "watch" | "archive", signal: AbortSignal): Promise<Readable>;
}

const GIT_TIMEOUT_MS = 120_000;

export function agentProjectFiles(host: WorkspaceHost): ProjectFiles & GitRunner {
  const call = async <T>(t: WorkspaceTarget, op: string, args: object, timeoutMs?: number) =>
    (await host.session(t)).call<T>(op, args, timeoutMs ? { timeoutMs } : {});

  return {
    tree: (t, opts) => call<FileTree>(t, "tree", opts),
    async read(t, path, opts): Promise<FileContent> {
      const r = await call<{ content: string; etag: string; size: number; binary: boolean; modified: string }>(
        t,
        "read",
        { path, maxBytes: opts.maxBytes },
      );
      return { ...r, content: Buffer.from(r.content, "base64") };
    },
    write: (t, path, content, condition) =>
      call(t, "write", { path, content: content.toString("base64"), ...condition }),
    async remove(t, path, opts) {
      await call(t, "delete", { path, recursive: opts.recursive });
    },
    async move(t, from, to) {
      await call(t, "move", { from, to });
    },
    mkdir: (t, path) => call<FileEntry>(t, "mkdir", { path }),
    writeMany: (t, files) =>
      call(
        t,
        "writeMany",
        { files: files.map((f) => ({ path: f.path, content: f.content.toString("base64"), mode: f.mode })) },
        GIT_TIMEOUT_MS,
      ),
    async archive(t, signal) {
      return host.stream(t, "archive", signal);
    },
    async *watch(t, signal) {
      const out = await host.stream(t, "watch", signal);
      const lines = createInterface({ input: out, crlfDelay: Number.POSITIVE_INFINITY });
      signal.addEventListener("abort", () => lines.close(), { once: true });
      try {
        for await (const line of lines) {
          if (!line.startsWith("{")) continue;
          const batch = JSON.parse(line) as { paths?: string[]; ready?: boolean };
          if (batch.ready) yield [];
          else if (batch.paths?.length) yield batch.paths;
        }
      } finally {
        lines.close();
        out.destroy();
      }
    },
    async git(t, args, opts = {}) {
      const r = await call<{ code: number; stdout: string; stderr: string; truncated: boolean }>(
        t,
        "git",
        { args, ...opts },
        GIT_TIMEOUT_MS,
      );
      return { ...r, stdout: Buffer.from(r.stdout, "base64") };
    },
  };
}
