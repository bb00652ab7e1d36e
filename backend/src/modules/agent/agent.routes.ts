import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf, SECURED } from "../../http/auth-hooks.js";
import { openEventStream } from "../../http/sse.js";
import { ErrorBody, errorResponses } from "../../shared/schemas.js";
import {
  AgentParams,
  Message,
  Permission,
  PermissionParams,
  Prompt,
  PromptBody,
  PromptParams,
  ReplyBody,
  RevertBody,
  Session,
  SessionParams,
} from "./agent.schemas.js";
import type { AgentService } from "./agent.service.js";
import { toMessageDto, toPromptDto, toSessionDto } from "./agent-dto.js";
import type { AgentEventsHub } from "./agent-events.js";

export interface AgentRoutesOptions {
  agent: AgentService;
  events: AgentEventsHub;
}

const errors = { ...errorResponses, 403: ErrorBody, 409: ErrorBody, 503: ErrorBody };
const tags = ["agent"];

export const agentRoutes: FastifyPluginAsyncZod<AgentRoutesOptions> = async (app, opts) => {
  const { agent, events } = opts;
  const read = app.requireAuth("projects:read");
  const write = app.requireAuth("projects:write");
  const base = "/projects/:id/agent";

  app.get(
    `${base}/sessions`,
    {
      onRequest: read,
      schema: {
        operationId: "listAgentSessions",
        tags,
        summary: "The agent's sessions, newest first, each with its status and queued prompts",
        security: SECURED,
        params: AgentParams,
        response: { 200: z.object({ sessions: z.array(Session) }), ...errors },
      },
    },
    async (req) => ({ sessions: (await agent.sessions(principalOf(req), req.params.id)).map(toSessionDto) }),
  );

  app.post(
    `${base}/sessions`,
    {
      onRequest: write,
      schema: {
        operationId: "createAgentSession",
        tags,
        summary: "Start a new session with the agent",
        security: SECURED,
        params: AgentParams,
        response: { 201: Session, ...errors },
      },
    },
    async (req, reply) => {
      const session = await agent.createSession(principalOf(req), req.params.id);
      return reply.status(201).send(toSessionDto({ session, status: { type: "idle" }, queue: [] }));
    },
  );

  app.get(
    `${base}/sessions/:sid/messages`,
    {
      onRequest: read,
      schema: {
        operationId: "listAgentMessages",
        tags,
        summary: "A session's messages with their parts: text, tool calls (name, input, status, output), files changed",
        security: SECURED,
        params: SessionParams,
        response: { 200: z.object({ messages: z.array(Message) }), ...errors },
      },
    },
    async (req) => ({
      messages: (await agent.messages(principalOf(req), req.params.id, req.params.sid)).map(toMessageDto),
    }),
  );

  app.post(
    `${base}/sessions/:sid/prompt`,
    {
      onRequest: write,
      schema: {
        operationId: "promptAgent",
        tags,
        summary: "Send a prompt: queued, and sent as soon as the session is idle",
        description:
          "A prompt to a busy session waits in its queue (see the session's `queue`), it is never refused. A prompt to a sleeping project wakes it: the call is held while the project starts (up to WAKE_HOLD_MS).",
        security: SECURED,
        params: SessionParams,
        body: PromptBody,
        response: { 202: Prompt, ...errors },
      },
    },
    async (req, reply) => {
      const prompt = await agent.prompt(principalOf(req), req.params.id, req.params.sid, req.body.text);
      return reply.status(202).send(toPromptDto(prompt));
    },
  );

  app.get(
    `${base}/prompts`,
    {
      onRequest: read,
      schema: {
        operationId: "listAgentPrompts",
        tags,
        summary: "Prompts not finished yet (queued, being sent, running), oldest first",
        security: SECURED,
        params: AgentParams,
        response: { 200: z.object({ prompts: z.array(Prompt) }), ...errors },
      },
    },
    async (req) => ({ prompts: (await agent.queue(principalOf(req), req.params.id)).map(toPromptDto) }),
  );

  app.delete(
    `${base}/prompts/:pid`,
    {
      onRequest: write,
      schema: {
        operationId: "cancelAgentPrompt",
        tags,
        summary: "Remove a queued prompt before it is sent",
        security: SECURED,
        params: PromptParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      await agent.cancelPrompt(principalOf(req), req.params.id, req.params.pid);
      return reply.status(204).send(null);
    },
  );

  app.post(
    `${base}/rotate-password`,
    {
      onRequest: write,
      schema: {
        operationId: "rotateAgentPassword",
        tags,
        summary: "Give the project's OpenCode server a new password (its container is replaced)",
        description:
          "The password is random per project, stored sealed and never shown: the edge adds it to " +
          "requests for the OpenCode host. A rotation replaces the OpenCode container; sessions " +
          "survive (they live in the project's state volume).",
        security: SECURED,
        params: AgentParams,
        response: { 202: z.object({ rotatedAt: z.string() }), ...errors },
      },
    },
    async (req, reply) => {
      const rotatedAt = await agent.rotatePassword(principalOf(req), req.params.id);
      return reply.status(202).send({ rotatedAt: rotatedAt.toISOString() });
    },
  );

  app.post(
    `${base}/sessions/:sid/abort`,
    {
      onRequest: write,
      schema: {
        operationId: "abortAgentSession",
        tags,
        summary: "Stop the session's running turn (queued prompts stay queued)",
        security: SECURED,
        params: SessionParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      await agent.abort(principalOf(req), req.params.id, req.params.sid);
      return reply.status(204).send(null);
    },
  );

  app.post(
    `${base}/sessions/:sid/revert`,
    {
      onRequest: write,
      schema: {
        operationId: "revertAgentSession",
        tags,
        summary: "Undo the agent's file changes from this message on",
        security: SECURED,
        params: SessionParams,
        body: RevertBody,
        response: { 200: z.object({ revertedFrom: z.string().nullable() }), ...errors },
      },
    },
    async (req) => {
      const s = await agent.revert(principalOf(req), req.params.id, req.params.sid, req.body.messageId);
      return { revertedFrom: s?.revertedFrom ?? null };
    },
  );

  app.get(
    `${base}/permissions`,
    {
      onRequest: read,
      schema: {
        operationId: "listAgentPermissions",
        tags,
        summary: "Permission requests the agent is waiting on",
        security: SECURED,
        params: AgentParams,
        response: { 200: z.object({ permissions: z.array(Permission) }), ...errors },
      },
    },
    async (req) => ({ permissions: await agent.permissions(principalOf(req), req.params.id) }),
  );

  app.post(
    `${base}/permissions/:pid`,
    {
      onRequest: write,
      schema: {
        operationId: "replyAgentPermission",
        tags,
        summary: "Answer a permission request: once, always (for this pattern) or reject",
        security: SECURED,
        params: PermissionParams,
        body: ReplyBody,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      await agent.reply(principalOf(req), req.params.id, req.params.pid, req.body.reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    `${base}/events`,
    {
      onRequest: read,
      schema: {
        operationId: "streamAgentEvents",
        tags,
        summary: "Server-Sent Events of the project's agent (its directory only), resumable with Last-Event-ID",
        description:
          "Events: session.status, session.updated, session.error, message.updated, message.removed, part.updated, " +
          "part.removed, part.delta, permission.asked, permission.replied, file.edited, agent.state, agent.queue, " +
          "and resync (the events since Last-Event-ID are gone: reload). Heartbeat comments every 15 s.",
        security: SECURED,
        params: AgentParams,
        querystring: z.object({ lastEventId: z.string().max(64).optional() }),
        headers: z.object({ "last-event-id": z.string().max(64).optional() }).passthrough(),
        response: { 200: z.string().describe("text/event-stream"), ...errors },
      },
    },
    async (req, reply) => {
      const principal = principalOf(req);
      const p = await agent.owned(principal, req.params.id);
      await agent.sessions(principal, p.id); // the same 409s as the rest of the agent API
      const lastEventId = req.headers["last-event-id"] ?? req.query.lastEventId;
      const stream = openEventStream(req, reply);
      // Replays what the browser missed (or `resync`), then live events; "ready" once the
      // upstream stream is open, so nothing the browser does after it goes unseen.
      const unsubscribe = events.subscribe(p.id, lastEventId, (e) => stream.send(e.type, e.data, e.id));
      stream.signal.addEventListener("abort", unsubscribe);
      await events.connected(p.id);
      stream.send("ready", {}, events.lastId(p.id)); // a baseline id, so a reconnect resumes from here
    },
  );
};
