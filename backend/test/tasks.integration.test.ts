// The task board (issue #14) through the API on real PostgreSQL and the real Docker engine: one
// stand-in project for the whole file. Tasks as records (numbers per project, validation that
// changes nothing, another user's 404); then tasks run on their own branch and worktree inside
// the project's volume: each worktree holds only its change, the main tree none until approval,
// approval is one merge commit in the history, reject leaves main untouched, and the second of
// two conflicting approvals is a 409 that changes neither tree.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedInUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { createStandInTemplate, eventually, type ProjectsHarness, projectsHarness } from "./helpers/projects.js";

let database: TestDatabase;
let h: ProjectsHarness;
let owner: Awaited<ReturnType<typeof signedInUser>>;
let other: Awaited<ReturnType<typeof signedInUser>>;
let projectId: string;

type Method = "GET" | "POST" | "PATCH" | "DELETE";
const api = (method: Method, url: string, opts: { payload?: object; as?: typeof owner } = {}) =>
  h.app.inject({
    method,
    url: `/api/v1/projects/${projectId}${url}`,
    headers: (opts.as ?? owner).headers,
    ...(opts.payload !== undefined ? { payload: opts.payload } : {}),
  });
const create = async (title: string, description = "") => {
  const res = await api("POST", "/tasks", { payload: { title, description } });
  expect(res.statusCode).toBe(201);
  return res.json() as { n: number; status: string; position: number };
};

