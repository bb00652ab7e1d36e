import { screen, within } from "@testing-library/react";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { project, template } from "../../../testing/fixtures";
import { renderApp } from "../../../testing/render";
import { server } from "../../../testing/server";
import { sseChannel } from "../../../testing/sse";

describe("projects list", () => {
  it("leads an empty account to creating a project", async () => {
    server.use(
      http.get("/api/v1/projects", () => HttpResponse.json({ projects: [] })),
      http.get("/api/v1/templates", () => HttpResponse.json({ templates: [template()] })),
    );
    const { user, router } = renderApp("/projects");
    await user.click(await screen.findByRole("link", { name: /create your first project/i }));
    expect(router.state.location.pathname).toBe("/projects/new");
    expect(await screen.findByRole("radio", { name: /vite \+ react/i })).toBeInTheDocument();
  });

  it("shows each project's status and last activity, and updates a changing one live", async () => {
    const events = sseChannel();
    const starting = project({ id: "p2", name: "Blog", slug: "blog", status: "starting" });
    server.use(
      http.get("/api/v1/projects", () =>
        HttpResponse.json({
          projects: [
            project(),
            starting,
            project({ id: "p3", name: "Old", status: "stopped" }),
            project({
              id: "p4",
              name: "Dozy",
              status: "sleeping",
              sleptAt: new Date(Date.now() - 2 * 3600_000).toISOString(),
            }),
          ],
        }),
      ),
      // Only the project that is changing is followed; the others would be unhandled requests.
      http.get("/api/v1/projects/p2/events", () => events.response([["project", starting]])),
      http.get("/api/v1/projects/p2/operations", () => HttpResponse.json({ operations: [] })),
    );
    renderApp("/projects");
    const blog = (await screen.findByRole("link", { name: "Blog" })).closest("li") as HTMLElement;
    expect(within(blog).getByText("Starting")).toBeInTheDocument();
    const app = screen.getByRole("link", { name: "My App" }).closest("li") as HTMLElement;
    expect(within(app).getByText("Running")).toBeInTheDocument();
    expect(within(app).getByText(/active 5 minutes ago/i)).toBeInTheDocument();
    const dozy = screen.getByRole("link", { name: "Dozy" }).closest("li") as HTMLElement;
    expect(within(dozy).getByText("Sleeping")).toBeInTheDocument();
    expect(within(dozy).getByText(/asleep since 2 hours ago/i)).toBeInTheDocument();

    await expect.poll(() => events.connections).toBe(1);
    events.send("project", { ...starting, status: "running" });
    expect(await within(blog).findByText("Running")).toBeInTheDocument();
  });

  it("shows the server's error where the list would be", async () => {
    server.use(
      http.get("/api/v1/projects", () =>
        HttpResponse.json(
          { error: { code: "FORBIDDEN", message: "Missing scope projects:read", requestId: "r-9" } },
          { status: 403 },
        ),
      ),
    );
    renderApp("/projects");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Missing scope projects:read");
    expect(alert).toHaveTextContent("r-9");
  });
});
