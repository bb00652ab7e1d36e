// A task's page against MSW: the diff with inline comments that become one request for changes;
// approval blocked while a required gate failed until "approve anyway" is ticked (and sent);
// the server's 409 shown as it said it; QA output, the task's preview and the agent's transcript.
import { screen, waitFor, within } from "@testing-library/react";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { agentMessages } from "../../../testing/fixtures";
import { renderApp } from "../../../testing/render";
import { server } from "../../../testing/server";
import { sseChannel } from "../../../testing/sse";
import type { QaResults, Task } from "../api/tasks";
import { serveTasks, task, taskDiff } from "../testing/tasks-server";

const failingQa = (): QaResults => ({
  status: "failed",
  startedAt: new Date(Date.now() - 60_000).toISOString(),
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
      output: "src/App.tsx(3,7): error TS2322: Type 'number' is not assignable to type 'string'.",
    },
    {
      name: "lint",
      command: "biome check .",
      required: false,
      order: 1,
      timeoutSeconds: 60,
      status: "passed",
      exitCode: 0,
      durationMs: 800,
      output: "Checked 12 files",
    },
  ],
});

const inReview = (o: Partial<Task> = {}) =>
  task({ n: 4, title: "Describe the app", status: "review", branch: "task/4", baseCommit: "a".repeat(40), ...o });

function serveTask(t: Task) {
  const io = serveTasks([t]);
  server.use(
    http.get(`/api/v1/projects/p1/tasks/${t.n}/diff`, () => HttpResponse.json(taskDiff())),
    http.post(`/api/v1/projects/p1/tasks/${t.n}/:action`, async ({ request, params }) => {
      await io.record(request);
      const status =
        params.action === "request-changes" ? "in_progress" : params.action === "approve" ? "done" : "rejected";
      const next = { ...t, status } as Task;
      io.state.tasks = [next];
      // As the API answers: approve with the merge commit, request-changes wrapped, reject bare.
      if (params.action === "approve") return HttpResponse.json({ task: next, commit: {} });
      return HttpResponse.json(params.action === "request-changes" ? { task: next } : next);
    }),
  );
  return io;
}

