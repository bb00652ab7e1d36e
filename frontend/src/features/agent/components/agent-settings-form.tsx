import { useId, useState } from "react";
import type { AgentProvider, AgentSettings } from "../../../api/types";
import { ErrorMessage } from "../../../components/error-message";
import type { SettingsInput } from "../api/agent-settings";

const PROVIDERS: Array<{ value: AgentProvider; label: string }> = [
  { value: "openai-compatible", label: "OpenAI-compatible endpoint" },
  { value: "openrouter", label: "OpenRouter" },
  { value: "anthropic", label: "Anthropic" },
  { value: "openai", label: "OpenAI" },
];

/** The model an agent uses. The stored key is never shown: leave it empty to keep it. */
export function AgentSettingsForm(props: {
  value: AgentSettings | null;
  onSave: (input: SettingsInput) => void;
  onClear?: () => void;
  clearLabel?: string;
  pending: boolean;
  error: unknown;
  saved?: boolean;
}) {
  const id = useId();
  const v = props.value;
  const [provider, setProvider] = useState<AgentProvider>(v?.provider ?? "openai-compatible");
  const [baseUrl, setBaseUrl] = useState(v?.baseUrl ?? "");
  const [model, setModel] = useState(v?.model ?? "");
  const [apiKey, setApiKey] = useState("");
  const needsUrl = provider === "openai-compatible";

  return (
    <form
      className="form agent-settings-form"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSave({
          provider,
          model: model.trim(),
          ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}),
          ...(apiKey ? { apiKey } : {}),
        });
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-provider`}>Provider</label>
        <select id={`${id}-provider`} value={provider} onChange={(e) => setProvider(e.target.value as AgentProvider)}>
          {PROVIDERS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-url`}>API base URL{needsUrl ? "" : " (optional)"}</label>
        <input
          id={`${id}-url`}
          type="url"
          inputMode="url"
          placeholder="http://llm.internal:8000/v1"
          required={needsUrl}
          value={baseUrl}
          onChange={(e) => setBaseUrl(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-model`}>Model</label>
        <input
          id={`${id}-model`}
          required
          placeholder="e.g. qwen2.5-coder-32b"
          value={model}
          onChange={(e) => setModel(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-key`}>API key</label>
        <input
          id={`${id}-key`}
          type="password"
          autoComplete="off"
          required={!v}
          placeholder={v ? `stored, ends in ${v.apiKeyLast4}: leave empty to keep it` : ""}
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
        />
      </div>
      <p className="muted small">The key is stored encrypted and only ever given to your projects' agents.</p>
      <ErrorMessage error={props.error} title="The settings were not saved." />
      {props.saved ? (
        <p className="muted" role="status">
          Saved. Agents using these settings restart with them; their files and sessions stay.
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={props.pending}>
          {props.pending ? "Saving…" : "Save"}
        </button>
        {props.onClear && v ? (
          <button type="button" className="button" disabled={props.pending} onClick={props.onClear}>
            {props.clearLabel ?? "Remove"}
          </button>
        ) : null}
      </div>
    </form>
  );
}
