// The git adapter with the host's real git behind the files agent (a child process on a temp
// folder): first commit, commits by a person and by the agent, structured diffs that agree with
// the unified text, restore as a new commit, and planted repository config that never runs.
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentProjectFiles } from "../src/adapters/workspace/agent-project-files.js";
import { gitCliProjectGit } from "../src/adapters/workspace/git-cli-project-git.js";
import { parsePatch, unquotePath } from "../src/adapters/workspace/git-output-parse.js";
import { localWorkspace } from "./helpers/local-workspace.js";

let ws: Awaited<ReturnType<typeof localWorkspace>>;
const t = { projectId: "p", ownerImage: null };
const git = () => gitCliProjectGit(agentProjectFiles(ws.host));
const platform = { name: "DevSanctum", email: "platform@devsanctum.invalid" };
const alice = { name: "Alice Example", email: "alice@example.test" };
const agent = { name: "DevSanctum agent", email: "agent@devsanctum.invalid" };
const put = async (p: string, content: string) => {
  await mkdir(path.dirname(path.join(ws.root, p)), { recursive: true });
  await writeFile(path.join(ws.root, p), content);
};
let templateCommit = "";
let manualCommit = "";

beforeAll(async () => {
  ws = await localWorkspace();
  await put("src/App.tsx", "export function App() {\n  return <h1>Hello</h1>;\n}\n");
  await put("README.md", "# Template\n");
  await put("node_modules/dep/index.js", "module.exports = 1;\n");
});
afterAll(async () => ws?.close());

