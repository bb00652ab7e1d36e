import { useQuery } from "@tanstack/react-query";
import { projectAgentSettingsQuery, useSaveProjectAgentSettings } from "../api/agent-settings";
import { AgentSettingsForm } from "./agent-settings-form";

/** A model for this project only; without one the project uses its owner's settings. */
export function ProjectModelSettings({ projectId, open }: { projectId: string; open: boolean }) {
  const settings = useQuery(projectAgentSettingsQuery(projectId));
  const save = useSaveProjectAgentSettings(projectId);
  const s = settings.data;
  return (
    <details className="project-model" open={open}>
      <summary>
        Model for this project
        {s?.effective ? (
          <span className="muted small">
            {" "}
            · {s.effective.model} ({s.source === "project" ? "this project" : "your defaults"})
          </span>
        ) : null}
      </summary>
      {settings.isSuccess ? (
        <AgentSettingsForm
          key={s?.override?.updatedAt ?? "none"}
          value={s?.override ?? null}
          pending={save.isPending}
          error={save.error}
          saved={save.isSuccess}
          onSave={(input) => save.mutate(input)}
          onClear={() => save.mutate(null)}
          clearLabel="Use my defaults"
        />
      ) : null}
    </details>
  );
}
