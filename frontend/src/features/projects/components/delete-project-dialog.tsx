import { useId, useState } from "react";
import { Dialog } from "../../../components/dialog";
import { ErrorMessage } from "../../../components/error-message";

export function DeleteProjectDialog({
  open,
  name,
  pending,
  error,
  onCancel,
  onConfirm,
}: {
  open: boolean;
  name: string;
  pending: boolean;
  error: unknown;
  onCancel: () => void;
  onConfirm: (opts: { keepData: boolean }) => void;
}) {
  const [typed, setTyped] = useState("");
  const [keepData, setKeepData] = useState(false);
  const inputId = useId();
  const keepId = useId();
  const matches = typed.trim() === name;
  return (
    <Dialog
      open={open}
      title={`Delete ${name}?`}
      onClose={() => {
        setTyped("");
        onCancel();
      }}
    >
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (matches) onConfirm({ keepData });
        }}
      >
        <p>
          This stops the project, removes its containers and its hostnames. Without “keep files”, its files are deleted
          too. This cannot be undone.
        </p>
        <div className="field">
          <label htmlFor={inputId}>
            Type <strong>{name}</strong> to confirm
          </label>
          <input id={inputId} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
        </div>
        <div className="field field-inline">
          <input id={keepId} type="checkbox" checked={keepData} onChange={(e) => setKeepData(e.target.checked)} />
          <label htmlFor={keepId}>Keep the project's files (its volume)</label>
        </div>
        <ErrorMessage error={error} title="The project was not deleted." />
        <div className="form-actions">
          <button type="submit" className="button button-danger" disabled={!matches || pending}>
            {pending ? "Deleting…" : "Delete project"}
          </button>
          <button
            type="button"
            className="button"
            onClick={() => {
              setTyped("");
              onCancel();
            }}
          >
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
