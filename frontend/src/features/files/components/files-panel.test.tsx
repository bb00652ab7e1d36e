import { screen, waitFor, within } from "@testing-library/react";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import type { FileEntry } from "../../../api/types";
import { apiError, deploymentList, project } from "../../../testing/fixtures";
import { renderApp } from "../../../testing/render";
import { server } from "../../../testing/server";
import { sseChannel } from "../../../testing/sse";

const entry = (path: string, type: FileEntry["type"] = "file"): FileEntry => ({
  path,
  name: path.split("/").pop() ?? path,
  type,
  size: 10,
  modified: "2026-12-01T20:00:00.000Z",
});
const TREE = [entry("src", "dir"), entry("src/App.tsx"), entry("src/main.tsx"), entry("package.json")];

function serveFiles(files: Record<string, { text: string; etag: string }>) {
  const p = project();
  const events = sseChannel();
  const puts: Array<{ path: string; body: string; ifMatch: string | null }> = [];
  let treeReads = 0;
  server.use(
    http.get("/api/v1/projects/p1", () => HttpResponse.json(p)),
    http.get("/api/v1/projects/p1/events", () => events.response([["project", p]])),
    http.get("/api/v1/projects/p1/operations", () => HttpResponse.json({ operations: [] })),
    http.get("/api/v1/projects/p1/deployments", () => HttpResponse.json(deploymentList())),
    http.get("/api/v1/projects/p1/files", () => {
      treeReads += 1;
      return HttpResponse.json({ path: "", entries: TREE, truncated: false });
    }),
    http.get("/api/v1/projects/p1/files/content", ({ request }) => {
      const f = files[new URL(request.url).searchParams.get("path") ?? ""];
      if (!f) return HttpResponse.json(apiError("FILE_NOT_FOUND", "No such file"), { status: 404 });
      return new HttpResponse(f.text, {
        headers: { "content-type": "text/plain; charset=utf-8", etag: `"${f.etag}"` },
      });
    }),
    http.put("/api/v1/projects/p1/files/content", async ({ request }) => {
      const path = new URL(request.url).searchParams.get("path") ?? "";
      const ifMatch = request.headers.get("if-match");
      const body = await request.text();
      puts.push({ path, body, ifMatch });
      const f = files[path];
      if (f && ifMatch && ifMatch !== `"${f.etag}"`) {
        return HttpResponse.json(apiError("PRECONDITION_FAILED", "changed since you read it"), { status: 412 });
      }
      files[path] = { text: body, etag: `e${puts.length}` };
      return HttpResponse.json({ ...entry(path), etag: `e${puts.length}`, created: !f });
    }),
  );
  return { events, puts, treeReads: () => treeReads };
}

describe("Files tab", () => {
  it("browses the tree with the keyboard and opens a file in the editor", async () => {
    serveFiles({ "src/App.tsx": { text: "export const App = 1;\n", etag: "a1" } });
    const { user } = renderApp("/projects/p1/files");
    const tree = await screen.findByRole("tree", { name: "Project files" });
    const src = within(tree).getByRole("treeitem", { name: /src/ });
    expect(src).toHaveAttribute("aria-expanded", "false");
    expect(within(tree).queryByRole("treeitem", { name: /App\.tsx/ })).not.toBeInTheDocument();
    src.focus();
    await user.keyboard("{ArrowRight}");
    expect(src).toHaveAttribute("aria-expanded", "true");
    await user.keyboard("{ArrowRight}");
    const app = within(tree).getByRole("treeitem", { name: /App\.tsx/ });
    expect(app).toHaveFocus();
    await user.keyboard("{Enter}");
    const editor = await screen.findByRole("textbox", { name: "Contents of src/App.tsx" }, { timeout: 10_000 });
    expect(editor).toHaveTextContent("export const App = 1;");
    expect(app).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{ArrowLeft}");
    expect(src).toHaveFocus();
  });

  it("saves with the ETag it read, and shows a conflict instead of overwriting a newer version", async () => {
    const files = { "src/App.tsx": { text: "one\n", etag: "a1" } };
    const { puts } = serveFiles(files);
    const { user } = renderApp("/projects/p1/files?path=src%2FApp.tsx");
    const editor = await screen.findByRole("textbox", { name: "Contents of src/App.tsx" }, { timeout: 10_000 });
    await user.click(editor);
    // jsdom's contenteditable is rough with CodeMirror: one keystroke here, real typing in the e2e.
    await user.keyboard("{Control>}{End}{/Control}Z");
    expect(await screen.findByText(/unsaved changes/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(puts).toHaveLength(1));
    expect(puts[0]).toMatchObject({ path: "src/App.tsx", ifMatch: '"a1"' });
    expect(puts[0]?.body).toContain("Z");
    await waitFor(() => expect(screen.queryByText(/unsaved changes/)).not.toBeInTheDocument());

    // Someone else saves; our next save carries the old ETag and is refused.
    files["src/App.tsx"] = { text: "theirs\n", etag: "zz" };
    await user.click(editor);
    await user.keyboard("!");
    await user.click(screen.getByRole("button", { name: "Save" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(/changed since you opened it/);
    expect(files["src/App.tsx"]?.text).toBe("theirs\n");
    await user.click(within(alert).getByRole("button", { name: /Load theirs/ }));
    await waitFor(() =>
      expect(screen.getByRole("textbox", { name: "Contents of src/App.tsx" })).toHaveTextContent("theirs"),
    );
  });

  it("reloads the tree and an unedited open file when files change on the events stream", async () => {
    const files = { "src/App.tsx": { text: "before\n", etag: "a1" } };
    const { events, treeReads } = serveFiles(files);
    renderApp("/projects/p1/files?path=src%2FApp.tsx");
    const editor = await screen.findByRole("textbox", { name: "Contents of src/App.tsx" }, { timeout: 10_000 });
    expect(editor).toHaveTextContent("before");
    await waitFor(() => expect(events.connections).toBeGreaterThan(0));
    const reads = treeReads();
    files["src/App.tsx"] = { text: "after the agent\n", etag: "a2" };
    events.send("files.changed", { paths: ["src/App.tsx"] });
    await waitFor(() => expect(editor).toHaveTextContent("after the agent"));
    expect(treeReads()).toBeGreaterThan(reads);
  });

  it("asks before deleting, and creates a new file in the selected folder", async () => {
    serveFiles({});
    const deleted: string[] = [];
    server.use(
      http.delete("/api/v1/projects/p1/files/content", ({ request }) => {
        deleted.push(new URL(request.url).search);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { user } = renderApp("/projects/p1/files");
    const tree = await screen.findByRole("tree", { name: "Project files" });
    await user.click(within(tree).getByRole("treeitem", { name: /src/ }));
    const actions = screen.getByRole("toolbar", { name: "File actions" });
    await user.click(within(actions).getByRole("button", { name: "Delete…" }));
    const dialog = screen.getByRole("dialog", { name: "Delete src?" });
    expect(dialog).toHaveTextContent("This folder and everything in it will be deleted.");
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(deleted).toEqual(["?path=src&recursive=true"]));

    await user.click(within(actions).getByRole("button", { name: "New file" }));
    const create = screen.getByRole("dialog", { name: "New file" });
    await user.type(within(create).getByLabelText("Name"), "notes.md");
    await user.click(within(create).getByRole("button", { name: "Create" }));
    expect(
      await screen.findByRole("textbox", { name: "Contents of notes.md" }, { timeout: 10_000 }),
    ).toBeInTheDocument();
  });
});