/** Runs a shell command in the project's workspace container (as the files' owner), for its output. */
const inWorkspace = async (cmd: string) => {
  const [c] = await h.runtime.listContainers({ "devsanctum.project": projectId, "devsanctum.kind": "workspace" });
  const exec = await h.runtime.docker.getContainer(c?.id ?? "").exec({
    Cmd: ["sh", "-c", cmd],
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ Detach: false });
  const chunks: Buffer[] = [];
  stream.on("data", (d: Buffer) => chunks.push(d));
  await new Promise((resolve) => stream.on("end", resolve));
  // The multiplexed stream: 8-byte frame headers before each chunk.
  const out = Buffer.concat(chunks);
  const parts: Buffer[] = [];
  for (let i = 0; i + 8 <= out.length; ) {
    const size = out.readUInt32BE(i + 4);
    parts.push(out.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(parts).toString("utf8");
};
const treeOf = (n: number) => `/app/.git/devsanctum/tasks/${n}`;
const mainFiles = async () => (await inWorkspace("ls -A /app")).split("\n").filter(Boolean).sort();
const mainHead = async () => (await inWorkspace("git -C /app rev-parse HEAD")).trim();
const history = async () =>
  (await api("GET", "/history")).json() as { commits: { id: string; subject: string; parents: string[] }[] };

beforeAll(async () => {
  database = await createTestDatabase();
  h = await projectsHarness(database, { healthTimeoutMs: 60_000, files: {} });
  owner = await signedInUser(database.db);
  other = await signedInUser(database.db);
  const template = await createStandInTemplate(database);
  const res = await h.app.inject({
    method: "POST",
    url: "/api/v1/projects",
    headers: owner.headers,
    payload: { name: "Tasks", templateId: template.id },
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

describe("tasks as records", () => {
  it("numbers tasks per project, lists them by position, edits and moves them", async () => {
    const a = await create("First task", "Write a.txt");
    const b = await create("Second task");
    expect(a).toMatchObject({ n: 1, status: "todo", position: 0 });
    expect(b).toMatchObject({ n: 2, status: "todo", position: 1 });
    const moved = await api("PATCH", "/tasks/2", { payload: { position: 0, title: "Second, renamed" } });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({ n: 2, title: "Second, renamed", position: 0 });
    const list = (await api("GET", "/tasks")).json().tasks as { n: number }[];
    expect(list.map((t) => t.n)).toEqual([2, 1]);
    expect((await api("GET", "/tasks?status=review")).json().tasks).toEqual([]);
    const one = (await api("GET", "/tasks/1")).json();
    expect(one).toMatchObject({ title: "First task", description: "Write a.txt", createdById: owner.user.id });
    expect(one).toMatchObject({ branch: null, baseCommit: null, reviewHistory: [] });
  });

  it("refuses bad input with 400 and changes nothing", async () => {
    const before = (await api("GET", "/tasks")).json();
    for (const payload of [
      {},
      { title: "" },
      { title: "a\nb" },
      { title: "x".repeat(201) },
      { title: "ok", extra: 1 },
    ]) {
      expect((await api("POST", "/tasks", { payload })).statusCode).toBe(400);
    }
    for (const payload of [{}, { status: "nonsense" }, { position: -1 }, { title: "" }]) {
      expect((await api("PATCH", "/tasks/1", { payload })).statusCode).toBe(400);
    }
    expect((await api("GET", "/tasks/0")).statusCode).toBe(400);
    expect((await api("GET", "/tasks/abc")).statusCode).toBe(400);
    expect((await api("POST", "/tasks/1/reject", { payload: {} })).statusCode).toBe(400);
    expect((await api("GET", "/tasks")).json()).toEqual(before);
  });

  it("refuses moves to done, rejected or cancelled by editing (409), and a diff of a task that never ran", async () => {
    const res = await api("PATCH", "/tasks/1", { payload: { status: "done" } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe("TASK_STATE");
    expect((await api("GET", "/tasks/1/diff")).json().error.code).toBe("TASK_NOT_STARTED");
    expect((await api("GET", "/tasks/1")).json().status).toBe("todo");
  });

  it("answers another user 404 everywhere and changes nothing", async () => {
    const as = other;
    const calls: [Method, string, object?][] = [
      ["GET", "/tasks"],
      ["POST", "/tasks", { title: "Theirs" }],
      ["GET", "/tasks/1"],
      ["PATCH", "/tasks/1", { title: "Taken" }],
      ["DELETE", "/tasks/1"],
      ["POST", "/tasks/1/run"],
      ["GET", "/tasks/1/diff"],
      ["POST", "/tasks/1/approve", {}],
      ["POST", "/tasks/1/reject", { reason: "no" }],
      ["POST", "/tasks/1/cancel"],
    ];
    for (const [method, url, payload] of calls) {
      const res = await api(method, url, { as, ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.code).toBe("PROJECT_NOT_FOUND");
    }
    expect((await api("GET", "/tasks")).json().tasks).toHaveLength(2);
    expect((await api("GET", "/tasks/1")).json().title).toBe("First task");
  });

  it("deletes a task; its number is not reused", async () => {
    const c = await create("Short-lived");
    expect((await api("DELETE", `/tasks/${c.n}`)).statusCode).toBe(204);
    expect((await api("GET", `/tasks/${c.n}`)).statusCode).toBe(404);
    expect((await api("GET", `/tasks/${c.n}`)).json().error.code).toBe("TASK_NOT_FOUND");
  });
});

describe("tasks on their own branch and worktree", () => {
  it("runs two tasks at once: each worktree holds only its change, the main tree none", async () => {
    const filesBefore = await mainFiles();
    const headBefore = await mainHead();
    const r1 = await api("POST", "/tasks/1/run");
    const r2 = await api("POST", "/tasks/2/run");
    expect(r1.statusCode).toBe(202);
    expect(r1.json().task).toMatchObject({ status: "in_progress", branch: "task/1", baseCommit: headBefore });
    expect(r2.json().task).toMatchObject({ status: "in_progress", branch: "task/2", baseCommit: headBefore });
    // A template without an agent: the worktree is worked by hand, no session, no agent state.
    expect(r1.json().task).toMatchObject({ sessionId: null, agent: { state: "idle" }, emptyDiff: false });
    expect((await api("POST", "/tasks/1/run")).statusCode).toBe(409);

    await inWorkspace(`printf 'one\\n' > ${treeOf(1)}/a.txt && printf 'edited\\n' >> ${treeOf(1)}/index.html`);
    await inWorkspace(`printf 'two\\ntwo\\n' > ${treeOf(2)}/b.txt`);
    expect(await inWorkspace(`ls ${treeOf(1)}`)).not.toContain("b.txt");
    expect(await inWorkspace(`ls ${treeOf(2)}`)).not.toContain("a.txt");
    expect(await mainFiles()).toEqual(filesBefore);
    expect(await mainHead()).toBe(headBefore);
    // The files API does not show the worktrees (they live inside .git).
    expect((await api("GET", "/files")).json().entries.map((e: { path: string }) => e.path)).not.toContain("a.txt");

    const d1 = (await api("GET", "/tasks/1/diff")).json();
    expect(d1.stats).toEqual({ files: 2, additions: 2, deletions: 0 });
    expect(d1.files.map((f: { path: string }) => f.path).sort()).toEqual(["a.txt", "index.html"]);
    const a = d1.files.find((f: { path: string }) => f.path === "a.txt");
    expect(a).toMatchObject({ status: "added", additions: 1 });
    expect(a.hunks[0].lines).toEqual([{ type: "add", text: "one", oldLine: null, newLine: 1 }]);
    const d2 = (await api("GET", "/tasks/2/diff")).json();
    expect(d2.stats).toEqual({ files: 1, additions: 2, deletions: 0 });
  });

  it("approves: the main tree gets the change as one merge commit, the worktree goes, the branch stays", async () => {
    const headBefore = await mainHead();
    const res = await api("POST", "/tasks/1/approve", { payload: { message: "Add a.txt" } });
    expect(res.statusCode).toBe(200);
    const { task, commit } = res.json();
    expect(task).toMatchObject({ status: "done", mergeCommit: commit.id });
    expect(task.reviewHistory).toEqual([
      expect.objectContaining({ action: "approve", message: "Add a.txt", by: owner.user.id }),
    ]);
    expect(commit.parents[0]).toBe(headBefore);
    expect(commit.parents).toHaveLength(2);
    expect(commit.subject).toBe("Add a.txt");
    expect((await inWorkspace("cat /app/a.txt")).trim()).toBe("one");
    expect(await mainFiles()).not.toContain("b.txt");
    expect((await history()).commits[0]).toMatchObject({ id: commit.id, subject: "Add a.txt" });
    expect(await inWorkspace(`test -e ${treeOf(1)} && echo there || echo gone`)).toContain("gone");
    expect((await inWorkspace("git -C /app branch --list 'task/*'")).trim().split(/\s+/)).toContain("task/1");
    // A done task's diff still answers, from its branch.
    expect((await api("GET", "/tasks/1/diff")).json().stats.files).toBe(2);
    expect((await api("POST", "/tasks/1/approve", { payload: {} })).statusCode).toBe(409);
  });

  it("rejects: the main tree untouched, the branch kept", async () => {
    const headBefore = await mainHead();
    const res = await api("POST", "/tasks/2/reject", { payload: { reason: "Not needed" } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: "rejected" });
    expect(res.json().reviewHistory.at(-1)).toMatchObject({ action: "reject", message: "Not needed" });
    expect(await mainHead()).toBe(headBefore);
    expect(await mainFiles()).not.toContain("b.txt");
    expect(await inWorkspace("git -C /app branch --list 'task/*'")).toContain("task/2");
    expect((await api("GET", "/tasks/2/diff")).json().stats.files).toBe(1);
  });

  it("reports the second of two conflicting approvals as 409 TASK_CONFLICT, both trees unchanged", async () => {
    const x = await create("Greeting in English");
    const y = await create("Greeting in French");
    await api("POST", `/tasks/${x.n}/run`);
    await api("POST", `/tasks/${y.n}/run`);
    await inWorkspace(`printf 'hello\\n' > ${treeOf(x.n)}/greeting.txt`);
    await inWorkspace(`printf 'bonjour\\n' > ${treeOf(y.n)}/greeting.txt`);
    const ok = await api("POST", `/tasks/${x.n}/approve`);
    expect(ok.statusCode, ok.body).toBe(200);
    const head = await mainHead();
    const branchHead = (await inWorkspace(`git -C /app rev-parse task/${y.n}`)).trim();
    const res = await api("POST", `/tasks/${y.n}/approve`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: "TASK_CONFLICT", details: { conflicts: ["greeting.txt"] } });
    expect(await mainHead()).toBe(head);
    expect((await inWorkspace("cat /app/greeting.txt")).trim()).toBe("hello");
    expect((await inWorkspace("git -C /app status --porcelain")).trim()).toBe("");
    expect((await inWorkspace(`cat ${treeOf(y.n)}/greeting.txt`)).trim()).toBe("bonjour");
    // The worktree's change was committed on its branch; the task is still open for review.
    expect((await inWorkspace(`git -C /app rev-parse task/${y.n}`)).trim()).not.toBe(branchHead);
    expect((await api("GET", `/tasks/${y.n}`)).json().status).toBe("in_progress");

    const cancelled = await api("POST", `/tasks/${y.n}/cancel`);
    expect(cancelled.json()).toMatchObject({ status: "cancelled" });
    expect(await inWorkspace(`test -e ${treeOf(y.n)} && echo there || echo gone`)).toContain("gone");
    expect(await mainHead()).toBe(head);
  });

  it("approves two non-conflicting tasks at once: both merge, one after the other", async () => {
    const x = await create("Left");
    const y = await create("Right");
    await api("POST", `/tasks/${x.n}/run`);
    await api("POST", `/tasks/${y.n}/run`);
    await inWorkspace(`printf 'left\\n' > ${treeOf(x.n)}/left.txt && printf 'right\\n' > ${treeOf(y.n)}/right.txt`);
    const head = await mainHead();
    const [rx, ry] = await Promise.all([api("POST", `/tasks/${x.n}/approve`), api("POST", `/tasks/${y.n}/approve`)]);
    expect([rx.statusCode, ry.statusCode]).toEqual([200, 200]);
    // One merge on top of the other (the log also lists each branch's own commit).
    const [mx, my] = [rx.json().commit, ry.json().commit];
    const [first, second] = mx.parents[0] === head ? [mx, my] : [my, mx];
    expect(first.parents[0]).toBe(head);
    expect(second.parents[0]).toBe(first.id);
    expect((await history()).commits[0]?.id).toBe(second.id);
    expect(await mainHead()).toBe(second.id);
    expect((await inWorkspace("cat /app/left.txt /app/right.txt")).split("\n").filter(Boolean)).toEqual([
      "left",
      "right",
    ]);
  });

  it("refuses to approve a task that changed nothing (409 TASK_EMPTY), main untouched", async () => {
    const e = await create("Does nothing");
    await api("POST", `/tasks/${e.n}/run`);
    const head = await mainHead();
    const res = await api("POST", `/tasks/${e.n}/approve`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe("TASK_EMPTY");
    expect(await mainHead()).toBe(head);
    expect((await api("GET", `/tasks/${e.n}`)).json().status).toBe("in_progress");
  });
});

describe("QA gates of a hand-worked task (no agent in the template)", () => {
  it("passes at once without gates; with the project's own: a timeout and an advisory failure, shown and enforced", async () => {
    const t = await create("Gated by hand");
    await api("POST", `/tasks/${t.n}/run`);
    await inWorkspace(`printf 'gated\\n' > ${treeOf(t.n)}/gated.txt`);
    // The stand-in template declares no gates: review at once, passed.
    const none = await api("POST", `/tasks/${t.n}/qa`);
    expect(none.statusCode, none.body).toBe(202);
    expect(none.json().task).toMatchObject({ status: "review", qaResults: { status: "passed", gates: [] } });

    const gates = [
      { name: "advisory", command: "echo soft; exit 3", timeoutSeconds: 30, required: false, order: 0 },
      // Long enough that its first line is out before the timeout on a loaded machine (a gate's
      // container can take a second or more to start there).
      { name: "hang", command: "echo waiting; sleep 60", timeoutSeconds: 4, required: true, order: 1 },
      { name: "after", command: "true", timeoutSeconds: 30, required: true, order: 2 },
    ];
    expect(
      (
        await h.app.inject({
          method: "PUT",
          url: `/api/v1/projects/${projectId}/qa-gates`,
          headers: owner.headers,
          payload: { gates },
        })
      ).statusCode,
    ).toBe(200);
    expect((await api("POST", `/tasks/${t.n}/qa`)).json().task).toMatchObject({ status: "qa" });
    // The task's worker first gives up the review preview the first run started (it may still be
    // in its health check), then runs the gates: a gate's container can be slow on a loaded machine.
    const done = await eventually(
      async () => (await api("GET", `/tasks/${t.n}`)).json(),
      (x) => x.status !== "qa",
      100_000,
      200,
    );
    expect(done.status).toBe("review");
    expect(done.qaResults.status).toBe("failed");
    const [advisory, hang, after] = done.qaResults.gates;
    expect(advisory).toMatchObject({ status: "failed", exitCode: 3 });
    expect(advisory.output).toContain("soft");
    expect(hang).toMatchObject({ status: "timed_out", exitCode: null });
    expect(hang.output).toContain("waiting");
    expect(hang.output).toContain("no result within 4 s");
    expect(after.status).toBe("skipped");
    const refused = await api("POST", `/tasks/${t.n}/approve`, { payload: {} });
    expect(refused.json().error).toMatchObject({ code: "TASK_QA_FAILED", details: { gate: "hang" } });
    expect(await h.runtime.listContainers({ "devsanctum.project": projectId, "devsanctum.kind": "qa-gate" })).toEqual(
      [],
    );
  }, 150_000);

  // Regression: "a task whose gates never ran can be approved". With required gates, a task still
  // in progress (its change never checked) merged without a word, where a failed gate refuses.
  it("refuses to approve a change its required gates never checked (409 TASK_QA_NOT_RUN), unless overridden", async () => {
    const t = await create("Never checked");
    await api("POST", `/tasks/${t.n}/run`);
    await inWorkspace(`printf 'unchecked\n' > ${treeOf(t.n)}/unchecked.txt`);
    const head = await mainHead();
    const refused = await api("POST", `/tasks/${t.n}/approve`, { payload: {} });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: "TASK_QA_NOT_RUN", details: { gate: "hang" } });
    expect(refused.json().error.message).toContain("have not run");
    expect(await mainHead()).toBe(head);
    expect((await api("GET", `/tasks/${t.n}`)).json()).toMatchObject({ status: "in_progress", reviewHistory: [] });

    const ok = await api("POST", `/tasks/${t.n}/approve`, { payload: { override: true, reason: "Checked by hand" } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().task.reviewHistory.at(-1)).toMatchObject({ action: "approve", override: true });
    expect((await inWorkspace("cat /app/unchecked.txt")).trim()).toBe("unchecked");
  });
});
