import { screen, within } from "@testing-library/react";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import type { AgentSession, Project } from "../../../api/types";
import {
  agentMessages,
  agentSession,
  agentSettings,
  apiError,
  deploymentList,
  project,
} from "../../../testing/fixtures";
import { renderApp } from "../../../testing/render";
import { server } from "../../../testing/server";
import { sseChannel } from "../../../testing/sse";

const configured = (o: Partial<Project> = {}) =>
  project({
    prompt: "Build a bakery site",
    agent: {
      configured: true,
      state: "idle",
      sessionId: "ses_1",
      lastEventAt: new Date().toISOString(),
      message: null,
    },
    ...o,
  });

function serve(p: Project, opts: { sessions?: AgentSession[] } = {}) {
  const projectEvents = sseChannel();
  const agentEvents = sseChannel();
  const posted: Array<{ url: string; body: unknown }> = [];
  const record = async ({ request }: { request: Request }) => {
    const text = await request.text();
    posted.push({ url: new URL(request.url).pathname, body: text ? JSON.parse(text) : null });
  };
  let sessions = opts.sessions ?? [agentSession()];
  server.use(
    http.get(`/api/v1/projects/${p.id}`, () => HttpResponse.json(p)),
    http.get(`/api/v1/projects/${p.id}/events`, () => projectEvents.response([["project", p]])),
    http.get(`/api/v1/projects/${p.id}/operations`, () => HttpResponse.json({ operations: [] })),
    http.get(`/api/v1/projects/${p.id}/logs`, () => sseChannel().response()),
    // The Production panel on the project page (its own tests: features/deployments): none yet.
    http.get(`/api/v1/projects/${p.id}/deployments`, () => HttpResponse.json(deploymentList())),
    http.get(`/api/v1/projects/${p.id}/agent-settings`, () =>
      HttpResponse.json(
        p.agent.configured
          ? { override: null, effective: agentSettings(), source: "user" }
          : { override: null, effective: null, source: null },
      ),
    ),
    http.get(`/api/v1/projects/${p.id}/agent/sessions`, () => HttpResponse.json({ sessions })),
    http.get(`/api/v1/projects/${p.id}/agent/sessions/:sid/messages`, () =>
      HttpResponse.json({ messages: agentMessages() }),
    ),
    http.get(`/api/v1/projects/${p.id}/agent/permissions`, () => HttpResponse.json({ permissions: [] })),
    http.get(`/api/v1/projects/${p.id}/agent/events`, () => agentEvents.response([["ready", {}]])),
    http.post(`/api/v1/projects/${p.id}/agent/sessions/:sid/prompt`, async (ctx) => {
      await record(ctx);
      return HttpResponse.json(
        {
          id: "q1",
          sessionId: "ses_1",
          text: "x",
          status: "queued",
          error: null,
          createdAt: p.createdAt,
          sentAt: null,
          finishedAt: null,
        },
        { status: 202 },
      );
    }),
    http.post(`/api/v1/projects/${p.id}/agent/sessions/:sid/abort`, async (ctx) => {
      await record(ctx);
      return new HttpResponse(null, { status: 204 });
    }),
    http.post(`/api/v1/projects/${p.id}/agent/sessions/:sid/revert`, async (ctx) => {
      await record(ctx);
      return HttpResponse.json({ revertedFrom: "msg_1" });
    }),
    http.post(`/api/v1/projects/${p.id}/agent/permissions/:pid`, async (ctx) => {
      await record(ctx);
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return {
    agentEvents,
    posted,
    setSessions: (s: AgentSession[]) => {
      sessions = s;
    },
  };
}

describe("the agent's chat panel", () => {
  it("points to the settings instead of a dead chat box when no model is configured", async () => {
    serve(project({ prompt: "Build a bakery site" }));
    renderApp("/projects/p1");
    const panel = await screen.findByRole("region", { name: "Agent" });
    expect(within(panel).getByRole("link", { name: "Configure the agent" })).toHaveAttribute(
      "href",
      "/settings/agent?return=/projects/p1",
    );
    expect(within(panel).queryByRole("textbox", { name: "Message the agent" })).toBeNull();
    // The project's own model can be set right here.
    expect(await within(panel).findByRole("textbox", { name: "Model" })).toBeInTheDocument();
  });

  it("shows the conversation with compact tool calls, streams new text and sends a prompt", async () => {
    const { agentEvents, posted } = serve(configured());
    const { user } = renderApp("/projects/p1");
    const log = await screen.findByRole("log", { name: "Conversation with the agent" });
    expect(await within(log).findByText("Build a bakery site")).toBeInTheDocument();
    expect(within(log).getByText(/Wrote src\/App\.tsx/)).toBeInTheDocument();
    expect(within(log).getByText(/Ran npm test/)).toBeInTheDocument();
    // A command's output is folded away until asked for.
    const output = within(log).getByText("all 3 tests passed");
    expect(output).not.toBeVisible();
    await user.click(within(log).getByText("Output"));
    expect(output).toBeVisible();

    agentEvents.send("message.updated", {
      message: {
        id: "msg_3",
        sessionId: "ses_1",
        role: "assistant",
        parentId: "msg_1",
        createdAt: "2026-12-01T20:00:00.000Z",
        completedAt: null,
        error: null,
      },
    });
    agentEvents.send("part.updated", {
      sessionId: "ses_1",
      messageId: "msg_3",
      part: { type: "text", id: "prt_9", text: "Adding " },
    });
    agentEvents.send("part.delta", {
      sessionId: "ses_1",
      messageId: "msg_3",
      partId: "prt_9",
      field: "text",
      delta: "a menu",
    });
    expect(await within(log).findByText("Adding a menu")).toBeInTheDocument();

    await user.type(screen.getByRole("textbox", { name: "Message the agent" }), "Add a contact page");
    await user.click(screen.getByRole("button", { name: "Send" }));
    await expect
      .poll(() => posted)
      .toContainEqual({
        url: "/api/v1/projects/p1/agent/sessions/ses_1/prompt",
        body: { text: "Add a contact page" },
      });
    expect(screen.getByRole("textbox", { name: "Message the agent" })).toHaveValue("");
  });

  it("while the agent works: shows the queue, stops the run, and answers a permission request", async () => {
    const busy = agentSession({
      status: { type: "busy" },
      queue: [
        {
          id: "q0",
          sessionId: "ses_1",
          text: "Running one",
          status: "sent",
          error: null,
          createdAt: "2026-12-01T20:00:00.000Z",
          sentAt: null,
          finishedAt: null,
        },
        {
          id: "q1",
          sessionId: "ses_1",
          text: "Make it blue",
          status: "queued",
          error: null,
          createdAt: "2026-12-01T20:00:00.000Z",
          sentAt: null,
          finishedAt: null,
        },
      ],
    });
    const { agentEvents, posted } = serve(
      configured({
        agent: { configured: true, state: "working", sessionId: "ses_1", lastEventAt: null, message: null },
      }),
      {
        sessions: [busy],
      },
    );
    server.use(
      http.get("/api/v1/projects/p1/agent/permissions", () =>
        HttpResponse.json({
          permissions: [
            {
              id: "per_1",
              sessionId: "ses_1",
              permission: "external_directory",
              patterns: ["/etc/*"],
              callId: "c",
              messageId: "m",
            },
          ],
        }),
      ),
    );
    const { user } = renderApp("/projects/p1");
    const queue = await screen.findByRole("region", { name: "Queued prompts" });
    expect(within(queue).getByText("Make it blue")).toBeInTheDocument();
    expect(within(queue).queryByText("Running one")).toBeNull();
    expect(screen.getByRole("button", { name: "Queue" })).toBeInTheDocument();

    agentEvents.send("permission.asked", {});
    const ask = await screen.findByText(/The agent asks for/);
    expect(ask).toHaveTextContent("external directory");
    await user.click(screen.getByRole("button", { name: "Allow once" }));
    await expect
      .poll(() => posted)
      .toContainEqual({ url: "/api/v1/projects/p1/agent/permissions/per_1", body: { reply: "once" } });

    await user.click(screen.getByRole("button", { name: "Stop the agent" }));
    await expect.poll(() => posted.map((p) => p.url)).toContain("/api/v1/projects/p1/agent/sessions/ses_1/abort");
  });

  it("undoes the agent's changes from a message on", async () => {
    const { posted } = serve(configured());
    const { user } = renderApp("/projects/p1");
    await user.click(await screen.findByRole("button", { name: "Undo changes from here" }));
    await expect
      .poll(() => posted)
      .toContainEqual({
        url: "/api/v1/projects/p1/agent/sessions/ses_1/revert",
        body: { messageId: "msg_1" },
      });
  });

  it("shows the agent's error with the provider's answer", async () => {
    serve(
      configured({
        agent: {
          configured: true,
          state: "error",
          sessionId: "ses_1",
          lastEventAt: null,
          message: "401: Incorrect API key provided",
        },
      }),
    );
    renderApp("/projects/p1");
    const panel = await screen.findByRole("region", { name: "Agent" });
    expect(await within(panel).findByRole("alert")).toHaveTextContent("401: Incorrect API key provided");
  });
});

describe("agent settings page", () => {
  it("saves the model settings without ever showing the stored key, and shows the server's refusal", async () => {
    const puts: unknown[] = [];
    server.use(
      http.get("/api/v1/me/agent-settings", () => HttpResponse.json(agentSettings())),
      http.put("/api/v1/me/agent-settings", async ({ request }) => {
        const body = await request.json();
        puts.push(body);
        if ((body as { model: string }).model === "bad")
          return HttpResponse.json(apiError("VALIDATION_FAILED", "Invalid request: body.model: nope"), { status: 400 });
        return HttpResponse.json(agentSettings({ model: (body as { model: string }).model }));
      }),
    );
    const { user } = renderApp("/settings/agent");
    const key = await screen.findByLabelText("API key");
    expect(key).toHaveValue("");
    expect(key).toHaveAttribute("placeholder", expect.stringContaining("1234"));
    const model = screen.getByRole("textbox", { name: "Model" });
    await user.clear(model);
    await user.type(model, "bad");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("body.model: nope");
    await user.clear(model);
    await user.type(model, "qwen-2");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText(/Saved\. Agents using these settings restart/)).toBeInTheDocument();
    // The stored key is kept: no apiKey is sent when the field is left empty.
    expect(puts.at(-1)).toEqual({
      provider: "openai-compatible",
      baseUrl: "http://llm.internal:8000/v1",
      model: "qwen-2",
    });
  });
});
