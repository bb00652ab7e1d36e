import { describe, expect, it } from "vitest";
import { ascendingMessageId, isAllowed, opencodeConnector } from "./opencode-agent-server.js";
import { toEvent } from "./opencode-mapping.js";

describe("the OpenCode connector", () => {
  it("lets only the agent API's own paths through", () => {
    expect(isAllowed("POST", "/session/ses_abc/prompt_async")).toBe(true);
    expect(isAllowed("GET", "/event")).toBe(true);
    expect(isAllowed("POST", "/permission/per_1/reply")).toBe(true);
    for (const [method, path] of [
      ["POST", "/session/ses_abc/shell"],
      ["POST", "/pty"],
      ["GET", "/file/content"],
      ["PATCH", "/config"],
      ["DELETE", "/session/ses_abc"],
      ["GET", "/session/../config"],
      ["GET", "/session/ses_abc/message/msg_1/part"],
      ["POST", "/global/dispose"],
    ] as const) {
      expect(isAllowed(method, path), `${method} ${path}`).toBe(false);
    }
  });

  it("makes message ids in OpenCode's ascending format, each sorting after the one before", () => {
    const ids = Array.from({ length: 50 }, () => ascendingMessageId());
    for (const id of ids) expect(id).toMatch(/^msg_[0-9a-f]{12}[0-9A-Za-z]{14}$/);
    expect([...ids].sort()).toEqual(ids);
    // Same layout as OpenCode's own: 1796194046467 ms, counter 1 → 235821203001 (seen on a 1.18.34 server).
    expect(ascendingMessageId(1796194046467).slice(4, 16)).toBe("235821203001");
  });

  it("relays allow-listed events only, reduced to the fields the console shows", () => {
    expect(toEvent({ type: "pty.created", properties: { info: {} } })).toBeNull();
    expect(toEvent({ type: "server.heartbeat", properties: {} })).toEqual({ type: "alive" });
    expect(
      toEvent({
        type: "message.part.updated",
        properties: {
          part: {
            id: "prt_1",
            sessionID: "ses_1",
            messageID: "msg_1",
            type: "tool",
            callID: "call_1",
            tool: "write",
            state: {
              status: "completed",
              input: { filePath: "/app/a" },
              output: "ok",
              title: "a",
              metadata: { secret: 1 },
              time: { start: 1, end: 2 },
            },
          },
          time: 1,
        },
      }),
    ).toEqual({
      type: "part.updated",
      sessionId: "ses_1",
      messageId: "msg_1",
      part: {
        type: "tool",
        id: "prt_1",
        callId: "call_1",
        tool: "write",
        status: "completed",
        title: "a",
        input: { filePath: "/app/a" },
        output: "ok",
        error: null,
      },
    });
    expect(
      toEvent({
        type: "session.error",
        properties: { sessionID: "ses_1", error: { name: "APIError", data: { message: "nope", statusCode: 401 } } },
      }),
    ).toEqual({
      type: "session.error",
      sessionId: "ses_1",
      message: "401: nope",
    });
  });
});

describe("regression: an agent that does not answer was a 500", () => {
  // The SDK hands a failed fetch back as { error, response: undefined }; reading response.ok
  // threw a TypeError, and the console showed "Internal server error" while OpenCode restarted.
  it("is a 503 AGENT_UNAVAILABLE that says to try again", async () => {
    const server = opencodeConnector({
      passwordFor: async () => "pw",
      fetch: (url, init) => fetch(url, init),
      requestTimeoutMs: 2000,
    }).connect(
      "p1",
      "http://127.0.0.1:9", // discard port: nothing listens
    );
    await expect(server.listSessions()).rejects.toMatchObject({ kind: "unavailable", code: "AGENT_UNAVAILABLE" });
    await expect(server.statuses()).rejects.toMatchObject({ code: "AGENT_UNAVAILABLE" });
  });
});
