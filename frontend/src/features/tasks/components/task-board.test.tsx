// The Tasks tab against MSW: cards in their columns with what a reviewer scans for; a card moved
// by keyboard (dnd-kit's keyboard sensor, with its spoken announcements) PATCHes its new column
// and place; a refused move (409) goes back and says why; task.changed on the events stream
// refreshes the board; a new task is added and run.
import { screen, waitFor, within } from "@testing-library/react";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { renderApp } from "../../../testing/render";
import { server } from "../../../testing/server";
import { serveTasks, task } from "../testing/tasks-server";

const column = (name: string) => screen.getByRole("region", { name: new RegExp(`^${name} \\d+$`) });
const cardIn = (col: string, title: string) => within(column(col)).queryByRole("article", { name: new RegExp(title) });

const BOARD = [
  task({ n: 1, title: "Write the README", status: "todo", position: 0 }),
  task({
    n: 2,
    title: "Fix the header",
    status: "in_progress",
    position: 0,
    agent: {
      state: "working",
      lastActivityAt: new Date(Date.now() - 60_000).toISOString(),
      error: null,
      summary: null,
    },
  }),
  task({
    n: 3,
    title: "Add a footer",
    status: "review",
    position: 0,
    emptyDiff: true,
    previewUrl: "http://shop--t3.localhost:8080",
    qaResults: {
      status: "failed",
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      override: null,
      gates: [
        {
          name: "tsc",
          command: "tsc --noEmit",
          required: true,
          order: 0,
          timeoutSeconds: 120,
          status: "failed",
          exitCode: 2,
          durationMs: 3200,
          output: "error TS2322",
        },
      ],
    },
  }),
];

