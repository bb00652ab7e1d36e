// A new task at the end of the To do column: a title, and what the agent should do.
import { useId, useState } from "react";
import { ErrorMessage } from "../../../components/error-message";
import { useCreateTask } from "../api/tasks";

export function CreateTaskForm({ projectId }: { projectId: string }) {
  const create = useCreateTask(projectId);
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const titleId = useId();
  const descriptionId = useId();
  return (
    <form
      className="form task-create"
      aria-label="New task"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(
          { title: title.trim(), description: description.trim() },
          {
            onSuccess: () => {
              setTitle("");
              setDescription("");
            },
          },
        );
      }}
    >
      <div className="field">
        <label htmlFor={titleId}>Task title</label>
        <input
          id={titleId}
          value={title}
          maxLength={200}
          onChange={(e) => setTitle(e.target.value)}
          autoComplete="off"
        />
      </div>
      <div className="field">
        <label htmlFor={descriptionId}>What should the agent do?</label>
        <textarea id={descriptionId} rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={!title.trim() || create.isPending}>
          {create.isPending ? "Adding…" : "Add task"}
        </button>
      </div>
      <ErrorMessage error={create.error} title="The task was not added." />
    </form>
  );
}
