// One agent session's conversation, read-only and live: the task page shows the session its
// task ran in (issue #14) the way the chat panel shows a chat.
import { useQuery } from "@tanstack/react-query";
import { ErrorMessage } from "../../../components/error-message";
import { Loading } from "../../../components/spinner";
import { useAgentEvents } from "../api/agent-events";
import { agentMessagesQuery } from "../api/agent-sessions";
import { AgentMessages } from "./agent-messages";

export function AgentTranscript({ projectId, sessionId }: { projectId: string; sessionId: string }) {
  const messages = useQuery({ ...agentMessagesQuery(projectId, sessionId), retry: false });
  // The stream only once the agent answered: a stopped agent has none to follow.
  useAgentEvents(messages.isSuccess ? projectId : null);
  if (messages.isPending) return <Loading label="Loading the transcript…" />;
  if (messages.isError) {
    return <ErrorMessage error={messages.error} title="The agent's transcript is not available right now." />;
  }
  return (
    <div className="chat-log" role="log" aria-label="The agent's transcript">
      <AgentMessages messages={messages.data} revertedFrom={null} busy={false} />
    </div>
  );
}
