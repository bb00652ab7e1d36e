// Settings on a real secret box and an in-memory store: the key is sealed for its owner, and a
// sealed value copied into another owner's row does not open there (AAD = the owner).
import { describe, expect, it } from "vitest";
import type { AgentSettingsStore, SealedSettings, SettingsOwner } from "../../ports/agent.port.js";
import type { Principal } from "../../ports/auth.port.js";
import { secretBox } from "../../shared/secret-box.js";
import { agentSettingsServiceFactory } from "./agent-settings.service.js";

function memoryStore(): AgentSettingsStore & { rows: Map<string, SealedSettings> } {
  const rows = new Map<string, SealedSettings>();
  const key = (o: SettingsOwner) => ("userId" in o ? `u:${o.userId}` : `p:${o.projectId}`);
  return {
    rows,
    get: async (o) => rows.get(key(o)) ?? null,
    put: async (o, s) => {
      const row = { ...s, updatedAt: new Date() };
      rows.set(key(o), row);
      return row;
    },
    clear: async (o) => void rows.delete(key(o)),
    projectsFollowing: async () => [],
  };
}

const principal = (userId: string): Principal => ({ userId, role: "member", scopes: "all", via: "session" });

function setup() {
  const store = memoryStore();
  const woken: string[] = [];
  const service = agentSettingsServiceFactory({
    settings: store,
    box: secretBox(new Uint8Array(32).fill(3)),
    ownerOf: async (projectId) => ({ pa: "alice", pb: "bob" })[projectId] ?? null,
    audit: { record: async () => {} },
    wake: (id) => woken.push(id),
  });
  return { store, service, woken };
}

const input = { provider: "openai" as const, model: "gpt-x", apiKey: "sk-alice-secret-9876" };

describe("agent settings", () => {
  it("stores the key sealed and gives it back opened only for the owner's projects", async () => {
    const { store, service } = setup();
    const saved = await service.putMine(principal("alice"), input);
    expect(saved).toMatchObject({ apiKeyLast4: "9876" });
    expect(store.rows.get("u:alice")?.apiKeySealed).not.toContain("sk-alice");
    expect((await service.effective("pa"))?.apiKey).toBe("sk-alice-secret-9876");
    expect(await service.effective("pb")).toBeNull();
  });

  it("does not open a sealed key copied into another owner's row", async () => {
    const { store, service } = setup();
    await service.putMine(principal("alice"), input);
    store.rows.set("u:bob", { ...(store.rows.get("u:alice") as SealedSettings) });
    expect(await service.effective("pb")).toBeNull();
    store.rows.set("p:pb", { ...(store.rows.get("u:alice") as SealedSettings) });
    expect(await service.effective("pb")).toBeNull();
  });

  it("keeps the stored key when none is given, and refuses a first save without one", async () => {
    const { service, woken } = setup();
    await expect(
      service.putForProject(principal("alice"), "pa", { provider: "openai", model: "m" }),
    ).rejects.toMatchObject({
      code: "AGENT_API_KEY_REQUIRED",
    });
    await service.putForProject(principal("alice"), "pa", input);
    await service.putForProject(principal("alice"), "pa", { provider: "openai", model: "gpt-y" });
    expect(await service.effective("pa")).toMatchObject({ model: "gpt-y", apiKey: "sk-alice-secret-9876" });
    expect(woken).toEqual(["pa", "pa"]);
  });
});
