import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { Link, useNavigate } from "react-router";
import { isApiError } from "../../../api/errors";
import type { Template } from "../../../api/types";
import { ErrorMessage } from "../../../components/error-message";
import { NAME_MAX, slugify, validateProjectName } from "../../../lib/slug";
import { useCreateProject } from "../api/create-project";
import { operationQuery } from "../api/get-project";
import { useProjectEvents } from "../api/project-events";
import { OperationProgress } from "./operation-progress";

export function CreateProjectForm({ templates }: { templates: Template[] }) {
  const [templateId, setTemplateId] = useState(templates.length === 1 ? (templates[0]?.id ?? "") : "");
  const [name, setName] = useState("");
  const [prompt, setPrompt] = useState("");
  const [touched, setTouched] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const create = useCreateProject();
  const ids = { name: useId(), nameHelp: useId(), nameError: useId(), prompt: useId(), tpl: useId() };

  const localError = validateProjectName(name);
  const serverFields = isApiError(create.error) ? create.error.fields : [];
  const serverNameError =
    serverFields.find((f) => f.path === "name" || f.path.endsWith(".name"))?.message ??
    (isApiError(create.error) && create.error.status === 409 ? create.error.message : undefined);
  const nameError =
    (touched || submitted ? localError : null) ?? (name === create.variables?.name ? serverNameError : undefined);
  const templateError = submitted && !templateId ? "Pick a template." : null;
  const slug = slugify(name);

  if (create.data) {
    return <CreateProgress projectId={create.data.project.id} operationId={create.data.operation.id} />;
  }

  return (
    <form
      className="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (localError || !templateId) {
          const first = document.getElementById(localError ? ids.name : `${ids.tpl}-${templates[0]?.id}`);
          first?.focus();
          return;
        }
        create.mutate({ name: name.trim(), templateId, ...(prompt.trim() ? { prompt: prompt.trim() } : {}) });
      }}
    >
      <fieldset className="field" aria-describedby={templateError ? `${ids.tpl}-error` : undefined}>
        <legend>Template</legend>
        {templates.length === 0 ? <p className="muted">No templates yet. An admin can add one.</p> : null}
        <div className="template-grid">
          {templates.map((t) => (
            <label key={t.id} className={`template-option ${templateId === t.id ? "selected" : ""}`}>
              <input
                type="radio"
                name="template"
                id={`${ids.tpl}-${t.id}`}
                value={t.id}
                checked={templateId === t.id}
                onChange={() => setTemplateId(t.id)}
              />
              <span className="template-option-name">{t.name}</span>
              <span className="template-option-desc">{t.description}</span>
            </label>
          ))}
        </div>
        {templateError ? (
          <p className="field-error" id={`${ids.tpl}-error`}>
            {templateError}
          </p>
        ) : null}
      </fieldset>

      <div className="field">
        <label htmlFor={ids.name}>Name</label>
        <input
          id={ids.name}
          value={name}
          maxLength={NAME_MAX + 20}
          autoComplete="off"
          aria-invalid={nameError ? true : undefined}
          aria-describedby={`${ids.nameHelp}${nameError ? ` ${ids.nameError}` : ""}`}
          onChange={(e) => {
            setName(e.target.value);
            if (e.target.value) setTouched(true);
          }}
          onBlur={() => setTouched(true)}
        />
        <p className="field-help" id={ids.nameHelp} aria-live="polite">
          {slug ? (
            <>
              Address: <code>{slug}</code> — its hosts will be <code>{slug}--preview…</code> and <code>{slug}…</code>
            </>
          ) : (
            "Letters, digits and spaces; the address is derived from it."
          )}
        </p>
        {nameError ? (
          <p className="field-error" id={ids.nameError}>
            {nameError}
          </p>
        ) : null}
      </div>

      <div className="field">
        <label htmlFor={ids.prompt}>
          What should the agent build? <span className="muted">(optional)</span>
        </label>
        <textarea id={ids.prompt} rows={3} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
      </div>

      {create.error && !serverNameError ? (
        <ErrorMessage error={create.error} title="The project was not created." />
      ) : null}
      {create.error && serverNameError && serverFields.length > 1 ? <ErrorMessage error={create.error} /> : null}

      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create project"}
        </button>
        <Link to="/projects" className="button">
          Cancel
        </Link>
      </div>
    </form>
  );
}

function CreateProgress({ projectId, operationId }: { projectId: string; operationId: string }) {
  const navigate = useNavigate();
  useProjectEvents(projectId);
  const op = useQuery({ ...operationQuery(operationId), staleTime: Number.POSITIVE_INFINITY });
  const status = op.data?.status;
  useEffect(() => {
    if (status === "succeeded") void navigate(`/projects/${projectId}`, { replace: true });
  }, [status, navigate, projectId]);
  return (
    <div className="create-progress">
      {op.data ? <OperationProgress operation={op.data} /> : null}
      <ErrorMessage error={op.error} />
      {status === "failed" || status === "canceled" ? (
        <p>
          <Link className="button" to={`/projects/${projectId}`}>
            Open the project
          </Link>
        </p>
      ) : (
        <p className="muted">You will be taken to the project when it is ready.</p>
      )}
    </div>
  );
}
