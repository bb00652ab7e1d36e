// A project's OpenCode server (1.x, @opencode-ai/sdk/v2 pinned to the server's version), reached
// only at the endpoint the reconciler recorded and only through ALLOWED paths, with the
// project's password. Nothing else of OpenCode's API (shell, pty, config, files) is reachable
// from here, whatever a caller asks for.
import { randomBytes } from "node:crypto";
import { createOpencodeClient } from "@opencode-ai/sdk/v2/client";
import type { AgentServer, AgentServerConnector, AgentServerEvent, PermissionReply } from "../../ports/agent.port.js";
import { conflict, DomainError, notFound } from "../../shared/errors.js";
import { toEvent, toMessageInfo, toPart, toPermission, toSession, toStatus } from "./opencode-mapping.js";

const ID = "[A-Za-z0-9_]+";
/** Every method + path the control plane may call; a request outside it never leaves the process. */
export const ALLOWED: ReadonlyArray<readonly [string, RegExp]> = [
  ["GET", /^\/global\/health$/],
  ["GET", /^\/event$/],
  ["GET", /^\/session$/],
  ["POST", /^\/session$/],
  ["GET", /^\/session\/status$/],
  ["GET", new RegExp(`^/session/${ID}$`)],
  ["GET", new RegExp(`^/session/${ID}/message$`)],
  ["GET", new RegExp(`^/session/${ID}/message/${ID}$`)],
  ["POST", new RegExp(`^/session/${ID}/prompt_async$`)],
  ["POST", new RegExp(`^/session/${ID}/abort$`)],
  ["POST", new RegExp(`^/session/${ID}/revert$`)],
  ["GET", /^\/permission$/],
  ["POST", new RegExp(`^/permission/${ID}/reply$`)],
];

export const isAllowed = (method: string, pathname: string) =>
  ALLOWED.some(([m, p]) => m === method && p.test(pathname));

const unreachable = (cause: unknown) =>
  new DomainError(
    "unavailable",
    "AGENT_UNAVAILABLE",
    `The project's agent does not answer (${cause instanceof Error ? cause.message : String(cause)}); it may be restarting: try again in a moment`,
  );

export interface OpencodeConnectorOptions {
  /** The project's OpenCode password (#10 moves where it comes from; callers never see it). */
  passwordFor: (projectId: string) => Promise<string>;
  /** How the OpenCode service's endpoint is reached (the ServiceConnector's fetch). */
  fetch: (url: string | URL, init: RequestInit) => Promise<Response>;
  /** The project directory inside the container: sessions and events are scoped to it. */
  directory?: string;
  requestTimeoutMs?: number;
}

// OpenCode's ascending ids: "msg_" + 6 bytes of (ms * 0x1000 + counter) in hex + 14 base62
// characters. It orders a session's messages by id, so ours must sort after the ones before it.
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
let lastMs = 0;
let counter = 0;
export function ascendingMessageId(now = Date.now()): string {
  if (now !== lastMs) {
    lastMs = now;
    counter = 0;
  }
  counter++;
  const n = (BigInt(now) * 0x1000n + BigInt(counter)) & 0xffffffffffffn;
  const random = Array.from(randomBytes(14), (b) => BASE62[b % 62]).join("");
  return `msg_${n.toString(16).padStart(12, "0")}${random}`;
}

export function opencodeConnector(opts: OpencodeConnectorOptions): AgentServerConnector {
  return {
    connect: (projectId, endpoint, scope) =>
      opencodeAgentServer(scope?.directory ? { ...opts, directory: scope.directory } : opts, projectId, endpoint),
    newMessageId: () => ascendingMessageId(),
  };
}

