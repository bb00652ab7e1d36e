import { useId, useState } from "react";
import { isApiError } from "../../../api/errors";
import type { Template, TemplateServices } from "../../../api/types";
import { ErrorMessage } from "../../../components/error-message";
import { SERVICE_KINDS } from "../../../lib/vocabulary";
import { useSaveTemplate } from "../api/save-template";

const EXAMPLE: TemplateServices = {
  preview: {
    image: "devsanctum/node:20",
    command: ["node", "server.js"],
    workdir: "/app",
    port: 5173,
    env: {},
    healthCheck: { path: "/", intervalMs: 500, timeoutMs: 2000, retries: 60 },
    limits: { memoryMb: 512, cpus: 1, pids: 256 },
    restart: { maxRetries: 3 },
  },
};

/** Parses the services JSON, reporting where it breaks. */
function parseServices(text: string): { value: TemplateServices } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `Services is not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { error: "Services must be an object with preview, opencode and/or production." };
  }
  const known: readonly string[] = SERVICE_KINDS;
  const unknown = Object.keys(value).filter((k) => !known.includes(k));
  if (unknown.length)
    return { error: `Unknown service kind: ${unknown.join(", ")} (use ${SERVICE_KINDS.join(", ")}).` };
  return { value: value as TemplateServices };
}

export function TemplateForm({ template, onDone }: { template: Template | null; onDone: () => void }) {
  const [slug, setSlug] = useState(template?.slug ?? "");
  const [name, setName] = useState(template?.name ?? "");
  const [description, setDescription] = useState(template?.description ?? "");
  const [services, setServices] = useState(JSON.stringify(template?.services ?? EXAMPLE, null, 2));
  const [prewarm, setPrewarm] = useState(String(template?.prewarm ?? 0));
  const save = useSaveTemplate(template?.id ?? null);
  const parsed = parseServices(services);
  const jsonError = "error" in parsed ? parsed.error : null;
  const fields = isApiError(save.error) ? save.error.fields : [];
  const fieldError = (key: string) =>
    fields
      .filter((f) => f.path === key || f.path.startsWith(`${key}.`) || f.path.startsWith(`body.${key}`))
      .map((f) => (f.path === key ? f.message : `${f.path}: ${f.message}`))
      .join("; ") || null;
  const id = useId();

  return (
    <form
      className="form card"
      aria-label={template ? `Edit ${template.name}` : "New template"}
      onSubmit={(e) => {
        e.preventDefault();
        if ("error" in parsed) return;
        save.mutate(
          { slug, name, description, services: parsed.value, prewarm: Number(prewarm) },
          { onSuccess: onDone },
        );
      }}
    >
      <h2>{template ? `Edit ${template.name}` : "New template"}</h2>
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-slug`}>Slug</label>
          <input id={`${id}-slug`} value={slug} onChange={(e) => setSlug(e.target.value)} required />
          {fieldError("slug") ? <p className="field-error">{fieldError("slug")}</p> : null}
        </div>
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} required />
          {fieldError("name") ? <p className="field-error">{fieldError("name")}</p> : null}
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-desc`}>Description</label>
        <input id={`${id}-desc`} value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-prewarm`}>Warm pool</label>
        <input
          id={`${id}-prewarm`}
          type="number"
          min={0}
          max={20}
          step={1}
          value={prewarm}
          aria-describedby={`${id}-prewarm-help`}
          onChange={(e) => setPrewarm(e.target.value)}
        />
        <p className="muted" id={`${id}-prewarm-help`}>
          Projects kept created and running, so that a new project of this template starts at once (0: none; the
          server's POOL_MEMORY_MB bounds it).
        </p>
        {fieldError("prewarm") ? <p className="field-error">{fieldError("prewarm")}</p> : null}
      </div>
      <div className="field">
        <label htmlFor={`${id}-services`}>Services (JSON)</label>
        <textarea
          id={`${id}-services`}
          className="code-editor"
          rows={16}
          spellCheck={false}
          value={services}
          aria-invalid={jsonError || fieldError("services") ? true : undefined}
          aria-describedby={`${id}-services-error`}
          onChange={(e) => setServices(e.target.value)}
        />
        <p className="field-error" id={`${id}-services-error`} aria-live="polite">
          {jsonError ?? fieldError("services")}
        </p>
      </div>
      <ErrorMessage error={save.error} title="The template was not saved." />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={!!jsonError || save.isPending}>
          {save.isPending ? "Saving…" : template ? "Save changes" : "Create template"}
        </button>
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
