// The files agent as a child process on a temporary folder: the same protocol and checks as
// in a workspace container, fast enough for unit tests of the agent and the git adapter.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { WorkspaceHost } from "../../src/adapters/workspace/agent-project-files.js";
import { type AgentClient, workspaceAgentClient } from "../../src/adapters/workspace/workspace-agent-client.js";

export const AGENT_SCRIPT = path.resolve(import.meta.dirname, "../../workspace-agent/workspace-agent.mjs");

export function runAgent(root: string, mode: "serve" | "watch" | "archive"): ChildProcess {
  return spawn(process.execPath, [AGENT_SCRIPT, mode], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", WORKSPACE_ROOT: root },
    stdio: ["pipe", "pipe", "inherit"],
  });
}

/** A WorkspaceHost whose every project is `root`; close() ends its agents. */
export async function localWorkspace(opts: { root?: string } = {}) {
  const root = opts.root ?? (await mkdtemp(path.join(os.tmpdir(), "ds-workspace-")));
  const children = new Set<ChildProcess>();
  let client: AgentClient | null = null;
  const host: WorkspaceHost = {
    async session() {
      if (client) return client;
      const child = runAgent(root, "serve");
      children.add(child);
      const stdout = child.stdout as Readable;
      client = workspaceAgentClient({
        write: (line) => child.stdin?.write(line),
        lines: createInterface({ input: stdout }),
        close: () => child.stdin?.end(),
      });
      return client;
    },
    async stream(_t, mode, signal) {
      const child = runAgent(root, mode);
      children.add(child);
      signal.addEventListener("abort", () => child.stdin?.end(), { once: true });
      if (mode === "archive") child.stdin?.end();
      return child.stdout as Readable;
    },
  };
  return {
    root,
    host,
    async close() {
      for (const c of children) {
        c.stdin?.end();
        c.kill();
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}
