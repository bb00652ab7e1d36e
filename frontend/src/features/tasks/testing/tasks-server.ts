// The tasks API for component tests: a project page's own endpoints and a board held in memory,
// with every write recorded so a test can assert the body the console sent.
import { HttpResponse, http } from "msw";
import type { Diff } from "../../../api/types";
import { deploymentList, project } from "../../../testing/fixtures";
import { server } from "../../../testing/server";
import { sseChannel } from "../../../testing/sse";
import { applyMove } from "../api/board";
import type { Task } from "../api/tasks";

const T0 = "2026-12-01T20:00:00.000Z";

export const task = (o: Partial<Task> = {}): Task => ({
  n: 1,
  title: "Write the README",
  description: "Say what the app does.",
  status: "todo",
  position: 0,
  createdById: "u1",
  sessionId: null,
  branch: null,
  baseCommit: null,
  mergeCommit: null,
  qaResults: null,
  reviewHistory: [],
  agent: { state: "idle", lastActivityAt: null, error: null, summary: null },
  emptyDiff: false,
  previewUrl: null,
  createdAt: T0,
  updatedAt: new Date(Date.now() - 3 * 60_000).toISOString(),
  ...o,
});

export const taskDiff = (): Diff => ({
  from: "a".repeat(40),
  to: "b".repeat(40),
  files: [
    {
      path: "README.md",
      oldPath: "README.md",
      status: "modified",
      binary: false,
      additions: 1,
      deletions: 1,
      hunks: [
        {
          header: "@@ -1,2 +1,2 @@",
          oldStart: 1,
          oldLines: 2,
          newStart: 1,
          newLines: 2,
          lines: [
            { type: "context", text: "# My App", oldLine: 1, newLine: 1 },
            { type: "delete", text: "TODO", oldLine: 2, newLine: null },
            { type: "add", text: "A React app that greets you.", oldLine: null, newLine: 2 },
          ],
        },
      ],
    },
  ],
  stats: { files: 1, additions: 1, deletions: 1 },
  unified: "",
  truncated: false,
});

export interface Sent {
  method: string;
  path: string;
  body: unknown;
}

/** The project p1 on any tab, with `tasks` on its board; returns what was sent and the events feed. */
export function serveTasks(initial: Task[]) {
  const p = project();
  const events = sseChannel();
  const state = { tasks: [...initial] };
  const sent: Sent[] = [];
  const record = async (req: Request) => {
    const text = await req.text();
    const entry = { method: req.method, path: new URL(req.url).pathname, body: text ? JSON.parse(text) : null };
    sent.push(entry);
    return entry;
  };
  server.use(
    http.get("/api/v1/projects/p1", () => HttpResponse.json(p)),
    http.get("/api/v1/projects/p1/events", () => events.response([["project", p]])),
    http.get("/api/v1/projects/p1/operations", () => HttpResponse.json({ operations: [] })),
    http.get("/api/v1/projects/p1/deployments", () => HttpResponse.json(deploymentList())),
    http.get("/api/v1/projects/p1/tasks", () => HttpResponse.json({ tasks: state.tasks })),
    http.get("/api/v1/projects/p1/tasks/:n", ({ params }) => {
      const t = state.tasks.find((x) => x.n === Number(params.n));
      return t
        ? HttpResponse.json(t)
        : HttpResponse.json({ error: { code: "TASK_NOT_FOUND", message: "No task", requestId: "r" } }, { status: 404 });
    }),
    http.patch("/api/v1/projects/p1/tasks/:n", async ({ request, params }) => {
      const { body } = await record(request);
      const n = Number(params.n);
      const b = body as { status?: Task["status"]; position: number };
      const t = state.tasks.find((x) => x.n === n) as Task;
      state.tasks = applyMove(state.tasks, { n, status: b.status ?? t.status, position: b.position });
      return HttpResponse.json(state.tasks.find((x) => x.n === n));
    }),
  );
  return { state, sent, events, record };
}
