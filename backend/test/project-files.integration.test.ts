// A project's files and history through the API on the real Docker engine: one vite-react
// project for the whole file. Files are reached through the project's workspace container
// (never the host's view of the volume); a write shows in the preview; a stale ETag is a 412;
// every way out of the project and every size limit is refused with nothing changed;
// archives round-trip; history holds the template commit, a person's and the agent's commits,
// diffs and a restore; another user gets 404 everywhere; a stopped project stays browsable.
import { randomBytes } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prismaAuditLog } from "../src/adapters/persistence/prisma-audit-log.js";
import { prismaTemplateStore } from "../src/adapters/persistence/prisma-template-store.js";
import { fsBuiltInTemplates } from "../src/adapters/templates/fs-built-in-templates.js";
import { readTarEntries } from "../src/modules/files/tar-entries.js";
import { templatesServiceFactory } from "../src/modules/templates/templates.service.js";
import { signedInUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { eventually, type ProjectsHarness, projectsHarness } from "./helpers/projects.js";
import { openSse } from "./helpers/sse.js";
import { tarOf } from "./helpers/tar.js";
import { TEMPLATES_DIR } from "./helpers/template-service.js";

let database: TestDatabase;
let h: ProjectsHarness;
let owner: Awaited<ReturnType<typeof signedInUser>>;
let other: Awaited<ReturnType<typeof signedInUser>>;
let projectId: string;
let baseUrl: string;
const MAX_FILE = 64 * 1024;

type Method = "GET" | "POST" | "PUT" | "DELETE";
const api = (
  method: Method,
  url: string,
  opts: { payload?: string | Buffer | object; headers?: Record<string, string>; as?: typeof owner } = {},
) =>
  h.app.inject({
    method,
    url: `/api/v1/projects/${projectId}${url}`,
    headers: { ...(opts.as ?? owner).headers, ...opts.headers },
    ...(opts.payload !== undefined ? { payload: opts.payload } : {}),
  });
const q = (p: string) => encodeURIComponent(p);
const put = (p: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  api("PUT", `/files/content?path=${q(p)}`, { payload: body, headers: { "content-type": "text/plain", ...headers } });
const content = async (p: string) => (await api("GET", `/files/content?path=${q(p)}`)).body;
const preview = async (p: string) => {
  const row = await database.db.serviceInstance.findFirstOrThrow({ where: { projectId, kind: "preview" } });
  return (await h.serviceFetch(row.endpoint, `/${p}`)).text();
};
const execIn = async (kind: "preview" | "opencode", cmd: string) => {
  const [c] = await h.runtime.listContainers({ "devsanctum.project": projectId, "devsanctum.kind": kind });
  const exec = await h.runtime.docker.getContainer(c?.id ?? "").exec({ Cmd: ["sh", "-c", cmd] });
  await exec.start({ Detach: true });
  await eventually(
    async () => (await exec.inspect()).Running,
    (running) => !running,
    5000,
    50,
  );
};
const history = async () => (await api("GET", "/history")).json() as { commits: Commit[]; more: boolean };
interface Commit {
  id: string;
  subject: string;
  message: string;
  author: { name: string; email: string };
  files: { path: string; status: string }[];
}

beforeAll(async () => {
  database = await createTestDatabase();
  const templates = templatesServiceFactory({
    templates: prismaTemplateStore(database.db),
    audit: prismaAuditLog(database.db),
  });
  const [vite] = await templates.seedBuiltIns(fsBuiltInTemplates(TEMPLATES_DIR));
  h = await projectsHarness(database, {
    healthTimeoutMs: 60_000,
    files: { maxFileBytes: MAX_FILE, maxTreeEntries: 12 },
  });
  await h.app.listen({ port: 0, host: "127.0.0.1" });
  const address = h.app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  owner = await signedInUser(database.db);
  await database.db.user.update({ where: { id: owner.user.id }, data: { name: "Ada Owner" } });
  other = await signedInUser(database.db);
  const res = await h.app.inject({
    method: "POST",
    url: "/api/v1/projects",
    headers: owner.headers,
    payload: { name: `Files ${randomBytes(2).toString("hex")}`, templateId: vite?.id },
  });
  projectId = res.json().project.id;
  await eventually(
    async () => (await h.app.inject({ url: `/api/v1/projects/${projectId}`, headers: owner.headers })).json(),
    (p) => p.status === "running" || p.status === "failed",
    90_000,
    200,
  ).then((p) => expect(p).toMatchObject({ status: "running" }));
}, 120_000);
afterAll(async () => {
  await h?.close();
  await database?.drop();
});

describe("history from the start", () => {
  it("has the template's files as the first commit, by the platform, without node_modules", async () => {
    const { commits } = await history();
    expect(commits).toHaveLength(1);
    expect(commits[0]).toMatchObject({
      subject: "Create the project from the Vite + React template",
      author: { name: "DevSanctum", email: "platform@devsanctum.invalid" },
    });
    const paths = commits[0]?.files.map((f) => f.path) ?? [];
    expect(paths).toEqual(expect.arrayContaining(["src/App.tsx", "package.json", ".gitignore"]));
    expect(paths.some((p) => p.includes("node_modules"))).toBe(false);
  });
});

describe("files", () => {
  it("lists the tree without .git and node_modules, and says when the entry limit cut it", async () => {
    const top = (await api("GET", "/files")).json();
    expect(top.truncated).toBe(false);
    expect(top.entries.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(["src", "public", "package.json", "index.html"]),
    );
    expect(top.entries.some((e: { path: string }) => e.path === ".git")).toBe(false);
    expect((await api("GET", "/files?all=true")).json().entries.map((e: { path: string }) => e.path)).toContain(".git");
    const deep = (await api("GET", "/files?depth=5")).json();
    expect(deep.entries).toHaveLength(12);
    expect(deep.truncated).toBe(true);
  });

  it("writes with the ETag it read, the preview serves the change, and a stale ETag gets 412 with nothing changed", async () => {
    const read = await api("GET", "/files/content?path=src/App.tsx");
    expect(read.statusCode).toBe(200);
    expect(read.headers["content-type"]).toMatch(/^text\/plain/);
    const etag = String(read.headers.etag);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const heading = `Edited through the API ${randomBytes(3).toString("hex")}`;
    const next = read.body.replace(/Hello from [^<]*/, heading);
    const saved = await put("src/App.tsx", next, { "if-match": etag });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ path: "src/App.tsx", created: false });
    expect(
      await eventually(
        () => preview("src/App.tsx"),
        (t) => t.includes(heading),
        10_000,
      ),
    ).toContain(heading);

    const stale = await put("src/App.tsx", "export {};\n", { "if-match": etag });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().error.code).toBe("PRECONDITION_FAILED");
    expect(await content("src/App.tsx")).toBe(next);
    expect((await put("src/App.tsx", "x", { "if-none-match": "*" })).statusCode).toBe(412);
    expect(
      (
        await api("GET", "/files/content?path=src/App.tsx", {
          headers: { "if-none-match": String(saved.headers.etag) },
        })
      ).statusCode,
    ).toBe(304);
  });

  it("serves a binary file as a download, with its ETag", async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0xff]);
    const up = await api("PUT", "/files/content?path=public%2Flogo.png", {
      payload: png,
      headers: { "content-type": "application/octet-stream" },
    });
    expect(up.statusCode).toBe(201);
    const down = await api("GET", "/files/content?path=public%2Flogo.png");
    expect(down.headers["content-type"]).toBe("application/octet-stream");
    expect(String(down.headers["content-disposition"])).toBe("attachment; filename*=UTF-8''logo.png");
    expect(down.rawPayload.equals(png)).toBe(true);
    expect(down.headers.etag).toBe(`"${up.json().etag}"`);
  });

  it("creates, moves, makes folders and deletes", async () => {
    const created = await put("src/notes/todo.md", "- files\n", { "if-none-match": "*" });
    expect(created.statusCode).toBe(201);
    // Bytes as sent, whatever the content type says (JSON is not parsed and re-written).
    const json = '{ "keep":  "my spacing" }\n';
    const asJson = await api("PUT", "/files/content?path=data.json", {
      payload: json,
      headers: { "content-type": "application/json" },
    });
    expect(asJson.statusCode).toBe(201);
    expect(await content("data.json")).toBe(json);
    expect((await api("POST", "/files/mkdir", { payload: { path: "docs/guides" } })).statusCode).toBe(201);
    const moved = await api("POST", "/files/move", { payload: { from: "src/notes/todo.md", to: "docs/todo.md" } });
    expect(moved.statusCode).toBe(200);
    expect(await content("docs/todo.md")).toBe("- files\n");
    expect((await api("GET", "/files/content?path=src/notes/todo.md")).statusCode).toBe(404);
    expect(
      (await api("POST", "/files/move", { payload: { from: "docs/todo.md", to: "package.json" } })).statusCode,
    ).toBe(409);
    expect((await api("DELETE", "/files/content?path=docs")).statusCode).toBe(409);
    expect((await api("DELETE", "/files/content?path=docs&recursive=true")).statusCode).toBe(204);
    expect((await api("GET", "/files?path=docs")).statusCode).toBe(404);
  });

  it("reports changes by the API and by a shell command in a container on the events stream within a second", async () => {
    const sse = await openSse(`${baseUrl}/api/v1/projects/${projectId}/events`, owner.headers);
    try {
      await sse.next((e) => e.event === "project");
      // The watcher is up once a change shows; give it a moment to walk the tree first.
      await new Promise((r) => setTimeout(r, 1500));
      let started = Date.now();
      await put("src/watched.ts", "export const watched = 1;\n");
      const byApi = await sse.next(
        (e) => e.event === "files.changed" && JSON.stringify(e.data).includes("src/watched.ts"),
        5000,
      );
      expect(Date.now() - started).toBeLessThan(1000);
      expect(byApi.data).toEqual({ paths: ["src/watched.ts"] });
      started = Date.now();
      await execIn("opencode", "echo 'export const agent = 2;' > /app/src/by-agent.ts");
      await sse.next((e) => e.event === "files.changed" && JSON.stringify(e.data).includes("src/by-agent.ts"), 5000);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await sse.close();
    }
  });

  it("refuses every way out of the project, changing nothing", async () => {
    await execIn("preview", "ln -s /etc /app/etc-link && ln -s /etc/passwd /app/passwd-link");
    const before = (await api("GET", "/files?depth=1")).body;
    const cases: Array<[Method, string, object | string | undefined, string]> = [
      ["GET", "/files/content?path=..%2F..%2Fetc%2Fpasswd", undefined, "PATH_OUTSIDE_PROJECT"],
      ["GET", "/files/content?path=%2Fetc%2Fpasswd", undefined, "PATH_OUTSIDE_PROJECT"],
      ["GET", "/files/content?path=etc-link%2Fpasswd", undefined, "PATH_OUTSIDE_PROJECT"],
      ["GET", "/files/content?path=passwd-link", undefined, "PATH_OUTSIDE_PROJECT"],
      ["GET", "/files?path=etc-link", undefined, "PATH_OUTSIDE_PROJECT"],
      ["GET", "/files/content?path=src%2Fa%00b", undefined, "CONTROL_CHARACTER"],
      ["PUT", "/files/content?path=..%2Fescaped.txt", "x", "PATH_OUTSIDE_PROJECT"],
      ["PUT", "/files/content?path=etc-link%2Fpwned", "x", "PATH_OUTSIDE_PROJECT"],
      ["PUT", "/files/content?path=.git%2Fhooks%2Fpre-commit", "x", "PATH_RESERVED"],
      ["DELETE", "/files/content?path=..%2Fapp", undefined, "PATH_OUTSIDE_PROJECT"],
      ["DELETE", "/files/content?path=.git&recursive=true", undefined, "PATH_RESERVED"],
      ["POST", "/files/move", { from: "package.json", to: "../package.json" }, "PATH_OUTSIDE_PROJECT"],
      ["POST", "/files/move", { from: "package.json", to: "etc-link/package.json" }, "PATH_OUTSIDE_PROJECT"],
      ["POST", "/files/mkdir", { path: "/tmp/x" }, "PATH_OUTSIDE_PROJECT"],
    ];
    for (const [method, url, payload, code] of cases) {
      const res = await api(method, url, {
        ...(payload !== undefined ? { payload } : {}),
        ...(typeof payload === "string" ? { headers: { "content-type": "text/plain" } } : {}),
      });
      expect(res.statusCode, `${method} ${url}`).toBe(400);
      expect(res.json().error.code, `${method} ${url}`).toBe(code);
    }
    expect((await api("GET", "/files?depth=1")).body).toBe(before);
    expect(await content("package.json")).toContain('"name"');
  });

  it("refuses a file over the limit (per file and per request) with nothing written", async () => {
    const big = Buffer.alloc(MAX_FILE + 1, 0x61);
    const res = await put("big.txt", big);
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({ code: "FILE_TOO_LARGE" });
    expect(res.json().error.message).toContain("FILES_MAX_FILE_BYTES");
    expect((await api("GET", "/files/content?path=big.txt")).statusCode).toBe(404);
    // Written behind the API's back, it is still not read whole.
    await execIn("preview", `head -c ${MAX_FILE + 10} /dev/zero > /app/huge.bin`);
    expect((await api("GET", "/files/content?path=huge.bin")).statusCode).toBe(413);
    const archive = gzipSync(tarOf([{ name: "a/huge.txt", content: big }]));
    const upload = await api("POST", "/files/archive", {
      payload: archive,
      headers: { "content-type": "application/gzip" },
    });
    expect(upload.statusCode).toBe(413);
    expect((await api("GET", "/files?path=a")).statusCode).toBe(404);
  });

  it("round-trips archives: download without node_modules, upload with bad entries refused whole", async () => {
    const down = await api("GET", "/files/archive");
    expect(down.statusCode).toBe(200);
    expect(down.headers["content-type"]).toBe("application/gzip");
    expect(String(down.headers["content-disposition"])).toMatch(/attachment; filename=".+\.tar\.gz"/);
    const entries = await readTarEntries(gunzipSync(down.rawPayload));
    const names = entries.map((e) => e.name);
    expect(entries.find((e) => e.name === "src/App.tsx")?.content.toString()).toBe(await content("src/App.tsx"));
    expect(names.some((n) => n.startsWith("node_modules") || n.startsWith(".git/") || n === ".git")).toBe(false);

    const good = gzipSync(
      tarOf([
        { name: "uploaded" },
        { name: "uploaded/one.txt", content: "one" },
        { name: "uploaded/two/three.txt", content: "three" },
        { name: "node_modules/skip.js", content: "x" },
      ]),
    );
    const up = await api("POST", "/files/archive", { payload: good, headers: { "content-type": "application/gzip" } });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toEqual({ written: 2, skipped: ["node_modules/skip.js"] });
    expect(await content("uploaded/two/three.txt")).toBe("three");

    for (const bad of [
      tarOf([
        { name: "fine.txt", content: "ok" },
        { name: "../escape.txt", content: "x" },
      ]),
      tarOf([
        { name: "fine.txt", content: "ok" },
        { name: "etc-link/pwned", content: "x" },
      ]),
    ]) {
      const res = await api("POST", "/files/archive", {
        payload: gzipSync(bad),
        headers: { "content-type": "application/gzip" },
      });
      expect(res.statusCode).toBe(400);
      expect((await api("GET", "/files/content?path=fine.txt")).statusCode).toBe(404);
    }
    const garbage = await api("POST", "/files/archive", {
      payload: Buffer.from("not an archive at all"),
      headers: { "content-type": "application/gzip" },
    });
    expect(garbage.statusCode).toBe(400);
  });
});

