import type { Project } from "../../../api/types";
import { ErrorMessage } from "../../../components/error-message";
import { useUpdateProject } from "../api/project-settings";

// "default" follows the installation's IDLE_TIMEOUT_SECONDS; the rest are the project's own.
const CHOICES: Array<[string, string]> = [
  ["default", "Installation default"],
  ["0", "Never"],
  ["300", "5 minutes"],
  ["900", "15 minutes"],
  ["1800", "30 minutes"],
  ["3600", "1 hour"],
  ["14400", "4 hours"],
];

/** "15 minutes", "45 seconds", "never". */
export function idleDuration(seconds: number): string {
  if (seconds === 0) return "never";
  if (seconds % 3600 === 0) return seconds === 3600 ? "1 hour" : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? "1 minute" : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

/** How long the project may go unused before it sleeps, editable by its owner. */
export function IdleSettings({ project: p }: { project: Project }) {
  const update = useUpdateProject(p.id);
  const current = p.idleTimeoutSeconds === null ? "default" : String(p.idleTimeoutSeconds);
  const choices = CHOICES.some(([v]) => v === current)
    ? CHOICES
    : [...CHOICES, [current, idleDuration(Number(current))] as [string, string]];
  const effective = p.effectiveIdleTimeoutSeconds;
  return (
    <section className="panel idle-settings" aria-labelledby="idle-title">
      <h2 id="idle-title">Sleep when idle</h2>
      <p className="muted">
        {effective === 0
          ? "This project never sleeps."
          : `Sleeps after ${idleDuration(effective)} without use (no visits, open page, agent work or build); the first visit wakes it.`}
      </p>
      <label>
        Idle timeout{" "}
        <select
          value={current}
          disabled={update.isPending}
          onChange={(e) =>
            update.mutate({ idleTimeoutSeconds: e.target.value === "default" ? null : Number(e.target.value) })
          }
        >
          {choices.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={p.productionIdle}
          disabled={update.isPending || effective === 0}
          onChange={(e) => update.mutate({ productionIdle: e.target.checked })}
        />{" "}
        Production sleeps too (its public host wakes it, as the preview's does)
      </label>
      <ErrorMessage error={update.error} title="Could not change the idle settings." />
    </section>
  );
}
