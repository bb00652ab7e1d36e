import type { AgentSettingsStore, ModelSettings, SealedSettings, SettingsOwner } from "../../ports/agent.port.js";
import type { AuditLog } from "../../ports/audit.port.js";
import type { Principal } from "../../ports/auth.port.js";
import { badRequest } from "../../shared/errors.js";
import type { SecretBox } from "../../shared/secret-box.js";

/** A sealed key opens only in its owner's row: copied to another user's or project's, it fails. */
const aad = (owner: SettingsOwner) => ("userId" in owner ? `user:${owner.userId}` : `project:${owner.projectId}`);

export interface SettingsInput {
  provider: ModelSettings["provider"];
  baseUrl?: string | undefined;
  model: string;
  /** Omitted: keep the stored key (the form cannot show it). */
  apiKey?: string | undefined;
}

export const toSettingsDto = (s: SealedSettings) => ({
  provider: s.provider,
  baseUrl: s.baseUrl,
  model: s.model,
  apiKey: "set" as const,
  apiKeyLast4: s.apiKeyLast4,
  updatedAt: s.updatedAt.toISOString(),
});

export interface AgentSettingsServiceDeps {
  settings: AgentSettingsStore;
  box: SecretBox;
  /** The project's owner, for its fallback to the owner's own settings. */
  ownerOf: (projectId: string) => Promise<string | null>;
  audit: AuditLog;
  /** The reconciler re-creates the project's OpenCode container with the new settings. */
  wake: (projectId: string) => void;
}

export function agentSettingsServiceFactory(deps: AgentSettingsServiceDeps) {
  const { settings, box, audit } = deps;

  async function put(principal: Principal, owner: SettingsOwner, input: SettingsInput | null) {
    if (input === null) {
      await settings.clear(owner);
    } else {
      let sealed: string;
      let last4: string;
      if (input.apiKey) {
        sealed = box.seal(input.apiKey, aad(owner));
        last4 = input.apiKey.slice(-4);
      } else {
        const stored = await settings.get(owner);
        if (!stored) throw badRequest("AGENT_API_KEY_REQUIRED", "apiKey is required: no key is stored yet");
        sealed = stored.apiKeySealed;
        last4 = stored.apiKeyLast4;
      }
      await settings.put(owner, {
        provider: input.provider,
        baseUrl: input.baseUrl ?? null,
        model: input.model,
        apiKeySealed: sealed,
        apiKeyLast4: last4,
      });
    }
    const target = "userId" in owner ? `user:${owner.userId}` : owner.projectId;
    await audit.record({
      actorId: principal.userId,
      action: input ? "agent.settings.set" : "agent.settings.clear",
      target,
    });
    const affected = "userId" in owner ? await settings.projectsFollowing(owner.userId) : [owner.projectId];
    for (const id of affected) deps.wake(id);
    return input ? await settings.get(owner) : null;
  }

  // A key that does not open here (sealed for another owner, or under another SECRET_KEY) is
  // no key: the agent runs without a model and the API says to set one.
  const open = (owner: SettingsOwner, s: SealedSettings): ModelSettings | null => {
    try {
      return { provider: s.provider, baseUrl: s.baseUrl, model: s.model, apiKey: box.open(s.apiKeySealed, aad(owner)) };
    } catch {
      return null;
    }
  };

  return {
    getMine: (principal: Principal) => settings.get({ userId: principal.userId }),
    putMine: (principal: Principal, input: SettingsInput | null) => put(principal, { userId: principal.userId }, input),
    /** The caller has checked access to the project. */
    async getForProject(projectId: string, ownerId: string) {
      const override = await settings.get({ projectId });
      const inherited = override ? null : await settings.get({ userId: ownerId });
      return { override, effective: override ?? inherited, source: override ? "project" : inherited ? "user" : null };
    },
    putForProject: (principal: Principal, projectId: string, input: SettingsInput | null) =>
      put(principal, { projectId }, input),
    /** The settings the project's agent runs with, key opened: only for its OpenCode container. */
    async effective(projectId: string): Promise<ModelSettings | null> {
      const override = await settings.get({ projectId });
      if (override) return open({ projectId }, override);
      const ownerId = await deps.ownerOf(projectId);
      const mine = ownerId ? await settings.get({ userId: ownerId }) : null;
      return ownerId && mine ? open({ userId: ownerId }, mine) : null;
    },
  };
}

export type AgentSettingsService = ReturnType<typeof agentSettingsServiceFactory>;
