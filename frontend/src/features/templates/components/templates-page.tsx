import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { Template } from "../../../api/types";
import { ErrorMessage } from "../../../components/error-message";
import { PageTitle } from "../../../components/page-title";
import { Loading } from "../../../components/spinner";
import { useMe } from "../../../lib/auth";
import { templatesQuery } from "../api/get-templates";
import { TemplateForm } from "./template-form";

export function TemplatesPage() {
  const templates = useQuery(templatesQuery());
  const me = useMe();
  const isAdmin = me.data?.role === "admin";
  const [editing, setEditing] = useState<Template | "new" | null>(null);

  return (
    <>
      <PageTitle
        actions={
          isAdmin && !editing ? (
            <button type="button" className="button button-primary" onClick={() => setEditing("new")}>
              New template
            </button>
          ) : undefined
        }
      >
        Templates
      </PageTitle>
      {!isAdmin ? <p className="muted">Only admins can add or change templates.</p> : null}
      {editing ? (
        <TemplateForm
          key={editing === "new" ? "new" : editing.id}
          template={editing === "new" ? null : editing}
          onDone={() => setEditing(null)}
        />
      ) : null}
      {templates.isPending ? <Loading label="Loading templates…" /> : null}
      <ErrorMessage error={templates.error} title="Could not load templates." />
      <ul className="template-list">
        {templates.data?.map((t) => (
          <li key={t.id} className="card">
            <div className="card-head">
              <h2>{t.name}</h2>
              <code>{t.slug}</code>
              {t.builtIn ? <span className="badge badge-idle">built-in</span> : null}
              {isAdmin ? (
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => setEditing(t)}
                  aria-label={`Edit ${t.name}`}
                >
                  Edit
                </button>
              ) : null}
            </div>
            <p>{t.description}</p>
            <p className="muted">
              Services:{" "}
              {Object.entries(t.services)
                .filter(([, spec]) => spec)
                .map(([kind, spec]) => `${kind} (${spec?.image}, port ${spec?.port})`)
                .join(" · ") || "none"}
            </p>
            {t.prewarm > 0 ? (
              <p className="muted">
                Warm pool: {t.prewarm} {t.prewarm === 1 ? "project" : "projects"} kept ready for a new project
              </p>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
}