describe("history", () => {
  let manual: Commit;
  let agent: Commit;

  it("commits the person's changes as that person; nothing to commit is a 409", async () => {
    const res = await api("POST", "/history", { payload: { message: "Edit the heading and upload files" } });
    expect(res.statusCode).toBe(201);
    manual = res.json().commit;
    expect(manual.author).toEqual({ name: "Ada Owner", email: owner.user.email });
    expect(manual.files.map((f) => f.path)).toEqual(expect.arrayContaining(["src/App.tsx", "uploaded/one.txt"]));
    expect((await api("POST", "/history", { payload: { message: "again" } })).statusCode).toBe(409);
    expect((await api("POST", "/history", { payload: { message: "   " } })).statusCode).toBe(400);
  });

  it("commits an agent turn with the agent as author, naming the session and the prompt", async () => {
    await execIn("opencode", "printf 'export const fromAgent = true;\\n' > /app/src/agent-turn.ts");
    // As the agent service calls it when a turn ends.
    const c = await h.files?.onAgentTurnEnd(projectId, { sessionId: "ses_test1", prompt: "Add an agent file" });
    expect(c?.author).toEqual({ name: "DevSanctum agent", email: "agent@devsanctum.invalid" });
    expect(c?.message).toContain("ses_test1");
    expect(c?.message).toContain("Add an agent file");
    agent = (await history()).commits[0] as Commit;
    expect(agent.id).toBe(c?.id);
    const { commits } = await history();
    expect(commits.map((x) => x.author.email)).toEqual([
      "agent@devsanctum.invalid",
      owner.user.email,
      "platform@devsanctum.invalid",
    ]);
  });

  it("shows each commit's diff and the diff between two commits", async () => {
    const d = (await api("GET", `/history/${agent.id}/diff`)).json();
    expect(d.files.map((f: { path: string; status: string }) => `${f.status}:${f.path}`)).toEqual([
      "added:src/agent-turn.ts",
    ]);
    expect(d.files[0].hunks[0].lines[0]).toEqual({
      type: "add",
      text: "export const fromAgent = true;",
      oldLine: null,
      newLine: 1,
    });
    const template = (await history()).commits[2] as Commit;
    const between = (await api("GET", `/diff?from=${template.id}&to=${manual.id}`)).json();
    const app = between.files.find((f: { path: string }) => f.path === "src/App.tsx");
    expect(app.status).toBe("modified");
    expect(
      app.hunks
        .flatMap((x: { lines: { type: string; text: string }[] }) => x.lines)
        .filter((l: { type: string }) => l.type === "add")
        .map((l: { text: string }) => l.text)
        .join("\n"),
    ).toContain("Edited through the API");
    expect(between.unified).toContain("+++ b/src/App.tsx");
    // Default: the working tree against the last commit.
    await put("src/App.tsx", "export function App() {\n  return <h1>Uncommitted</h1>;\n}\n");
    const worktree = (await api("GET", "/diff")).json();
    expect(worktree.to).toBe("worktree");
    expect(worktree.files.map((f: { path: string }) => f.path)).toEqual(["src/App.tsx"]);
    expect((await api("GET", "/history/0000000/diff")).statusCode).toBe(404);
    expect((await api("GET", "/diff?from=--output=/tmp/x")).statusCode).toBe(400);
  });

  it("restores the template commit as a new commit, keeping the uncommitted edit in history", async () => {
    const template = (await history()).commits[2] as Commit;
    const res = await api("POST", `/history/${template.id}/restore`);
    expect(res.statusCode).toBe(201);
    expect(res.json().commit.author.email).toBe(owner.user.email);
    expect(await content("src/App.tsx")).toContain("Hello from ");
    expect((await api("GET", "/files/content?path=uploaded/one.txt")).statusCode).toBe(404);
    expect(
      await eventually(
        () => preview("src/App.tsx"),
        (t) => t.includes("Hello from "),
        10_000,
      ),
    ).not.toContain("Uncommitted");
    const { commits } = await history();
    expect(commits.slice(0, 2).map((c) => c.subject)).toEqual([
      `Restore the files of ${template.id.slice(0, 7)}`,
      `Changes before restoring ${template.id.slice(0, 7)}`,
    ]);
    expect(commits).toHaveLength(5);
  });
});

