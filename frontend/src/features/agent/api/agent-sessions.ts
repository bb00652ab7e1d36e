import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { queryKeys } from "../../../api/query-keys";

const path = (id: string) => ({ params: { path: { id } } });
const sessionPath = (id: string, sid: string) => ({ params: { path: { id, sid } } });

export const agentSessionsQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.agentSessions(id),
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET("/api/v1/projects/{id}/agent/sessions", { ...path(id), signal }))).sessions,
    retry: false,
    // The agent restarts (new settings) or is starting: look again until it answers.
    refetchInterval: (q) => (q.state.error ? 2000 : false),
  });

export const agentMessagesQuery = (id: string, sid: string) =>
  queryOptions({
    queryKey: queryKeys.agentMessages(id, sid),
    queryFn: async ({ signal }) =>
      (
        await unwrap(
          api.GET("/api/v1/projects/{id}/agent/sessions/{sid}/messages", { ...sessionPath(id, sid), signal }),
        )
      ).messages,
  });

export const agentPermissionsQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.agentPermissions(id),
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET("/api/v1/projects/{id}/agent/permissions", { ...path(id), signal }))).permissions,
  });

/** Every agent action refreshes the agent's queries; the event stream keeps them live after. */
function useAgentMutation<T>(id: string, fn: (arg: T) => Promise<unknown>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.agent(id) }),
  });
}

export const useCreateSession = (id: string) =>
  useAgentMutation(id, () => unwrap(api.POST("/api/v1/projects/{id}/agent/sessions", path(id))));

export const usePrompt = (id: string) =>
  useAgentMutation(id, ({ sid, text }: { sid: string; text: string }) =>
    unwrap(api.POST("/api/v1/projects/{id}/agent/sessions/{sid}/prompt", { ...sessionPath(id, sid), body: { text } })),
  );

export const useAbort = (id: string) =>
  useAgentMutation(id, (sid: string) =>
    unwrap(api.POST("/api/v1/projects/{id}/agent/sessions/{sid}/abort", sessionPath(id, sid))),
  );

export const useRevert = (id: string) =>
  useAgentMutation(id, ({ sid, messageId }: { sid: string; messageId: string }) =>
    unwrap(
      api.POST("/api/v1/projects/{id}/agent/sessions/{sid}/revert", { ...sessionPath(id, sid), body: { messageId } }),
    ),
  );

export const useCancelPrompt = (id: string) =>
  useAgentMutation(id, (pid: string) =>
    unwrap(api.DELETE("/api/v1/projects/{id}/agent/prompts/{pid}", { params: { path: { id, pid } } })),
  );

export const useReplyPermission = (id: string) =>
  useAgentMutation(id, ({ pid, reply }: { pid: string; reply: "once" | "always" | "reject" }) =>
    unwrap(
      api.POST("/api/v1/projects/{id}/agent/permissions/{pid}", { params: { path: { id, pid } }, body: { reply } }),
    ),
  );
