import { screen, within } from "@testing-library/react";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import type { Project } from "../../../api/types";
import { apiError, deploymentList, operation, project } from "../../../testing/fixtures";
import { renderApp } from "../../../testing/render";
import { server } from "../../../testing/server";
import { sseChannel } from "../../../testing/sse";

function serveProject(p: Project, extra: { operations?: unknown[] } = {}) {
  const events = sseChannel();
  const logs = sseChannel();
  let logRequest: URL | undefined;
  server.use(
    http.get(`/api/v1/projects/${p.id}`, () => HttpResponse.json(p)),
    http.get(`/api/v1/projects/${p.id}/events`, () => events.response([["project", p]])),
    http.get(`/api/v1/projects/${p.id}/operations`, () => HttpResponse.json({ operations: extra.operations ?? [] })),
    // The agent's panel beside the preview (its own tests: features/agent): not configured here.
    http.get(`/api/v1/projects/${p.id}/agent-settings`, () =>
      HttpResponse.json({ override: null, effective: null, source: null }),
    ),
    http.get(`/api/v1/projects/${p.id}/deployments`, () => HttpResponse.json(deploymentList())),
    http.get(`/api/v1/projects/${p.id}/logs`, ({ request }) => {
      logRequest = new URL(request.url);
      return logs.response([["log", { stream: "stdout", line: "VITE v8.3.8  ready in 412 ms" }]]);
    }),
  );
  return { events, logs, logRequest: () => logRequest };
}