describe("task page", () => {
  it("turns comments on diff lines into one request for changes", async () => {
    const { sent } = serveTask(inReview());
    const { user } = renderApp("/projects/p1/tasks/4");
    const file = await screen.findByRole("region", { name: "Changes to README.md" });
    expect(within(file).getByRole("row", { name: "added" })).toHaveTextContent("A React app that greets you.");
    // Deleted lines have no new-side line to comment on.
    expect(within(file).getAllByRole("button", { name: /^Comment on README.md line/ })).toHaveLength(2);

    await user.click(within(file).getByRole("button", { name: "Comment on README.md line 2" }));
    await user.type(
      within(file).getByRole("textbox", { name: "Comment on README.md line 2" }),
      "Say it is for bakers.",
    );
    await user.click(within(file).getByRole("button", { name: "Add comment" }));
    await user.click(within(file).getByRole("button", { name: "Comment on README.md line 1" }));
    await user.type(within(file).getByRole("textbox", { name: "Comment on README.md line 1" }), "Use the real name.");
    await user.click(within(file).getByRole("button", { name: "Add comment" }));
    expect(within(file).getByText("Say it is for bakers.")).toBeInTheDocument();

    await user.type(screen.getByLabelText("Message to the agent"), "Two small things.");
    await user.click(screen.getByRole("button", { name: "Request changes (2 comments)" }));
    await waitFor(() =>
      expect(sent).toEqual([
        {
          method: "POST",
          path: "/api/v1/projects/p1/tasks/4/request-changes",
          body: {
            comments: [
              { path: "README.md", line: 2, body: "Say it is for bakers." },
              { path: "README.md", line: 1, body: "Use the real name." },
            ],
            message: "Two small things.",
          },
        },
      ]),
    );
    await waitFor(() =>
      expect(screen.getByRole("heading", { name: /Describe the app/ }).parentElement).toHaveTextContent("In progress"),
    );
  });

  it("blocks approval while a required gate failed until the reviewer approves anyway", async () => {
    const { sent } = serveTask(inReview({ qaResults: failingQa() }));
    const { user } = renderApp("/projects/p1/tasks/4");
    const qa = await screen.findByRole("region", { name: "QA gates" });
    expect(qa).toHaveTextContent("QA failed: tsc");
    expect(within(qa).getByText(/error TS2322/)).toBeVisible();
    expect(within(qa).getByText(/required/)).toBeInTheDocument();
    expect(qa).toHaveTextContent("3.2 s");

    const approve = screen.getByRole("button", { name: "Approve and merge" });
    expect(approve).toBeDisabled();
    expect(screen.getByText(/A required gate failed: tsc/)).toBeInTheDocument();
    await user.type(screen.getByLabelText("Commit message (optional)"), "Describe the app");
    await user.click(screen.getByRole("checkbox", { name: "Approve anyway" }));
    await user.click(approve);
    await waitFor(() =>
      expect(sent).toEqual([
        {
          method: "POST",
          path: "/api/v1/projects/p1/tasks/4/approve",
          body: { message: "Describe the app", override: true },
        },
      ]),
    );
    expect(await screen.findByText("Done", { selector: ".task-status" })).toBeInTheDocument();
  });

  it("shows the server's reason when approval is refused (409)", async () => {
    serveTask(inReview());
    server.use(
      http.post("/api/v1/projects/p1/tasks/4/approve", () =>
        HttpResponse.json(
          {
            error: {
              code: "TASK_CONFLICT",
              message: "Task 4's branch conflicts with the main tree in README.md",
              requestId: "r-c",
            },
          },
          { status: 409 },
        ),
      ),
    );
    const { user } = renderApp("/projects/p1/tasks/4");
    await user.click(await screen.findByRole("button", { name: "Approve and merge" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Not approved: Task 4's branch conflicts with the main tree in README.md");
    expect(alert).toHaveTextContent("TASK_CONFLICT");
  });

  it("offers to approve anyway when the server says the required gates never ran (409 TASK_QA_NOT_RUN)", async () => {
    const { sent, record } = serveTask(inReview({ status: "in_progress", qaResults: null }));
    server.use(
      http.post("/api/v1/projects/p1/tasks/4/approve", async ({ request }) => {
        const body = (await request.clone().json()) as { override?: boolean };
        if (body.override) return undefined; // the task's own handler: approved
        await record(request);
        return HttpResponse.json(
          {
            error: {
              code: "TASK_QA_NOT_RUN",
              message:
                "Task 4's required QA gates have not run on its latest change: run them, or approve with override",
              requestId: "r-n",
            },
          },
          { status: 409 },
        );
      }),
    );
    const { user } = renderApp("/projects/p1/tasks/4");
    await user.click(await screen.findByRole("button", { name: "Approve and merge" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("have not run on its latest change");
    expect(screen.getByText(/required gates have not passed on this change/)).toBeInTheDocument();
    await user.click(screen.getByRole("checkbox", { name: "Approve anyway" }));
    await user.click(screen.getByRole("button", { name: "Approve and merge" }));
    await waitFor(() => expect(sent.map((r) => r.body)).toEqual([{}, { override: true }]));
    expect(await screen.findByText("Done", { selector: ".task-status" })).toBeInTheDocument();
  });

  it("rejects with a reason", async () => {
    const { sent } = serveTask(inReview());
    const { user } = renderApp("/projects/p1/tasks/4");
    const reject = await screen.findByRole("button", { name: "Reject" });
    expect(reject).toBeDisabled();
    await user.type(screen.getByLabelText("Reason for rejecting"), "Not what we need");
    await user.click(reject);
    await waitFor(() =>
      expect(sent).toEqual([
        { method: "POST", path: "/api/v1/projects/p1/tasks/4/reject", body: { reason: "Not what we need" } },
      ]),
    );
  });

  it("shows the task's own preview and its agent's transcript", async () => {
    serveTask(inReview({ sessionId: "ses_1", previewUrl: "http://my-app--t4.localhost:8080" }));
    server.use(
      http.get("/api/v1/projects/p1/agent/sessions/ses_1/messages", () =>
        HttpResponse.json({ messages: agentMessages() }),
      ),
      http.get("/api/v1/projects/p1/agent/events", () => sseChannel().response()),
    );
    renderApp("/projects/p1/tasks/4");
    expect(await screen.findByTitle("Preview of task #4")).toHaveAttribute("src", "http://my-app--t4.localhost:8080");
    const log = await screen.findByRole("log", { name: "The agent's transcript" });
    expect(await within(log).findByText("Build a bakery site")).toBeInTheDocument();
    expect(within(log).getByText(/Wrote src\/App.tsx/)).toBeInTheDocument();
  });

  it("says when there is no transcript, and runs a todo task", async () => {
    const { sent } = serveTask(task({ n: 5, title: "Later" }));
    server.use(
      http.post("/api/v1/projects/p1/tasks/5/run", async ({ request }) => {
        sent.push({ method: "POST", path: new URL(request.url).pathname, body: null });
        return HttpResponse.json({ task: task({ n: 5, title: "Later", status: "in_progress", branch: "task/5" }) });
      }),
    );
    const { user } = renderApp("/projects/p1/tasks/5");
    expect(await screen.findByText("The agent's conversation shows here once the task runs.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Run" }));
    await waitFor(() => expect(sent.map((s) => s.path)).toEqual(["/api/v1/projects/p1/tasks/5/run"]));
  });
});