describe("task board", () => {
  it("shows every column and, on each card, its number, status, agent, container, last activity, flags and QA", async () => {
    serveTasks(BOARD);
    renderApp("/projects/p1/tasks");
    await screen.findByRole("article", { name: /Fix the header/ });
    for (const name of ["To do", "In progress", "QA", "In review", "Done", "Rejected", "Cancelled"]) {
      expect(column(name)).toBeInTheDocument();
    }
    const fix = cardIn("In progress", "Fix the header") as HTMLElement;
    expect(fix).toHaveTextContent("#2");
    expect(fix).toHaveTextContent("Agent working");
    expect(fix).toHaveTextContent("1 minute ago");
    const footer = cardIn("In review", "Add a footer") as HTMLElement;
    expect(footer).toHaveTextContent("Empty diff: the agent changed nothing");
    expect(footer).toHaveTextContent("QA failed: tsc");
    expect(footer).toHaveTextContent("Preview running");
    expect(within(footer).getByRole("link", { name: "Add a footer" })).toHaveAttribute("href", "/projects/p1/tasks/3");
    expect(screen.getByRole("link", { name: "Tasks" })).toHaveAttribute("aria-current", "page");
  });

  it("moves a card by keyboard to the next column: shown there at once, PATCHed, announced", async () => {
    const { sent } = serveTasks(BOARD);
    const { user } = renderApp("/projects/p1/tasks");
    const handle = await screen.findByRole("button", { name: "Move task #1: Write the README" });
    handle.focus();
    await user.keyboard("[Space]");
    expect(await screen.findByText(/Picked up task #1, Write the README, in To do/)).toBeInTheDocument();
    await user.keyboard("[ArrowRight]");
    expect(await screen.findByText(/is over In progress, position 1/)).toBeInTheDocument();
    await user.keyboard("[ArrowDown]");
    expect(await screen.findByText(/is over In progress, position 2/)).toBeInTheDocument();
    await user.keyboard("[Space]");

    await waitFor(() => expect(cardIn("In progress", "Write the README")).toBeInTheDocument());
    expect(cardIn("To do", "Write the README")).not.toBeInTheDocument();
    expect(screen.getByText(/was dropped in In progress, position 2/)).toBeInTheDocument();
    await waitFor(() =>
      expect(sent).toEqual([
        { method: "PATCH", path: "/api/v1/projects/p1/tasks/1", body: { status: "in_progress", position: 1 } },
      ]),
    );
    // Below the card that was there.
    const cards = within(column("In progress")).getAllByRole("article");
    expect(cards.map((c) => c.getAttribute("aria-label"))).toEqual([
      "Task #2: Fix the header",
      "Task #1: Write the README",
    ]);
  });

  it("reorders within a column by keyboard (position only)", async () => {
    const { sent } = serveTasks([
      task({ n: 1, title: "First", position: 0 }),
      task({ n: 2, title: "Second", position: 1 }),
    ]);
    const { user } = renderApp("/projects/p1/tasks");
    (await screen.findByRole("button", { name: "Move task #2: Second" })).focus();
    await user.keyboard("[Space]");
    await screen.findByText(/Picked up task #2/);
    await user.keyboard("[ArrowUp]");
    await screen.findByText(/is over To do, position 1/);
    await user.keyboard("[Enter]");
    await waitFor(() =>
      expect(sent).toEqual([{ method: "PATCH", path: "/api/v1/projects/p1/tasks/2", body: { position: 0 } }]),
    );
    await waitFor(() =>
      expect(
        within(column("To do"))
          .getAllByRole("article")
          .map((c) => c.getAttribute("aria-label")),
      ).toEqual(["Task #2: Second", "Task #1: First"]),
    );
  });

  it("puts a refused move (409) back and shows the server's message", async () => {
    serveTasks(BOARD);
    // The server answers only once the test has seen the optimistic board.
    let answer = () => {};
    const answered = new Promise<void>((r) => {
      answer = r;
    });
    server.use(
      http.patch("/api/v1/projects/p1/tasks/2", async () => {
        await answered;
        return HttpResponse.json(
          {
            error: {
              code: "TASK_STATE",
              message: "Task 2 is review: it cannot move to qa",
              requestId: "req-409",
            },
          },
          { status: 409 },
        );
      }),
    );
    const { user } = renderApp("/projects/p1/tasks");
    (await screen.findByRole("button", { name: "Move task #2: Fix the header" })).focus();
    await user.keyboard("[Space]");
    await screen.findByText(/Picked up task #2/);
    await user.keyboard("[ArrowRight]");
    await screen.findByText(/is over QA, position 1/);
    await user.keyboard("[Space]");
    // Shown moved while the server thinks about it…
    await waitFor(() => expect(cardIn("QA", "Fix the header")).toBeInTheDocument());
    answer();
    // …and back where it was once it refuses, with its reason.
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Task 2 is review: it cannot move to qa");
    expect(alert).toHaveTextContent("req-409");
    expect(cardIn("In progress", "Fix the header")).toBeInTheDocument();
    expect(cardIn("QA", "Fix the header")).not.toBeInTheDocument();
  });

  it("follows task.changed on the project's events stream", async () => {
    const { state, events } = serveTasks(BOARD);
    renderApp("/projects/p1/tasks");
    await screen.findByRole("article", { name: /Fix the header/ });
    await waitFor(() => expect(events.connections).toBe(1));
    state.tasks = state.tasks.map((t) => (t.n === 2 ? { ...t, status: "review", position: 1 } : t));
    events.send("task.changed", { n: 2, status: "review" });
    await waitFor(() => expect(cardIn("In review", "Fix the header")).toBeInTheDocument());
    expect(cardIn("In progress", "Fix the header")).not.toBeInTheDocument();
  });

  it("adds a task with its description and runs it", async () => {
    const { state, sent, record } = serveTasks([]);
    server.use(
      http.post("/api/v1/projects/p1/tasks", async ({ request }) => {
        const { body } = await record(request);
        const t = task({ n: 7, ...(body as object) });
        state.tasks = [...state.tasks, t];
        return HttpResponse.json(t, { status: 201 });
      }),
      http.post("/api/v1/projects/p1/tasks/7/run", async ({ request }) => {
        await record(request);
        state.tasks = state.tasks.map((t) => ({ ...t, status: "in_progress", branch: "task/7" }));
        return HttpResponse.json({ task: state.tasks[0] });
      }),
    );
    const { user } = renderApp("/projects/p1/tasks");
    await user.type(await screen.findByLabelText("Task title"), "Dark mode");
    await user.type(screen.getByLabelText("What should the agent do?"), "Follow the system theme.");
    await user.click(screen.getByRole("button", { name: "Add task" }));
    const card = await within(column("To do")).findByRole("article", { name: /Dark mode/ });
    expect(screen.getByLabelText("Task title")).toHaveValue("");
    await user.click(within(card).getByRole("button", { name: "Run task #7" }));
    await waitFor(() => expect(cardIn("In progress", "Dark mode")).toBeInTheDocument());
    expect(sent).toEqual([
      {
        method: "POST",
        path: "/api/v1/projects/p1/tasks",
        body: { title: "Dark mode", description: "Follow the system theme." },
      },
      { method: "POST", path: "/api/v1/projects/p1/tasks/7/run", body: null },
    ]);
  });
});
