import { screen, within } from "@testing-library/react";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import type { AuditEvent } from "../../../api/types";
import { apiError, me } from "../../../testing/fixtures";
import { renderApp } from "../../../testing/render";
import { server } from "../../../testing/server";

const event = (o: Partial<AuditEvent> = {}): AuditEvent => ({
  id: "e1",
  actorId: "u1",
  action: "project.create",
  target: "p1",
  data: null,
  ip: "127.0.0.1",
  createdAt: new Date(Date.now() - 5 * 60_000).toISOString(),
  ...o,
});

describe("audit log", () => {
  it("lists a member's own events, filters them and loads older pages", async () => {
    const asked: URLSearchParams[] = [];
    server.use(
      http.get("/api/v1/audit", ({ request }) => {
        const q = new URL(request.url).searchParams;
        asked.push(q);
        if (q.get("cursor") === "c2") {
          return HttpResponse.json({ events: [event({ id: "e3", action: "project.stop" })], nextCursor: null });
        }
        if (q.get("action") === "agent.*") {
          return HttpResponse.json({ events: [event({ id: "e9", action: "agent.prompt" })], nextCursor: null });
        }
        return HttpResponse.json({
          events: [event(), event({ id: "e2", actorId: null, action: "auth.refresh_reuse", target: "session:s" })],
          nextCursor: "c2",
        });
      }),
    );
    const { user } = renderApp("/audit");
    expect(await screen.findByRole("heading", { name: "Audit log" })).toBeInTheDocument();
    const row = (await screen.findByText("project.create")).closest("tr") as HTMLElement;
    expect(within(row).getByText("you")).toBeInTheDocument();
    expect(within(row).getByText("5 minutes ago")).toBeInTheDocument();
    expect(screen.getByText("the system")).toBeInTheDocument();
    // A member sees no actor filter: the API shows them their own events only.
    expect(screen.queryByLabelText("Actor (user id)")).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Load older events" }));
    expect(await screen.findByText("project.stop")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Load older events" })).not.toBeInTheDocument();

    await user.type(screen.getByLabelText("Action"), "agent.*");
    await user.type(screen.getByLabelText("Project id"), "p1");
    await user.click(screen.getByRole("button", { name: "Filter" }));
    expect(await screen.findByText("agent.prompt")).toBeInTheDocument();
    expect(screen.queryByText("project.create")).not.toBeInTheDocument();
    const last = asked.at(-1) as URLSearchParams;
    expect(Object.fromEntries(last)).toEqual({ limit: "50", action: "agent.*", project: "p1" });
  });

  it("offers an admin the actor filter and shows the API's refusal of a bad filter", async () => {
    server.use(
      http.get("/api/v1/audit", ({ request }) =>
        new URL(request.url).searchParams.get("actor")
          ? HttpResponse.json(apiError("VALIDATION_FAILED", "Invalid request: actor: Invalid UUID"), { status: 400 })
          : HttpResponse.json({ events: [], nextCursor: null }),
      ),
    );
    const { user } = renderApp("/audit", { signedIn: me({ role: "admin" }) });
    expect(await screen.findByText("No events match.")).toBeInTheDocument();
    await user.type(screen.getByLabelText("Actor (user id)"), "bob");
    await user.click(screen.getByRole("button", { name: "Filter" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not load the audit log.");
    expect(alert).toHaveTextContent("actor: Invalid UUID");
  });
});
