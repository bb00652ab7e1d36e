import { screen } from "@testing-library/react";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import type { Operation } from "../../../api/types";
import { apiError, deploymentList, operation, project, template } from "../../../testing/fixtures";
import { renderApp } from "../../../testing/render";
import { server } from "../../../testing/server";
import { sseChannel } from "../../../testing/sse";

const templates = [
  template(),
  template({ id: "tpl-static", slug: "static", name: "Static site", description: "Plain HTML served as is." }),
];

describe("create a project", () => {
  it("previews the slug and validates the name as you type", async () => {
    server.use(http.get("/api/v1/templates", () => HttpResponse.json({ templates })));
    const { user } = renderApp("/projects/new");
    expect(await screen.findByText("Plain HTML served as is.")).toBeInTheDocument();
    const name = screen.getByLabelText("Name");
    await user.type(name, "Crème Brûlée App!");
    expect(screen.getByText("creme-brulee-app", { selector: "code" })).toBeInTheDocument();
    await user.clear(name);
    await user.type(name, "!!!");
    expect(screen.getByText("Use at least one letter or digit.")).toBeInTheDocument();
    expect(name).toHaveAttribute("aria-invalid", "true");
    await user.clear(name);
    await user.type(name, "42 -- Things");
    expect(screen.getByText("42-things", { selector: "code" })).toBeInTheDocument();
    expect(name).not.toHaveAttribute("aria-invalid");
  });

  it("asks for a template and a name before sending anything", async () => {
    server.use(http.get("/api/v1/templates", () => HttpResponse.json({ templates })));
    const { user } = renderApp("/projects/new");
    await user.click(await screen.findByRole("button", { name: "Create project" }));
    expect(screen.getByText("Pick a template.")).toBeInTheDocument();
    expect(screen.getByText("Give the project a name.")).toBeInTheDocument();
    expect(screen.getByLabelText("Name")).toHaveFocus();
  });

  it("shows the server's validation error at the name field", async () => {
    server.use(
      http.get("/api/v1/templates", () => HttpResponse.json({ templates })),
      http.post("/api/v1/projects", () =>
        HttpResponse.json(
          apiError("VALIDATION_FAILED", "The request is invalid", {
            details: { fields: [{ path: "name", message: "A project named my-app already exists" }] },
          }),
          { status: 400 },
        ),
      ),
    );
    const { user } = renderApp("/projects/new");
    await user.click(await screen.findByRole("radio", { name: /vite \+ react/i }));
    await user.type(screen.getByLabelText("Name"), "my app");
    await user.click(screen.getByRole("button", { name: "Create project" }));
    expect(await screen.findByText("A project named my-app already exists")).toBeInTheDocument();
    // Editing the name clears the stale server message.
    await user.type(screen.getByLabelText("Name"), " 2");
    expect(screen.queryByText("A project named my-app already exists")).not.toBeInTheDocument();
  });

  it("shows the operation's steps as they progress, then opens the project", async () => {
    const events = sseChannel();
    let body: unknown;
    const created = project({ status: "pending", prompt: "a todo list" });
    const op = operation();
    server.use(
      http.get("/api/v1/templates", () => HttpResponse.json({ templates })),
      http.post("/api/v1/projects", async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ project: created, operation: op }, { status: 202 });
      }),
      http.get("/api/v1/projects/p1/events", () => events.response([["project", created]])),
      http.get("/api/v1/projects/p1/operations", () => HttpResponse.json({ operations: [op] })),
      http.get("/api/v1/operations/op1", () => HttpResponse.json(op)),
    );
    const { user, router } = renderApp("/projects/new");
    await user.click(await screen.findByRole("radio", { name: /vite \+ react/i }));
    await user.type(screen.getByLabelText("Name"), "My App");
    await user.type(screen.getByLabelText(/what should the agent build/i), "a todo list");
    await user.click(screen.getByRole("button", { name: "Create project" }));

    expect(await screen.findByRole("heading", { name: "Creating…" })).toBeInTheDocument();
    expect(body).toEqual({ name: "My App", templateId: "tpl-vite", prompt: "a todo list" });
    expect(screen.getByText("Pull image").closest("li")).toHaveClass("step-succeeded");
    expect(screen.getByText("Create containers").closest("li")).toHaveClass("step-running");

    await expect.poll(() => events.connections).toBe(1);
    const health: Operation = {
      ...op,
      progress: 80,
      steps: op.steps.map((s) => ({ ...s, status: s.name === "health" ? "running" : "succeeded" })),
    };
    events.send("operation", health);
    await expect.poll(() => screen.getByText("Wait until healthy").closest("li")?.className).toContain("step-running");

    server.use(
      http.get("/api/v1/projects/p1", () => HttpResponse.json({ ...created, status: "running" })),
      http.get("/api/v1/projects/p1/logs", () => sseChannel().response()),
      http.get("/api/v1/projects/p1/agent-settings", () =>
        HttpResponse.json({ override: null, effective: null, source: null }),
      ),
      http.get("/api/v1/projects/p1/deployments", () => HttpResponse.json(deploymentList())),
    );
    events.send("operation", { ...health, status: "succeeded", progress: 100 });
    await expect.poll(() => router.state.location.pathname).toBe("/projects/p1");
    expect(await screen.findByRole("heading", { name: "My App" })).toBeInTheDocument();
  });

  it("shows a failed operation with its error and a way to the project", async () => {
    const failed = operation({
      status: "failed",
      steps: [
        { name: "pull", status: "failed", message: "image devsanctum/nope not found" },
        { name: "create", status: "pending" },
      ],
      error: "The image devsanctum/nope is not on this engine.",
    });
    server.use(
      http.get("/api/v1/templates", () => HttpResponse.json({ templates })),
      http.post("/api/v1/projects", () =>
        HttpResponse.json({ project: project({ status: "pending" }), operation: operation() }, { status: 202 }),
      ),
      http.get("/api/v1/projects/p1/events", () => sseChannel().response([["project", project({ status: "failed" })]])),
      http.get("/api/v1/projects/p1/operations", () => HttpResponse.json({ operations: [failed] })),
      http.get("/api/v1/operations/op1", () => HttpResponse.json(failed)),
    );
    const { user } = renderApp("/projects/new");
    await user.click(await screen.findByRole("radio", { name: /vite \+ react/i }));
    await user.type(screen.getByLabelText("Name"), "My App");
    await user.click(screen.getByRole("button", { name: "Create project" }));
    expect(await screen.findByRole("heading", { name: "Creating failed" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("The image devsanctum/nope is not on this engine.");
    expect(screen.getByText("image devsanctum/nope not found")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Open the project" })).toHaveAttribute("href", "/projects/p1");
  });
});
