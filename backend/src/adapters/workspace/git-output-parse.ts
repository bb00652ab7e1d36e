// Pure parsers of git's machine output: `git log` with a fixed format plus --raw/--numstat, and
// unified patches (`git diff -p`) into per-file hunks with line numbers.
import type {
  CommitFile,
  CommitInfo,
  DiffHunk,
  DiffLine,
  FileChangeStatus,
  FileDiff,
} from "../../ports/project-git.port.js";

/** Fields of one commit, separated by \x1f; every commit starts with \x1e. */
export const LOG_FORMAT = "--format=%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%B%x1f";

const RAW_STATUS: Record<string, FileChangeStatus> = {
  A: "added",
  M: "modified",
  D: "deleted",
  R: "renamed",
  T: "type_changed",
  C: "added",
};

/** C-style quoted paths (git quotes names with special characters) back to the name. */
export function unquotePath(p: string): string {
  if (!p.startsWith('"') || !p.endsWith('"')) return p;
  const bytes: number[] = [];
  const body = p.slice(1, -1);
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, "\\": 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== "\\") {
      bytes.push(...Buffer.from(c));
      continue;
    }
    const n = body[i + 1] ?? "";
    if (/[0-7]/.test(n)) {
      bytes.push(Number.parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[n] ?? n.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

export function parseLog(out: string): CommitInfo[] {
  const commits: CommitInfo[] = [];
  for (const chunk of out.split("\x1e").slice(1)) {
    const [id = "", parents = "", name = "", email = "", time = "", message = "", rest = ""] = chunk.split("\x1f");
    const files = new Map<string, CommitFile>();
    for (const line of rest.split("\n")) {
      if (line.startsWith(":")) {
        // :100644 100644 <old> <new> M\tpath
        const [meta = "", path = ""] = line.split("\t");
        const status = RAW_STATUS[meta.split(" ")[4]?.[0] ?? "M"] ?? "modified";
        files.set(unquotePath(path), { path: unquotePath(path), status, additions: null, deletions: null });
      } else if (/^(\d+|-)\t(\d+|-)\t/.test(line)) {
        const [add = "-", del = "-", ...p] = line.split("\t");
        const path = unquotePath(p.join("\t"));
        const f = files.get(path) ?? { path, status: "modified" as const, additions: null, deletions: null };
        f.additions = add === "-" ? null : Number(add);
        f.deletions = del === "-" ? null : Number(del);
        files.set(path, f);
      }
    }
    const trimmed = message.replace(/\n+$/, "");
    commits.push({
      id,
      parents: parents.split(" ").filter(Boolean),
      subject: trimmed.split("\n")[0] ?? "",
      message: trimmed,
      author: { name, email },
      time,
      files: [...files.values()],
    });
  }
  return commits;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;

/** `diff --git a/x b/y` names, quoted or not. */
function namesOf(header: string): { a: string; b: string } {
  const rest = header.slice("diff --git ".length);
  const quoted = /^("(?:[^"\\]|\\.)*"|\S+) ("(?:[^"\\]|\\.)*"|\S+)$/.exec(rest);
  if (quoted?.[1] && quoted[2]) {
    return { a: unquotePath(quoted[1]).replace(/^a\//, ""), b: unquotePath(quoted[2]).replace(/^b\//, "") };
  }
  // Unquoted names with spaces: "a/<p> b/<p>" where both halves are equal for non-renames.
  const half = (rest.length - 1) / 2;
  return { a: rest.slice(2, half), b: rest.slice(half + 3) };
}

export function parsePatch(patch: string): FileDiff[] {
  const files: FileDiff[] = [];
  let file: FileDiff | null = null;
  let hunk: DiffHunk | null = null;
  let oldNo = 0;
  let newNo = 0;
  for (const line of patch.split("\n")) {
    if (line.startsWith("diff --git ")) {
      const { a, b } = namesOf(line);
      file = { path: b, oldPath: a, status: "modified", binary: false, additions: 0, deletions: 0, hunks: [] };
      files.push(file);
      hunk = null;
      continue;
    }
    if (!file) continue;
    if (!hunk) {
      if (line.startsWith("new file mode")) file.status = "added";
      else if (line.startsWith("deleted file mode")) file.status = "deleted";
      else if (line.startsWith("rename from ")) {
        file.status = "renamed";
        file.oldPath = unquotePath(line.slice("rename from ".length));
      } else if (line.startsWith("rename to ")) file.path = unquotePath(line.slice("rename to ".length));
      else if (line.startsWith("old mode") && file.status === "modified") file.status = "type_changed";
      else if (line.startsWith("Binary files ") || line === "GIT binary patch") file.binary = true;
      else if (line.startsWith("--- ") || line.startsWith("+++ ")) continue;
    }
    const m = HUNK.exec(line);
    if (m) {
      hunk = {
        header: line,
        oldStart: Number(m[1]),
        oldLines: m[2] === undefined ? 1 : Number(m[2]),
        newStart: Number(m[3]),
        newLines: m[4] === undefined ? 1 : Number(m[4]),
        lines: [],
      };
      oldNo = hunk.oldStart;
      newNo = hunk.newStart;
      file.hunks.push(hunk);
      continue;
    }
    if (!hunk) continue;
    let l: DiffLine | null = null;
    if (line.startsWith("+")) {
      l = { type: "add", text: line.slice(1), oldLine: null, newLine: newNo++ };
      file.additions += 1;
    } else if (line.startsWith("-")) {
      l = { type: "delete", text: line.slice(1), oldLine: oldNo++, newLine: null };
      file.deletions += 1;
    } else if (line.startsWith(" ")) {
      l = { type: "context", text: line.slice(1), oldLine: oldNo++, newLine: newNo++ };
    }
    // "\ No newline at end of file" and the patch's trailing empty line carry no line.
    if (l) hunk.lines.push(l);
  }
  return files;
}
