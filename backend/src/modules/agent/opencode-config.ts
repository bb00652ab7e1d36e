// Model settings → what the project's OpenCode container gets. Pure. The key travels only as
// the environment variable MODEL_KEY_ENV, which the inline config names as {env:…}, so the
// config text itself (and its fingerprint label) never holds it.
import { createHmac } from "node:crypto";
import type { AgentProvider, ModelSettings } from "../../ports/agent.port.js";

export const MODEL_KEY_ENV = "DEVSANCTUM_MODEL_API_KEY";

// OpenCode bundles these AI SDK providers, so nothing is installed at run time (offline-safe).
const PROVIDERS: Record<AgentProvider, { id: string; npm: string; defaultBaseUrl?: string }> = {
  "openai-compatible": { id: "devsanctum", npm: "@ai-sdk/openai-compatible" },
  openrouter: { id: "openrouter", npm: "@openrouter/ai-sdk-provider" },
  anthropic: { id: "anthropic", npm: "@ai-sdk/anthropic" },
  openai: { id: "openai", npm: "@ai-sdk/openai" },
};

/** OPENCODE_CONFIG_CONTENT for these settings (null: the agent runs without a model). */
export function opencodeConfig(settings: Omit<ModelSettings, "apiKey"> | null): string {
  const base = {
    $schema: "https://opencode.ai/config.json",
    autoupdate: false,
    share: "disabled",
    // The console has no answer box for the agent's questions: a question would hang the turn.
    permission: { question: "deny" },
  };
  if (!settings) return JSON.stringify(base);
  const p = PROVIDERS[settings.provider];
  const model = `${p.id}/${settings.model}`;
  return JSON.stringify({
    ...base,
    model,
    small_model: model,
    enabled_providers: [p.id],
    provider: {
      [p.id]: {
        npm: p.npm,
        name: settings.provider,
        options: {
          apiKey: `{env:${MODEL_KEY_ENV}}`,
          ...(settings.baseUrl ? { baseURL: settings.baseUrl } : {}),
        },
        models: { [settings.model]: { name: settings.model, tool_call: true } },
      },
    },
  });
}

/** The OpenCode container's environment and a fingerprint naming it (a keyed hash: safe as a label). */
export function opencodeEnv(settings: ModelSettings | null, fingerprintKey: Uint8Array) {
  const config = opencodeConfig(settings);
  const env: Record<string, string> = { OPENCODE_CONFIG_CONTENT: config };
  if (settings) env[MODEL_KEY_ENV] = settings.apiKey;
  const fingerprint = createHmac("sha256", fingerprintKey)
    .update(config)
    .update("\0")
    .update(settings?.apiKey ?? "")
    .digest("hex")
    .slice(0, 16);
  return { env, fingerprint };
}