describe("access", () => {
  it("answers 404 to another user on every files and history route", async () => {
    const head = (await history()).commits[0]?.id ?? "HEAD";
    const routes: Array<[Method, string, object | undefined]> = [
      ["GET", "/files", undefined],
      ["GET", "/files/content?path=package.json", undefined],
      ["PUT", "/files/content?path=x.txt", undefined],
      ["DELETE", "/files/content?path=package.json", undefined],
      ["POST", "/files/move", { from: "package.json", to: "p.json" }],
      ["POST", "/files/mkdir", { path: "x" }],
      ["GET", "/files/archive", undefined],
      ["POST", "/files/archive", undefined],
      ["GET", "/history", undefined],
      ["POST", "/history", { message: "mine now" }],
      ["GET", `/history/${head}/diff`, undefined],
      ["GET", "/diff", undefined],
      ["POST", `/history/${head}/restore`, undefined],
    ];
    for (const [method, url, payload] of routes) {
      const res = await api(method, url, { as: other, ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.code).toBe("PROJECT_NOT_FOUND");
    }
    expect(await content("package.json")).toContain('"name"');
  });
});

describe("a template without files", () => {
  // Regression: "git init failed: /app/.git: Permission denied". An empty volume took the owner
  // of the workspace image's /app (node), and a root template's workspace (root without
  // CAP_DAC_OVERRIDE) could not write it: every project of such a template failed.
  it("git init failed on a root image's empty volume: the project runs, writes and has history", async () => {
    const tpl = await prismaTemplateStore(database.db).create({
      slug: `no-files-${randomBytes(2).toString("hex")}`,
      name: "No files",
      description: "",
      filesSeed: null,
      builtIn: false,
      services: {
        preview: {
          image: "devsanctum/node:20",
          command: ["node", "-e", "require('http').createServer((q,r)=>r.end('ok')).listen(3000)"],
          port: 3000,
          env: {},
          healthCheck: { path: "/", intervalMs: 200, timeoutMs: 1000, retries: 3 },
          limits: { memoryMb: 64, cpus: 0.25, pids: 32 },
          restart: { maxRetries: 1 },
        },
      },
    });
    const res = await h.app.inject({
      method: "POST",
      url: "/api/v1/projects",
      headers: owner.headers,
      payload: { name: `Empty ${randomBytes(2).toString("hex")}`, templateId: tpl?.id },
    });
    const id = res.json().project.id as string;
    const p = await eventually(
      async () => (await h.app.inject({ url: `/api/v1/projects/${id}`, headers: owner.headers })).json(),
      (x) => x.status === "running" || x.status === "failed",
      60_000,
      200,
    );
    expect(p).toMatchObject({ status: "running" });
    const at = (url: string, init: { method?: "GET" | "PUT" | "POST"; payload?: string } = {}) =>
      h.app.inject({
        method: init.method ?? "GET",
        url: `/api/v1/projects/${id}${url}`,
        headers: { ...owner.headers, "content-type": "text/plain" },
        ...(init.payload !== undefined ? { payload: init.payload } : {}),
      });
    expect((await at("/files")).json().entries).toEqual([]);
    expect((await at("/files/content?path=notes.md", { method: "PUT", payload: "hello\n" })).statusCode).toBe(201);
    expect((await at("/files/content?path=notes.md")).body).toBe("hello\n");
    expect((await at("/history")).statusCode).toBe(200);
  }, 90_000);
});

describe("a stopped project", () => {
  it("keeps its files browsable and its status stopped", async () => {
    await h.app.inject({ method: "POST", url: `/api/v1/projects/${projectId}/stop`, headers: owner.headers });
    await eventually(
      async () => (await h.app.inject({ url: `/api/v1/projects/${projectId}`, headers: owner.headers })).json().status,
      (s) => s === "stopped",
      30_000,
    );
    expect((await api("GET", "/files")).statusCode).toBe(200);
    expect(await content("package.json")).toContain('"name"');
    await h.reconciler.scan();
    await h.reconciler.idle();
    const p = await database.db.project.findUniqueOrThrow({ where: { id: projectId } });
    expect(p.status).toBe("stopped");
  });
});