describe("project page", () => {
  it("says so when the project does not exist (or is not yours)", async () => {
    server.use(
      http.get("/api/v1/projects/nope", () =>
        HttpResponse.json(apiError("PROJECT_NOT_FOUND", "No such project"), { status: 404 }),
      ),
    );
    renderApp("/projects/nope");
    expect(await screen.findByRole("heading", { name: "Project not found" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Back to projects" })).toHaveAttribute("href", "/projects");
  });

  it("shows the preview on its own host, the hosts and the streaming log", async () => {
    const p = project({
      urls: { preview: "http://my-app--preview.localhost:8080", production: "http://my-app.localhost:8080" },
    });
    const { logs, logRequest } = serveProject(p);
    const { user } = renderApp("/projects/p1");
    const frame = await screen.findByTitle("Preview of My App");
    expect(frame).toHaveAttribute("src", "http://my-app--preview.localhost:8080");
    expect(screen.getByRole("link", { name: /open in new tab/i })).toHaveAttribute("target", "_blank");
    const hosts = screen.getByRole("region", { name: "Hosts" });
    expect(within(hosts).getByRole("link", { name: "http://my-app.localhost:8080" })).toBeInTheDocument();
    expect(within(hosts).getByText("not available")).toBeInTheDocument(); // OpenCode

    const log = screen.getByRole("log");
    expect(await within(log).findByText(/ready in 412 ms/)).toBeInTheDocument();
    expect(logRequest()?.searchParams.get("service")).toBe("preview");
    expect(logRequest()?.searchParams.get("follow")).toBe("true");
    logs.send("log", { stream: "stderr", line: "hmr update /src/App.tsx" });
    expect(await within(log).findByText(/hmr update/)).toHaveClass("log-err");

    // Pause freezes the view; new lines wait until resume.
    await user.click(screen.getByRole("button", { name: "Pause" }));
    logs.send("log", { stream: "stdout", line: "page reload src/main.tsx" });
    expect(await screen.findByRole("button", { name: "Resume (1 new)" })).toBeInTheDocument();
    expect(within(log).queryByText(/page reload/)).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Resume (1 new)" }));
    expect(within(log).getByText(/page reload/)).toBeInTheDocument();

    // Reload remounts the frame.
    await user.click(screen.getByRole("button", { name: "Reload" }));
    expect(screen.getByTitle("Preview of My App")).not.toBe(frame);
  });

  it("stops the project and follows the status over the event stream", async () => {
    const p = project();
    const { events } = serveProject(p);
    const stopOp = operation({ id: "op2", kind: "stop", steps: [{ name: "stop", status: "running" }] });
    server.use(
      http.post("/api/v1/projects/p1/stop", () =>
        HttpResponse.json(
          { project: { ...p, status: "stopping", desiredState: "stopped" }, operation: stopOp },
          { status: 202 },
        ),
      ),
    );
    const { user } = renderApp("/projects/p1");
    await user.click(await screen.findByRole("button", { name: "Stop" }));
    expect(await screen.findByRole("heading", { name: "Stopping…" })).toBeInTheDocument();
    expect(screen.getByText("Stopping")).toBeInTheDocument();
    await expect.poll(() => events.connections).toBeGreaterThan(0);
    events.send("operation", {
      ...stopOp,
      status: "succeeded",
      progress: 100,
      steps: [{ name: "stop", status: "succeeded" }],
    });
    events.send("project", { ...p, status: "stopped", desiredState: "stopped" });
    expect(await screen.findByRole("button", { name: "Start" })).toBeEnabled();
    expect(screen.getByText("Stopped")).toBeInTheDocument();
    expect(screen.queryByTitle("Preview of My App")).not.toBeInTheDocument();
    expect(screen.getByText("The project is not running")).toBeInTheDocument();
  });

  it("reopens the log when the project's containers come back", async () => {
    const p = project();
    const { events, logs } = serveProject(p);
    renderApp("/projects/p1");
    const log = await screen.findByRole("log");
    expect(await within(log).findByText(/ready in 412 ms/)).toBeInTheDocument();
    logs.send("end", {});
    expect(await screen.findByText("Stopped — the container is not running")).toBeInTheDocument();
    await expect.poll(() => events.connections).toBe(1);
    events.send("project", { ...p, status: "starting" });
    expect(await screen.findByText("Starting")).toBeInTheDocument();
    events.send("project", { ...p, status: "running" });
    expect(await screen.findByText("Streaming")).toBeInTheDocument();
    expect(logs.connections).toBeGreaterThan(1);
    await expect.poll(() => screen.getByRole("log").textContent).toMatch(/ready in 412 ms/);
  });

  it("offers to start a stopped project when the edge's stopped page sent us (?action=start)", async () => {
    const p = project({ status: "stopped", desiredState: "stopped" });
    serveProject(p);
    let started = false;
    server.use(
      http.post("/api/v1/projects/p1/start", () => {
        started = true;
        return HttpResponse.json(
          { project: { ...p, status: "starting" }, operation: operation({ kind: "start", id: "op3" }) },
          { status: 202 },
        );
      }),
    );
    const { user, router } = renderApp("/projects/p1?action=start");
    const offer = await screen.findByRole("region", { name: "Start the project" });
    await user.click(within(offer).getByRole("button", { name: "Start My App" }));
    await expect.poll(() => started).toBe(true);
    expect(await screen.findByRole("heading", { name: "Starting…" })).toBeInTheDocument();
    expect(router.state.location.search).toBe("");
  });

  it("shows the last failed operation and its error", async () => {
    const p = project({ status: "failed", statusMessage: "preview exited with code 1" });
    serveProject(p, {
      operations: [
        operation({
          kind: "start",
          status: "failed",
          steps: [{ name: "health", status: "failed", message: "no answer on / after 60 tries" }],
          error: "The preview never became healthy.",
        }),
      ],
    });
    renderApp("/projects/p1");
    expect(await screen.findByRole("heading", { name: "Starting failed" })).toBeInTheDocument();
    expect(screen.getByText("The preview never became healthy.")).toBeInTheDocument();
    expect(screen.getByText("preview exited with code 1")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Start" })).toBeEnabled();
  });

  it("deletes only after the project's name is typed", async () => {
    const p = project();
    serveProject(p);
    let query: string | null = null;
    server.use(
      http.delete("/api/v1/projects/p1", ({ request }) => {
        query = new URL(request.url).searchParams.get("keepData");
        return HttpResponse.json(
          { project: { ...p, status: "deleting", desiredState: "deleted" }, operation: operation({ kind: "delete" }) },
          { status: 202 },
        );
      }),
      http.get("/api/v1/projects", () => HttpResponse.json({ projects: [] })),
    );
    const { user, router } = renderApp("/projects/p1");
    await user.click(await screen.findByRole("button", { name: "Delete…" }));
    const dialog = screen.getByRole("dialog", { name: "Delete My App?" });
    const confirm = within(dialog).getByRole("button", { name: "Delete project" });
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByLabelText(/type my app to confirm/i), "My Ap");
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByLabelText(/type my app to confirm/i), "p");
    await user.click(within(dialog).getByLabelText(/keep the project's files/i));
    await user.click(confirm);
    await expect.poll(() => router.state.location.pathname).toBe("/projects");
    expect(query).toBe("true");
  });

  it("shows a sleeping project: Sleeping, since when, and a Wake button that starts it", async () => {
    const sleptAt = new Date(Date.now() - 20 * 60_000).toISOString();
    const p = project({ status: "sleeping", sleptAt });
    const { events } = serveProject(p);
    const wakeOp = operation({ id: "op3", kind: "start", steps: [{ name: "start", status: "running" }] });
    let woke = 0;
    server.use(
      http.post("/api/v1/projects/p1/start", () => {
        woke++;
        return HttpResponse.json(
          { project: { ...p, status: "starting", sleptAt: null }, operation: wakeOp },
          { status: 202 },
        );
      }),
    );
    const { user } = renderApp("/projects/p1");
    const asleep = await screen.findByRole("region", { name: "Asleep" });
    expect(within(asleep).getByText("20 minutes ago")).toHaveAttribute("datetime", sleptAt);
    expect(screen.getByText("Sleeping")).toBeInTheDocument();
    expect(screen.getByText(/wake it \(or open one of its hosts\)/i)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Wake" }));
    expect(woke).toBe(1);
    expect(await screen.findByText("Starting")).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Asleep" })).not.toBeInTheDocument();
    await expect.poll(() => events.connections).toBeGreaterThan(0);
    events.send("project", { ...p, status: "running", sleptAt: null });
    expect(await screen.findByTitle("Preview of My App")).toBeInTheDocument();
  });

  it("shows the idle timeout and changes it", async () => {
    const p = project();
    serveProject(p);
    let sent: unknown;
    server.use(
      http.patch("/api/v1/projects/p1", async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({ ...p, idleTimeoutSeconds: 0, effectiveIdleTimeoutSeconds: 0 });
      }),
    );
    const { user } = renderApp("/projects/p1");
    const panel = await screen.findByRole("region", { name: "Sleep when idle" });
    expect(within(panel).getByText(/sleeps after 15 minutes without use/i)).toBeInTheDocument();
    const select = within(panel).getByRole("combobox", { name: "Idle timeout" });
    expect(select).toHaveValue("default");
    await user.selectOptions(select, "Never");
    expect(sent).toEqual({ idleTimeoutSeconds: 0 });
    expect(await within(panel).findByText("This project never sleeps.")).toBeInTheDocument();
    expect(select).toHaveValue("0");
  });

  it("says what went wrong when the timeout is refused, keeping the old one", async () => {
    const p = project({ idleTimeoutSeconds: 45, effectiveIdleTimeoutSeconds: 45 });
    serveProject(p);
    server.use(
      http.patch("/api/v1/projects/p1", () =>
        HttpResponse.json(apiError("VALIDATION_FAILED", "idleTimeoutSeconds: 0 (never) or at least 10 seconds"), {
          status: 400,
        }),
      ),
    );
    const { user } = renderApp("/projects/p1");
    const panel = await screen.findByRole("region", { name: "Sleep when idle" });
    const select = within(panel).getByRole("combobox", { name: "Idle timeout" });
    expect(select).toHaveValue("45");
    expect(within(panel).getByRole("option", { name: "45 seconds" })).toBeInTheDocument();
    await user.selectOptions(select, "1 hour");
    expect(await within(panel).findByText(/could not change the idle settings/i)).toBeInTheDocument();
    expect(select).toHaveValue("45");
  });

  it("lets production sleep with the project, when the owner opts in", async () => {
    const p = project();
    serveProject(p);
    let sent: unknown;
    server.use(
      http.patch("/api/v1/projects/p1", async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({ ...p, productionIdle: true });
      }),
    );
    const { user } = renderApp("/projects/p1");
    const panel = await screen.findByRole("region", { name: "Sleep when idle" });
    const box = within(panel).getByRole("checkbox", { name: /production sleeps too/i });
    expect(box).not.toBeChecked();
    await user.click(box);
    expect(sent).toEqual({ productionIdle: true });
    expect(await within(panel).findByRole("checkbox", { name: /production sleeps too/i })).toBeChecked();
  });
});
