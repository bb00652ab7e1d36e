import { describe, expect, it } from "vitest";
import { MODEL_KEY_ENV, opencodeConfig, opencodeEnv } from "./opencode-config.js";

const key = new Uint8Array(32).fill(7);
const settings = {
  provider: "openai-compatible" as const,
  baseUrl: "http://llm:8000/v1",
  model: "qwen",
  apiKey: "sk-secret-1234",
};

describe("OpenCode's configuration from model settings", () => {
  it("names the key only as {env:…}: the config text (and its label) never holds it", () => {
    const { env, fingerprint } = opencodeEnv(settings, key);
    expect(env[MODEL_KEY_ENV]).toBe("sk-secret-1234");
    expect(env.OPENCODE_CONFIG_CONTENT).not.toContain("sk-secret-1234");
    expect(fingerprint).not.toContain("sk-secret");
    const config = JSON.parse(env.OPENCODE_CONFIG_CONTENT as string);
    expect(config).toMatchObject({
      model: "devsanctum/qwen",
      enabled_providers: ["devsanctum"],
      provider: {
        devsanctum: {
          npm: "@ai-sdk/openai-compatible",
          options: { apiKey: `{env:${MODEL_KEY_ENV}}`, baseURL: "http://llm:8000/v1" },
          models: { qwen: { tool_call: true } },
        },
      },
      share: "disabled",
      autoupdate: false,
    });
  });

  it("changes its fingerprint when the key, the model or the endpoint changes, and only then", () => {
    const a = opencodeEnv(settings, key).fingerprint;
    expect(opencodeEnv(settings, key).fingerprint).toBe(a);
    expect(opencodeEnv({ ...settings, apiKey: "sk-other" }, key).fingerprint).not.toBe(a);
    expect(opencodeEnv({ ...settings, model: "llama" }, key).fingerprint).not.toBe(a);
    expect(opencodeEnv({ ...settings, baseUrl: "http://llm:9000/v1" }, key).fingerprint).not.toBe(a);
    expect(opencodeEnv(null, key).fingerprint).not.toBe(a);
  });

  it("maps each provider to the AI SDK package OpenCode bundles", () => {
    const npm = (provider: "openrouter" | "anthropic" | "openai") =>
      Object.values(
        JSON.parse(opencodeConfig({ provider, baseUrl: null, model: "m" })).provider as Record<string, { npm: string }>,
      )[0]?.npm;
    expect(npm("openrouter")).toBe("@openrouter/ai-sdk-provider");
    expect(npm("anthropic")).toBe("@ai-sdk/anthropic");
    expect(npm("openai")).toBe("@ai-sdk/openai");
    expect(JSON.parse(opencodeConfig(null))).not.toHaveProperty("provider");
  });
});
