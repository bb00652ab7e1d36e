import { screen, waitFor, within } from "@testing-library/react";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import type { Commit, Diff } from "../../../api/types";
import { deploymentList, project } from "../../../testing/fixtures";
import { renderApp } from "../../../testing/render";
import { server } from "../../../testing/server";
import { sseChannel } from "../../../testing/sse";

const commit = (o: Partial<Commit>): Commit => ({
  id: "a".repeat(40),
  parents: [],
  subject: "Create the project from the Vite + React template",
  message: "Create the project from the Vite + React template",
  author: { name: "DevSanctum", email: "platform@devsanctum.invalid" },
  time: new Date(Date.now() - 60_000).toISOString(),
  files: [{ path: "src/App.tsx", status: "added", additions: 3, deletions: 0 }],
  ...o,
});
const TEMPLATE = commit({});
const AGENT = commit({
  id: "b".repeat(40),
  parents: [TEMPLATE.id],
  subject: "Agent: change the heading",
  author: { name: "DevSanctum agent", email: "agent@devsanctum.invalid" },
});
const diff = (o: Partial<Diff> = {}): Diff => ({
  from: TEMPLATE.id,
  to: AGENT.id,
  files: [
    {
      path: "src/App.tsx",
      oldPath: "src/App.tsx",
      status: "modified",
      binary: false,
      additions: 1,
      deletions: 1,
      hunks: [
        {
          header: "@@ -1,3 +1,3 @@",
          oldStart: 1,
          oldLines: 3,
          newStart: 1,
          newLines: 3,
          lines: [
            { type: "context", text: "export function App() {", oldLine: 1, newLine: 1 },
            { type: "delete", text: "  return <h1>Hello</h1>;", oldLine: 2, newLine: null },
            { type: "add", text: "  return <h1>Hello, agent</h1>;", oldLine: null, newLine: 2 },
            { type: "context", text: "}", oldLine: 3, newLine: 3 },
          ],
        },
      ],
    },
  ],
  stats: { files: 1, additions: 1, deletions: 1 },
  unified: "",
  truncated: false,
  ...o,
});

function serveHistory() {
  const p = project();
  const restored: string[] = [];
  const commits = [AGENT, TEMPLATE];
  server.use(
    http.get("/api/v1/projects/p1", () => HttpResponse.json(p)),
    http.get("/api/v1/projects/p1/events", () => sseChannel().response([["project", p]])),
    http.get("/api/v1/projects/p1/operations", () => HttpResponse.json({ operations: [] })),
    http.get("/api/v1/projects/p1/deployments", () => HttpResponse.json(deploymentList())),
    http.get("/api/v1/projects/p1/history", () => HttpResponse.json({ commits, more: false })),
    http.get("/api/v1/projects/p1/diff", () =>
      HttpResponse.json(diff({ files: [], stats: { files: 0, additions: 0, deletions: 0 } })),
    ),
    http.get(`/api/v1/projects/p1/history/${AGENT.id}/diff`, () => HttpResponse.json(diff())),
    http.get(`/api/v1/projects/p1/history/${TEMPLATE.id}/diff`, () => HttpResponse.json(diff())),
    http.post(`/api/v1/projects/p1/history/${TEMPLATE.id}/restore`, () => {
      restored.push(TEMPLATE.id);
      const c = commit({
        id: "c".repeat(40),
        subject: "Restore the files of aaaaaaa",
        author: { name: "Ada", email: "ada@example.test" },
      });
      commits.unshift(c);
      return HttpResponse.json({ commit: c }, { status: 201 });
    }),
    http.get(`/api/v1/projects/p1/history/${"c".repeat(40)}/diff`, () => HttpResponse.json(diff())),
  );
  return { restored };
}

describe("History tab", () => {
  it("lists commits by who made them and shows a commit's diff unified and split", async () => {
    serveHistory();
    const { user } = renderApp("/projects/p1/history");
    const list = await screen.findByRole("navigation", { name: "Commits" });
    const agent = await within(list).findByRole("button", { name: /Agent: change the heading/ });
    expect(agent).toHaveTextContent("the agent");
    expect(within(list).getByRole("button", { name: /Create the project/ })).toHaveTextContent("DevSanctum");
    await user.click(agent);
    const file = await screen.findByRole("region", { name: "Changes to src/App.tsx" });
    expect(within(file).getByRole("row", { name: "removed" })).toHaveTextContent("return <h1>Hello</h1>;");
    expect(within(file).getByRole("row", { name: "added" })).toHaveTextContent("Hello, agent");

    await user.click(screen.getByRole("radio", { name: "Split" }));
    const rows = within(screen.getByRole("region", { name: "Changes to src/App.tsx" })).getAllByRole("row");
    // The changed line side by side: old on the left, new on the right.
    expect(rows[1]).toHaveTextContent(/^2\s*return <h1>Hello<\/h1>;2\s*return <h1>Hello, agent<\/h1>;$/);
  });

  it("restores a commit only after confirming, as a new commit", async () => {
    const { restored } = serveHistory();
    const { user } = renderApp("/projects/p1/history");
    await user.click(await screen.findByRole("button", { name: /Create the project/ }));
    await user.click(screen.getByRole("button", { name: "Restore…" }));
    const dialog = screen.getByRole("dialog", { name: "Restore these files?" });
    expect(dialog).toHaveTextContent("Nothing is lost");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(restored).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Restore…" }));
    await user.click(
      within(screen.getByRole("dialog", { name: "Restore these files?" })).getByRole("button", { name: "Restore" }),
    );
    await waitFor(() => expect(restored).toEqual([TEMPLATE.id]));
    const restoredCommit = await screen.findByRole("button", { name: /Restore the files of aaaaaaa/ });
    await waitFor(() => expect(restoredCommit).toHaveAttribute("aria-current", "true"));
  });
});
