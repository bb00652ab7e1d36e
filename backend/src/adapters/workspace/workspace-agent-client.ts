// The control plane's end of the files agent's protocol (workspace-agent/workspace-agent.mjs):
// newline-delimited JSON over one bidirectional channel (a `docker exec` attach, or a child
// process in tests), requests matched to answers by id. The agent's error codes become
// domain errors here, so services and routes see one vocabulary.
import { readFileSync } from "node:fs";
import { DomainError, type ErrorKind } from "../../shared/errors.js";

/** The agent's source, sent with `node -e`: the image needs only node and git. */
export const WORKSPACE_AGENT_SOURCE = readFileSync(
  new URL("../../../workspace-agent/workspace-agent.mjs", import.meta.url),
  "utf8",
);

export interface AgentChannel {
  write(line: string): void;
  /** The agent's stdout, line by line; ends when the agent exits. */
  lines: AsyncIterable<string>;
  close(): void;
}

const KIND_OF_CODE: Record<string, ErrorKind> = {
  FILE_NOT_FOUND: "not_found",
  INVALID_PATH: "bad_request",
  PATH_OUTSIDE_PROJECT: "bad_request",
  PATH_RESERVED: "bad_request",
  NOT_A_DIRECTORY: "bad_request",
  IS_A_DIRECTORY: "bad_request",
  NOT_A_FILE: "bad_request",
  FOLDER_NOT_EMPTY: "conflict",
  ALREADY_EXISTS: "conflict",
  PRECONDITION_FAILED: "precondition_failed",
  FILE_TOO_LARGE: "payload_too_large",
  NO_SPACE: "payload_too_large",
};

export function agentError(code: string, message: string, details?: unknown): DomainError {
  const kind = KIND_OF_CODE[code];
  if (kind) return new DomainError(kind, code, message, details);
  // Anything else is ours to fix, not the caller's: a 5xx that names no internals.
  return new DomainError(
    "unavailable",
    "WORKSPACE_FAILED",
    `The project's files could not be reached (${code}: ${message})`,
  );
}

interface Answer {
  id: string;
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string; details?: unknown };
}

export interface AgentClient {
  call<T>(op: string, args: object, opts?: { timeoutMs?: number }): Promise<T>;
  /** Resolves when the channel ended (the agent or its container stopped). */
  closed: Promise<void>;
  close(): void;
}

export function workspaceAgentClient(channel: AgentChannel, opts: { timeoutMs?: number } = {}): AgentClient {
  const pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  let ended = false;
  const prefix = Math.random().toString(36).slice(2, 8);
  const closed = (async () => {
    try {
      for await (const line of channel.lines) {
        if (!line.startsWith("{")) continue;
        let answer: Answer;
        try {
          answer = JSON.parse(line) as Answer;
        } catch {
          continue;
        }
        const waiter = pending.get(answer.id);
        if (!waiter) continue;
        pending.delete(answer.id);
        if (answer.ok) waiter.resolve(answer.result);
        else
          waiter.reject(
            agentError(answer.error?.code ?? "INTERNAL", answer.error?.message ?? "failed", answer.error?.details),
          );
      }
    } catch {
      // The channel broke: the pending calls fail below.
    } finally {
      ended = true;
      const gone = new DomainError(
        "unavailable",
        "WORKSPACE_UNAVAILABLE",
        "The project's workspace stopped; try again",
      );
      for (const w of pending.values()) w.reject(gone);
      pending.clear();
    }
  })();

  return {
    closed,
    close: () => channel.close(),
    call<T>(op: string, args: object, o: { timeoutMs?: number } = {}) {
      if (ended) {
        return Promise.reject(
          new DomainError("unavailable", "WORKSPACE_UNAVAILABLE", "The project's workspace stopped"),
        );
      }
      const id = `${prefix}-${++next}`;
      const timeoutMs = o.timeoutMs ?? opts.timeoutMs ?? 30_000;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(
            new DomainError(
              "unavailable",
              "WORKSPACE_TIMEOUT",
              `The project's workspace did not answer ${op} within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        channel.write(`${JSON.stringify({ ...args, id, op })}\n`);
      });
    },
  };
}