describe("a project's history through the git CLI", () => {
  it("records the template's files as the first commit, without node_modules, once", async () => {
    expect(await git().ensureRepository(t, { author: platform, message: "Project created from Vite + React" })).toEqual(
      {
        created: true,
      },
    );
    expect(await git().ensureRepository(t, { author: platform, message: "again" })).toEqual({ created: false });
    const { commits, more } = await git().log(t, { limit: 10 });
    expect(more).toBe(false);
    expect(commits).toHaveLength(1);
    templateCommit = commits[0]?.id ?? "";
    expect(commits[0]).toMatchObject({
      subject: "Project created from Vite + React",
      author: platform,
      parents: [],
      files: [
        { path: "README.md", status: "added", additions: 1, deletions: 0 },
        { path: "src/App.tsx", status: "added", additions: 3, deletions: 0 },
      ],
    });
  });

  it("commits a person's changes as that person, and nothing when nothing changed", async () => {
    await put("src/App.tsx", "export function App() {\n  return <h1>Hello, Alice</h1>;\n}\n");
    await put("notes/todo.md", "- ship\n");
    const c = await git().commitAll(t, { message: "Greet Alice\n\nA longer body.", author: alice });
    manualCommit = c?.id ?? "";
    expect(c).toMatchObject({ subject: "Greet Alice", message: "Greet Alice\n\nA longer body.", author: alice });
    expect(c?.files.map((f) => `${f.status}:${f.path}`).sort()).toEqual([
      "added:notes/todo.md",
      "modified:src/App.tsx",
    ]);
    expect(await git().commitAll(t, { message: "nothing", author: alice })).toBeNull();
  });

  it("commits the agent's turn with the agent as author", async () => {
    await rm(path.join(ws.root, "README.md"));
    const c = await git().commitAll(t, { message: "Agent turn (session ses_1): remove the readme", author: agent });
    expect(c).toMatchObject({ author: agent, files: [{ path: "README.md", status: "deleted" }] });
    const { commits } = await git().log(t, { limit: 2 });
    expect(commits.map((x) => x.author.email)).toEqual([agent.email, alice.email]);
    const older = await git().log(t, { limit: 5, before: commits[0]?.id ?? "" });
    expect(older.commits.map((x) => x.id)).toEqual([manualCommit, templateCommit]);
  });

  it("diffs two commits as per-file hunks with line numbers, matching the unified text", async () => {
    const d = await git().diff(t, { from: templateCommit, to: manualCommit, maxBytes: 1_000_000 });
    expect(d.stats).toEqual({ files: 2, additions: 2, deletions: 1 });
    const app = d.files.find((f) => f.path === "src/App.tsx");
    expect(app?.status).toBe("modified");
    expect(app?.hunks[0]?.lines.filter((l) => l.type !== "context")).toEqual([
      { type: "delete", text: "  return <h1>Hello</h1>;", oldLine: 2, newLine: null },
      { type: "add", text: "  return <h1>Hello, Alice</h1>;", oldLine: null, newLine: 2 },
    ]);
    expect(d.unified).toContain("-  return <h1>Hello</h1>;\n+  return <h1>Hello, Alice</h1>;");
    expect(d.files.find((f) => f.path === "notes/todo.md")?.status).toBe("added");
    // The first commit against nothing.
    const root = await git().commitDiff(t, templateCommit, { maxBytes: 1_000_000 });
    expect(root.files.map((f) => f.status)).toEqual(["added", "added"]);
  });

  it("diffs the working tree against the last commit by default, new files included", async () => {
    await put("src/extra.ts", "export const extra = true;\n");
    const d = await git().diff(t, { from: "HEAD", to: "worktree", maxBytes: 1_000_000 });
    expect(d.to).toBe("worktree");
    expect(d.files.map((f) => `${f.status}:${f.path}`)).toEqual(["added:src/extra.ts"]);
  });

  it("restores an old commit as a new commit, keeping uncommitted work in history", async () => {
    const restored = await git().restore(t, templateCommit, { message: "Restore the template", author: alice });
    expect(restored.parents).toHaveLength(1);
    expect(await readFile(path.join(ws.root, "src/App.tsx"), "utf8")).toContain("<h1>Hello</h1>");
    expect(await readFile(path.join(ws.root, "README.md"), "utf8")).toBe("# Template\n");
    await expect(stat(path.join(ws.root, "src/extra.ts"))).rejects.toThrow();
    await expect(stat(path.join(ws.root, "node_modules/dep/index.js"))).resolves.toBeTruthy();
    const { commits } = await git().log(t, { limit: 3 });
    expect(commits.map((c) => c.subject)).toEqual([
      "Restore the template",
      `Changes before restoring ${templateCommit.slice(0, 7)}`,
      "Agent turn (session ses_1): remove the readme",
    ]);
    // Nothing lost: the uncommitted file is in the commit before the restore.
    expect(commits[1]?.files.map((f) => f.path)).toEqual(["src/extra.ts"]);
  });

  it("answers COMMIT_NOT_FOUND for an unknown commit", async () => {
    await expect(git().commitDiff(t, "0123456789abcdef", { maxBytes: 1000 })).rejects.toMatchObject({
      code: "COMMIT_NOT_FOUND",
    });
  });

  it("never runs what code in the project plants in .git/config (hooks, fsmonitor, filters)", async () => {
    const marker = path.join(ws.root, "pwned");
    await writeFile(
      path.join(ws.root, ".git/config"),
      `${await readFile(path.join(ws.root, ".git/config"), "utf8")}[core]\n\tfsmonitor = touch ${marker}\n[filter "x"]\n\tclean = sh -c 'touch ${marker}; cat'\n`,
    );
    await writeFile(path.join(ws.root, ".gitattributes"), "*.txt filter=x\n");
    await mkdir(path.join(ws.root, ".git/hooks"), { recursive: true });
    await writeFile(path.join(ws.root, ".git/hooks/pre-commit"), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    await put("a.txt", "text\n");
    expect(await git().commitAll(t, { message: "with planted config", author: alice })).not.toBeNull();
    await expect(stat(marker)).rejects.toThrow();
    expect(await readFile(path.join(ws.root, ".git/config"), "utf8")).not.toMatch(/fsmonitor|filter/);
  });
});

describe("git output parsing", () => {
  it("reads quoted names and renames", () => {
    expect(unquotePath('"caf\\303\\251 \\"x\\".txt"')).toBe('café "x".txt');
    const files = parsePatch(
      [
        "diff --git a/old name.ts b/new name.ts",
        "similarity index 90%",
        "rename from old name.ts",
        "rename to new name.ts",
        "index 1..2 100644",
        "--- a/old name.ts",
        "+++ b/new name.ts",
        "@@ -1 +1 @@",
        "-a",
        "\\ No newline at end of file",
        "+b",
        "diff --git a/logo.png b/logo.png",
        "new file mode 100644",
        "Binary files /dev/null and b/logo.png differ",
        "",
      ].join("\n"),
    );
    expect(files.map((f) => [f.status, f.oldPath, f.path, f.binary, f.additions, f.deletions])).toEqual([
      ["renamed", "old name.ts", "new name.ts", false, 1, 1],
      ["added", "logo.png", "logo.png", true, 0, 0],
    ]);
  });
});