function opencodeAgentServer(opts: OpencodeConnectorOptions, projectId: string, endpoint: string): AgentServer {
  const directory = opts.directory ?? "/app";
  const timeoutMs = opts.requestTimeoutMs ?? 10_000;
  {
    const base = new URL(endpoint);
    // The SDK builds the request; this fetch decides whether it may leave, and signs it.
    const guarded = async (input: Request, signal?: AbortSignal): Promise<Response> => {
      const url = new URL(input.url);
      if (url.origin !== base.origin || !isAllowed(input.method, url.pathname)) {
        throw new Error(`OpenCode request not allowed: ${input.method} ${url.pathname}`);
      }
      const password = await opts.passwordFor(projectId);
      const headers = new Headers(input.headers);
      headers.set("authorization", `Basic ${Buffer.from(`opencode:${password}`).toString("base64")}`);
      const body = input.body ? await input.arrayBuffer() : undefined;
      try {
        return await opts.fetch(url, {
          method: input.method,
          headers,
          ...(body ? { body } : {}),
          signal: signal ?? AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        if (signal?.aborted) throw err;
        throw unreachable(err);
      }
    };
    const client = createOpencodeClient({
      baseUrl: base.origin,
      fetch: (r) => guarded(r instanceof Request ? r : new Request(r)),
      directory,
    });

    /** The SDK answers { data, error, response }: data on 2xx, otherwise a domain error. */
    const unwrap = async <T>(call: Promise<{ data?: T; error?: unknown; response?: Response }>): Promise<T> => {
      const { data, error, response } = await call;
      // No response: the fetch itself failed (the SDK hands back what our fetch threw).
      if (!response) throw error instanceof DomainError ? error : unreachable(error);
      if (response.ok) return data as T;
      const detail = JSON.stringify(error ?? {}).slice(0, 300);
      if (response.status === 404)
        throw notFound("AGENT_NOT_FOUND", `The agent has no such session, message or request`);
      if (response.status === 409)
        throw conflict("AGENT_BUSY", "The session is busy; wait until it is idle or abort it");
      throw new DomainError("unavailable", "AGENT_ERROR", `The agent answered ${response.status}: ${detail}`);
    };

    return {
      async listSessions() {
        const list = await unwrap(client.session.list({ directory }));
        return list.filter((s) => !s.parentID).map(toSession);
      },
      async createSession({ directory: dir, key }) {
        const created = await unwrap(
          client.session.create({ directory: dir ?? directory, ...(key ? { metadata: { devsanctumKey: key } } : {}) }),
        );
        return toSession(created);
      },
      async findSessionByKey(key) {
        const list = await unwrap(client.session.list({ directory }));
        const found = list.find(
          (s) => (s as { metadata?: { devsanctumKey?: string } }).metadata?.devsanctumKey === key,
        );
        return found ? toSession(found) : null;
      },
      async getSession(sessionId) {
        try {
          return toSession(await unwrap(client.session.get({ sessionID: sessionId, directory })));
        } catch (err) {
          if (err instanceof DomainError && err.kind === "not_found") return null;
          throw err;
        }
      },
      async statuses() {
        const map = await unwrap(client.session.status({ directory }));
        return Object.fromEntries(Object.entries(map ?? {}).map(([id, s]) => [id, toStatus(s)]));
      },
      async messages(sessionId) {
        const list = await unwrap(client.session.messages({ sessionID: sessionId, directory }));
        return list.map((m) => ({
          ...toMessageInfo(m.info),
          parts: m.parts.map(toPart).filter((p) => p !== null),
        }));
      },
      async hasMessage(sessionId, messageId) {
        try {
          await unwrap(client.session.message({ sessionID: sessionId, messageID: messageId, directory }));
          return true;
        } catch (err) {
          if (err instanceof DomainError && err.kind === "not_found") return false;
          throw err;
        }
      },
      async prompt(sessionId, { messageId, text }) {
        await unwrap(
          client.session.promptAsync({
            sessionID: sessionId,
            directory,
            messageID: messageId,
            parts: [{ type: "text", text }],
          }),
        );
      },
      async abort(sessionId) {
        await unwrap(client.session.abort({ sessionID: sessionId, directory }));
      },
      async revert(sessionId, messageId) {
        await unwrap(client.session.revert({ sessionID: sessionId, messageID: messageId, directory }));
      },
      async permissions() {
        return (await unwrap(client.permission.list({ directory }))).map(toPermission);
      },
      async replyPermission(permissionId, reply: PermissionReply) {
        try {
          return Boolean(await unwrap(client.permission.reply({ requestID: permissionId, reply, directory })));
        } catch (err) {
          if (err instanceof DomainError && err.kind === "not_found") return false;
          throw err;
        }
      },
      async *events(signal): AsyncIterable<AgentServerEvent> {
        const url = new URL("/event", base);
        url.searchParams.set("directory", directory);
        const res = await guarded(new Request(url, { headers: { accept: "text/event-stream" } }), signal);
        if (!res.ok || !res.body)
          throw new DomainError("unavailable", "AGENT_ERROR", `OpenCode /event answered ${res.status}`);
        yield* parseSse(res.body, signal);
      },
    };
  }
}

/** Server-Sent Events → parsed JSON data payloads mapped to domain events; comments are liveness. */
export async function* parseSse(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): AsyncIterable<AgentServerEvent> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  const stop = () => void reader.cancel().catch(() => {});
  signal.addEventListener("abort", stop, { once: true });
  let buffer = "";
  try {
    while (!signal.aborted) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        const data = block
          .split("\n")
          .filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).trimStart())
          .join("\n");
        if (!data) {
          yield { type: "alive" };
          continue;
        }
        let json: unknown;
        try {
          json = JSON.parse(data);
        } catch {
          continue;
        }
        // An event we do not relay still proves the stream is alive.
        yield toEvent(json) ?? { type: "alive" };
      }
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    signal.removeEventListener("abort", stop);
    stop();
  }
}
