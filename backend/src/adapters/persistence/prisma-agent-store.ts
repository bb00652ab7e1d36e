import type { AgentPrompt, ProjectAgent } from "../../generated/prisma/client.js";
import type {
  AgentSettingsStore,
  AgentState,
  AgentStateRecord,
  AgentWorkStore,
  PromptRecord,
  PromptStatus,
  SealedSettings,
  SettingsOwner,
  SetupPhase,
} from "../../ports/agent.port.js";
import { OPEN_PROMPT_STATUSES } from "../../ports/agent.port.js";
import type { Db } from "./prisma-client.js";

const whereOwner = (o: SettingsOwner) => ("userId" in o ? { userId: o.userId } : { projectId: o.projectId });

export function prismaAgentSettingsStore(db: Db): AgentSettingsStore {
  const select = { provider: true, baseUrl: true, model: true, apiKeySealed: true, apiKeyLast4: true, updatedAt: true };
  const toSettings = (r: { provider: string } & Omit<SealedSettings, "provider">): SealedSettings => ({
    ...r,
    provider: r.provider as SealedSettings["provider"],
  });
  return {
    async get(owner) {
      const row = await db.agentSettings.findUnique({ where: whereOwner(owner) as never, select });
      return row && toSettings(row);
    },
    async put(owner, settings) {
      const where = whereOwner(owner);
      const row = await db.agentSettings.upsert({
        where: where as never,
        create: { ...where, ...settings },
        update: settings,
        select,
      });
      return toSettings(row);
    },
    async clear(owner) {
      await db.agentSettings.deleteMany({ where: whereOwner(owner) });
    },
    async projectsFollowing(userId) {
      const rows = await db.project.findMany({
        where: { ownerId: userId, status: { not: "deleted" }, agentSettings: { is: null } },
        select: { id: true },
      });
      return rows.map((r) => r.id);
    },
  };
}

const toPrompt = (r: AgentPrompt): PromptRecord => ({ ...r, status: r.status as PromptStatus });
const toState = (r: ProjectAgent): AgentStateRecord => ({
  projectId: r.projectId,
  state: r.state as AgentState,
  sessionId: r.sessionId,
  message: r.message,
  lastEventAt: r.lastEventAt,
  setup: r.setup as SetupPhase,
  setupMessage: r.setupMessage,
  initialPromptId: r.initialPromptId,
});
const OPEN = { in: [...OPEN_PROMPT_STATUSES] };

export function prismaAgentWorkStore(db: Db): AgentWorkStore {
  return {
    async enqueue(p) {
      return toPrompt(await db.agentPrompt.create({ data: p }));
    },
    async enqueueInitial(projectId, text, userId) {
      // The caller holds the project's agent lock; the unique initialPromptId makes a second
      // queueing fail rather than duplicate even without it.
      return db.$transaction(async (tx) => {
        const state = await tx.projectAgent.findUnique({ where: { projectId } });
        if (state?.initialPromptId) return null;
        const prompt = await tx.agentPrompt.create({ data: { projectId, sessionId: null, text, userId } });
        await tx.projectAgent.upsert({
          where: { projectId },
          create: { projectId, initialPromptId: prompt.id, setup: "containers" },
          update: { initialPromptId: prompt.id },
        });
        return toPrompt(prompt);
      });
    },
    async get(id) {
      const r = await db.agentPrompt.findUnique({ where: { id } });
      return r && toPrompt(r);
    },
    async listOpen(projectId) {
      const rows = await db.agentPrompt.findMany({ where: { projectId, status: OPEN }, orderBy: { createdAt: "asc" } });
      return rows.map(toPrompt);
    },
    async update(id, patch, from) {
      const r = await db.agentPrompt.updateMany({ where: { id, status: { in: [...from] } }, data: patch });
      return r.count === 1;
    },
    async projectsWithOpenWork() {
      const [open, initial] = await Promise.all([
        db.agentPrompt.findMany({ where: { status: OPEN }, select: { projectId: true }, distinct: ["projectId"] }),
        db.project.findMany({
          where: {
            prompt: { not: null },
            status: { not: "deleted" },
            OR: [{ agent: { is: null } }, { agent: { is: { initialPromptId: null } } }],
          },
          select: { id: true },
        }),
      ]);
      return [...new Set([...open.map((r) => r.projectId), ...initial.map((r) => r.id)])];
    },
    async state(projectId) {
      const r = await db.projectAgent.findUnique({ where: { projectId } });
      return r && toState(r);
    },
    async setState(projectId, patch) {
      const r = await db.projectAgent.upsert({ where: { projectId }, create: { projectId, ...patch }, update: patch });
      return toState(r);
    },
  };
}
