// The files agent on a real folder (a child process, the same protocol the workspace container
// speaks): what it lists, reads and writes, and every way out of the project it refuses with
// nothing changed — checked on the filesystem, not only in the answers.
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentProjectFiles } from "../src/adapters/workspace/agent-project-files.js";
import { DomainError } from "../src/shared/errors.js";
import { localWorkspace } from "./helpers/local-workspace.js";

let ws: Awaited<ReturnType<typeof localWorkspace>>;
let outside: string;
const t = { projectId: "p", ownerImage: null };
const files = () => agentProjectFiles(ws.host);

async function refused(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

beforeAll(async () => {
  ws = await localWorkspace();
  outside = await mkdtemp(path.join(os.tmpdir(), "ds-outside-"));
  await writeFile(path.join(outside, "secret.txt"), "secret");
  await mkdir(path.join(ws.root, "src/components"), { recursive: true });
  await mkdir(path.join(ws.root, "node_modules/dep"), { recursive: true });
  await mkdir(path.join(ws.root, ".git"), { recursive: true });
  await writeFile(path.join(ws.root, "node_modules/dep/index.js"), "x");
  await writeFile(path.join(ws.root, "README.md"), "# Hi\n");
  await writeFile(path.join(ws.root, "src/App.tsx"), "export const App = 1;\n");
  await writeFile(path.join(ws.root, "src/components/Button.tsx"), "b");
  await writeFile(path.join(ws.root, "logo.bin"), Buffer.from([0x89, 0x50, 0x00, 0xff]));
  await symlink(outside, path.join(ws.root, "escape"));
  await symlink(path.join(outside, "secret.txt"), path.join(ws.root, "secret-link"));
  await symlink("src/App.tsx", path.join(ws.root, "app-link"));
});
afterAll(async () => {
  await ws?.close();
  await rm(outside, { recursive: true, force: true });
});

describe("tree", () => {
  it("lists folders first, without node_modules and .git unless asked, to the depth given", async () => {
    const top = await files().tree(t, { path: "", depth: 1, all: false, maxEntries: 100 });
    expect(top.entries.map((e) => `${e.type}:${e.path}`)).toEqual([
      "dir:src",
      "file:README.md",
      "symlink:app-link",
      "symlink:escape",
      "file:logo.bin",
      "symlink:secret-link",
    ]);
    expect(top.truncated).toBe(false);
    const deep = await files().tree(t, { path: "src", depth: 5, all: false, maxEntries: 100 });
    expect(deep.entries.map((e) => e.path)).toEqual(["src/components", "src/components/Button.tsx", "src/App.tsx"]);
    const all = await files().tree(t, { path: "", depth: 1, all: true, maxEntries: 100 });
    expect(all.entries.map((e) => e.path)).toEqual(expect.arrayContaining([".git", "node_modules"]));
  });

  it("stops at the entry limit and says so", async () => {
    const r = await files().tree(t, { path: "", depth: 9, all: false, maxEntries: 3 });
    expect(r.entries).toHaveLength(3);
    expect(r.truncated).toBe(true);
  });
});

describe("read and write", () => {
  it("reads with an ETag, tells binary from text, and refuses files over the limit", async () => {
    const r = await files().read(t, "src/App.tsx", { maxBytes: 1000 });
    expect(r.content.toString()).toBe("export const App = 1;\n");
    expect(r.binary).toBe(false);
    expect(r.etag).toMatch(/^[A-Za-z0-9_-]{27}$/);
    expect((await files().read(t, "logo.bin", { maxBytes: 1000 })).binary).toBe(true);
    const big = await refused(files().read(t, "src/App.tsx", { maxBytes: 5 }));
    expect(big.code).toBe("FILE_TOO_LARGE");
    // A symlink inside the project reads its target.
    expect((await files().read(t, "app-link", { maxBytes: 1000 })).etag).toBe(r.etag);
  });

  it("creates, replaces with the current ETag, and refuses a stale one with the file unchanged", async () => {
    const created = await files().write(t, "src/new/deep/file.ts", Buffer.from("one"), {});
    expect(created).toMatchObject({ created: true, type: "file", size: 3 });
    const again = await files().write(t, "src/new/deep/file.ts", Buffer.from("two"), { ifMatch: created.etag });
    expect(again.created).toBe(false);
    const stale = await refused(
      files().write(t, "src/new/deep/file.ts", Buffer.from("three"), { ifMatch: created.etag }),
    );
    expect(stale.code).toBe("PRECONDITION_FAILED");
    expect(stale.kind).toBe("precondition_failed");
    expect(stale.details).toEqual({ etag: again.etag });
    expect(await readFile(path.join(ws.root, "src/new/deep/file.ts"), "utf8")).toBe("two");
    const exists = await refused(files().write(t, "src/new/deep/file.ts", Buffer.from("x"), { ifNoneMatch: "*" }));
    expect(exists.code).toBe("PRECONDITION_FAILED");
  });

  it("moves, makes folders and deletes, a non-empty folder only when asked", async () => {
    await files().mkdir(t, "docs/guides");
    expect((await refused(files().mkdir(t, "docs"))).code).toBe("ALREADY_EXISTS");
    await files().write(t, "docs/guides/a.md", Buffer.from("a"), {});
    await files().move(t, "docs/guides/a.md", "docs/b.md");
    expect(await readFile(path.join(ws.root, "docs/b.md"), "utf8")).toBe("a");
    expect((await refused(files().move(t, "docs/b.md", "README.md"))).code).toBe("ALREADY_EXISTS");
    expect((await refused(files().move(t, "docs", "docs/inner"))).code).toBe("INVALID_PATH");
    expect((await refused(files().remove(t, "docs", { recursive: false }))).code).toBe("FOLDER_NOT_EMPTY");
    await files().remove(t, "docs", { recursive: true });
    await expect(stat(path.join(ws.root, "docs"))).rejects.toThrow();
    expect((await refused(files().remove(t, "docs", { recursive: true }))).code).toBe("FILE_NOT_FOUND");
  });
});

describe("paths that leave the project are refused where the files are, and change nothing", () => {
  const bad: Array<[string, string]> = [
    ["../outside.txt", "PATH_OUTSIDE_PROJECT"],
    ["src/../../outside.txt", "PATH_OUTSIDE_PROJECT"],
    ["/etc/passwd", "PATH_OUTSIDE_PROJECT"],
    ["src/a\u0000b", "INVALID_PATH"],
    ["src/a\nb", "INVALID_PATH"],
    ["escape/secret.txt", "PATH_OUTSIDE_PROJECT"],
    ["escape/new.txt", "PATH_OUTSIDE_PROJECT"],
    ["secret-link", "PATH_OUTSIDE_PROJECT"],
    [".git/config", "PATH_RESERVED"],
    [".git/hooks/pre-commit", "PATH_RESERVED"],
  ];

  it.each(bad)("write %j → %s", async (p, code) => {
    expect((await refused(files().write(t, p, Buffer.from("pwned"), {}))).code).toBe(code);
  });

  it.each(bad.filter(([p]) => !p.startsWith(".git")))("read %j → %s", async (p, code) => {
    expect((await refused(files().read(t, p, { maxBytes: 1000 }))).code).toBe(code);
  });

  it("refuses moves and deletes out of or into the project, and uploads with one bad path", async () => {
    expect((await refused(files().move(t, "README.md", "../README.md"))).code).toBe("PATH_OUTSIDE_PROJECT");
    expect((await refused(files().move(t, "README.md", "escape/README.md"))).code).toBe("PATH_OUTSIDE_PROJECT");
    expect((await refused(files().remove(t, "escape/secret.txt", { recursive: false }))).code).toBe(
      "PATH_OUTSIDE_PROJECT",
    );
    expect((await refused(files().mkdir(t, "escape/dir"))).code).toBe("PATH_OUTSIDE_PROJECT");
    const upload = files().writeMany(t, [
      { path: "upload/ok.txt", content: Buffer.from("ok") },
      { path: "escape/bad.txt", content: Buffer.from("bad") },
    ]);
    expect((await refused(upload)).code).toBe("PATH_OUTSIDE_PROJECT");
    await expect(stat(path.join(ws.root, "upload"))).rejects.toThrow();
  });

  it("left everything outside as it was", async () => {
    expect(await readFile(path.join(outside, "secret.txt"), "utf8")).toBe("secret");
    expect((await files().tree(t, { path: "", depth: 1, all: true, maxEntries: 100 })).entries.length).toBeGreaterThan(
      0,
    );
    const { readdir } = await import("node:fs/promises");
    expect(await readdir(outside)).toEqual(["secret.txt"]);
    await expect(stat(path.join(path.dirname(ws.root), "outside.txt"))).rejects.toThrow();
    // Deleting a symlink removes the link, never what it points to.
    await files().remove(t, "secret-link", { recursive: false });
    expect(await readFile(path.join(outside, "secret.txt"), "utf8")).toBe("secret");
  });
});

describe("watch", () => {
  it("reports changed paths by anyone within a second, not node_modules", async () => {
    const aborter = new AbortController();
    const batches = files().watch(t, aborter.signal)[Symbol.asyncIterator]();
    expect((await batches.next()).value).toEqual([]); // watching from here on
    const started = Date.now();
    await writeFile(path.join(ws.root, "node_modules/dep/index.js"), "changed");
    await writeFile(path.join(ws.root, "src/components/Button.tsx"), "changed by a shell");
    const first = await batches.next();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(first.value).toEqual(["src/components/Button.tsx"]);
    // A folder made after the watch started is watched too.
    await mkdir(path.join(ws.root, "fresh"));
    await new Promise((r) => setTimeout(r, 200));
    await writeFile(path.join(ws.root, "fresh/x.ts"), "x");
    const seen = new Set<string>();
    while (!seen.has("fresh/x.ts")) for (const p of (await batches.next()).value ?? []) seen.add(p);
    aborter.abort();
  });
});

describe("archive", () => {
  it("streams the project as tar.gz without node_modules and .git, symlinks as links", async () => {
    const stream = await files().archive(t, new AbortController().signal);
    const names = new Map<string, { type: string; body: string }>();
    const ex = extract();
    ex.on("entry", (h, s, next) => {
      let body = "";
      s.on("data", (d: unknown) => (body += String(d)));
      s.on("end", () => {
        names.set(h.name, { type: h.type ?? "", body });
        next();
      });
    });
    const done = new Promise<void>((r) => ex.on("finish", () => r()));
    (stream as NodeJS.ReadableStream).pipe(createGunzip()).pipe(ex);
    await done;
    expect(names.get("src/App.tsx")).toEqual({ type: "file", body: "export const App = 1;\n" });
    expect(names.get("escape")?.type).toBe("symlink");
    expect([...names.keys()].some((n) => n.startsWith("node_modules") || n.startsWith(".git"))).toBe(false);
  });
});
