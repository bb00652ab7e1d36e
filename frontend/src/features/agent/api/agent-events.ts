// The agent's live stream feeds the query cache: streamed text, tool calls as they run,
// statuses, permission requests and the queue, without polling. `resync` (events missed
// beyond the server's buffer) refetches everything.
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { queryKeys } from "../../../api/query-keys";
import type { AgentMessage, AgentPart, AgentSession } from "../../../api/types";
import { type StreamState, useEventStream } from "../../../lib/use-event-stream";

type Info = Omit<AgentMessage, "parts">;

function updateMessages(qc: QueryClient, id: string, sid: string, fn: (list: AgentMessage[]) => AgentMessage[]) {
  qc.setQueryData<AgentMessage[]>(queryKeys.agentMessages(id, sid), (list) => (list ? fn(list) : list));
}

function upsertPart(list: AgentMessage[], messageId: string, part: AgentPart): AgentMessage[] {
  return list.map((m) => {
    if (m.id !== messageId) return m;
    const i = m.parts.findIndex((p) => p.id === part.id);
    const parts = i < 0 ? [...m.parts, part] : m.parts.map((p, j) => (j === i ? part : p));
    return { ...m, parts };
  });
}

export function useAgentEvents(id: string | null): StreamState {
  const qc = useQueryClient();
  const handlers = useMemo(() => {
    const json = (d: string) => JSON.parse(d);
    const refreshSessions = () => void qc.invalidateQueries({ queryKey: queryKeys.agentSessions(id ?? "") });
    return {
      "message.updated": (d: string) => {
        const { message } = json(d) as { message: Info };
        updateMessages(qc, id ?? "", message.sessionId, (list) =>
          list.some((m) => m.id === message.id)
            ? list.map((m) => (m.id === message.id ? { ...m, ...message } : m))
            : [...list, { ...message, parts: [] }],
        );
      },
      "message.removed": (d: string) => {
        const e = json(d) as { sessionId: string; messageId: string };
        updateMessages(qc, id ?? "", e.sessionId, (list) => list.filter((m) => m.id !== e.messageId));
      },
      "part.updated": (d: string) => {
        const e = json(d) as { sessionId: string; messageId: string; part: AgentPart };
        updateMessages(qc, id ?? "", e.sessionId, (list) => upsertPart(list, e.messageId, e.part));
      },
      "part.delta": (d: string) => {
        const e = json(d) as { sessionId: string; messageId: string; partId: string; field: string; delta: string };
        if (e.field !== "text") return;
        updateMessages(qc, id ?? "", e.sessionId, (list) =>
          list.map((m) =>
            m.id !== e.messageId
              ? m
              : {
                  ...m,
                  parts: m.parts.map((p) =>
                    p.id === e.partId && (p.type === "text" || p.type === "reasoning")
                      ? { ...p, text: p.text + e.delta }
                      : p,
                  ),
                },
          ),
        );
      },
      "session.status": (d: string) => {
        const e = json(d) as { sessionId: string; status: AgentSession["status"] };
        qc.setQueryData<AgentSession[]>(queryKeys.agentSessions(id ?? ""), (list) =>
          list?.map((s) => (s.id === e.sessionId ? { ...s, status: e.status } : s)),
        );
      },
      "session.updated": refreshSessions,
      "agent.queue": refreshSessions,
      "agent.state": () => void qc.invalidateQueries({ queryKey: queryKeys.project(id ?? ""), exact: true }),
      "permission.asked": () => void qc.invalidateQueries({ queryKey: queryKeys.agentPermissions(id ?? "") }),
      "permission.replied": () => void qc.invalidateQueries({ queryKey: queryKeys.agentPermissions(id ?? "") }),
      resync: () => void qc.invalidateQueries({ queryKey: queryKeys.agent(id ?? "") }),
    };
  }, [qc, id]);
  // EventSource resumes with Last-Event-ID by itself after a drop; `resync` covers a longer gap.
  return useEventStream(id ? `/api/v1/projects/${encodeURIComponent(id)}/agent/events` : null, handlers);
}
