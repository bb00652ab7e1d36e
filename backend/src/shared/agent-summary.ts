// What the projects API shows of a project's agent (`project.agent`, `project.setup`): shared
// by the projects module (its DTO) and the agent module (its messages), which stay apart.
import { z } from "zod";
import { AGENT_STATES, type AgentStateRecord, SETUP_PHASES, type SetupPhase } from "../ports/agent.port.js";

export const NOT_CONFIGURED =
  "The agent has no model settings yet: set them in the console (Agent settings) or with PUT /api/v1/me/agent-settings";

export const AgentSummary = z
  .object({
    configured: z.boolean(),
    state: z.enum(AGENT_STATES),
    sessionId: z.string().nullable(),
    lastEventAt: z.iso.datetime().nullable(),
    message: z.string().nullable(),
  })
  .meta({ id: "AgentSummary" });

export const Setup = z
  .object({ phase: z.enum(SETUP_PHASES), message: z.string().nullable() })
  .meta({ id: "ProjectSetup" });

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The project's agent as the project API shows it (`project.agent`, `project.setup`). */
export function agentSummary(
  state: AgentStateRecord | null,
  opts: { configured: boolean; hasPrompt: boolean; running: boolean },
) {
  // A project with a prompt is ready once its first turn is; one without, once it runs.
  const phase: SetupPhase = opts.hasPrompt
    ? state && state.setup !== "containers"
      ? state.setup
      : "containers"
    : opts.running
      ? "ready"
      : "containers";
  const waitingForSettings = opts.hasPrompt && !opts.configured && phase === "containers";
  return {
    agent: {
      configured: opts.configured,
      state: state?.state ?? "idle",
      sessionId: state?.sessionId ?? null,
      lastEventAt: iso(state?.lastEventAt ?? null),
      message: opts.configured ? (state?.message ?? null) : NOT_CONFIGURED,
    },
    setup: {
      phase,
      message: phase === "agent_failed" ? (state?.setupMessage ?? null) : waitingForSettings ? NOT_CONFIGURED : null,
    },
  };
}
