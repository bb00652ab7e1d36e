// One open file: its text in CodeMirror (loaded lazily, so the console's first load does not
// carry it), saved with the ETag it was read with. A save over someone else's change (412) or
// a change on disk while editing (files.changed) shows the conflict instead of losing work.
import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useState } from "react";
import { isApiError } from "../../../api/errors";
import { ErrorMessage } from "../../../components/error-message";
import { Loading } from "../../../components/spinner";
import { downloadFileUrl, fileContentQuery, type OpenedFile, useFileMutations } from "../api/files";

const CodeEditor = lazy(() => import("./code-editor"));

export function FileEditor({ projectId, path }: { projectId: string; path: string }) {
  const file = useQuery(fileContentQuery(projectId, path));
  const { save } = useFileMutations(projectId);
  // What the person edits, and the version of the file it started from.
  const [base, setBase] = useState<OpenedFile | null>(null);
  const [draft, setDraft] = useState("");
  const [conflict, setConflict] = useState<"saved-over" | "changed-on-disk" | null>(null);
  const dirty = base !== null && draft !== base.text;

  useEffect(() => {
    const f = file.data;
    if (!f) return;
    if (!base || base.path !== f.path) {
      setBase(f);
      setDraft(f.text);
      setConflict(null);
      save.reset();
    } else if (f.etag !== base.etag) {
      // Changed underneath: take it if nothing is being edited, otherwise ask.
      if (draft === base.text) {
        setBase(f);
        setDraft(f.text);
      } else {
        setConflict("changed-on-disk");
      }
    }
  }, [file.data, base, draft, save]);

  const doSave = (force = false) => {
    if (!base || save.isPending) return;
    save.mutate(
      { path, text: draft, etag: force ? null : base.etag },
      {
        onSuccess: (w) => {
          setBase({ path, text: draft, etag: `"${w.etag}"`, binary: false });
          setConflict(null);
        },
        onError: (err) => {
          if (isApiError(err) && err.status === 412) setConflict("saved-over");
        },
      },
    );
  };
  const reload = () => {
    setBase(null);
    void file.refetch();
  };

  if (file.isPending) return <Loading label={`Opening ${path}…`} />;
  if (file.isError) return <ErrorMessage error={file.error} title={`Could not open ${path}.`} />;
  if (file.data.binary) {
    return (
      <div className="file-editor">
        <p>
          {path} is a binary file. <a href={downloadFileUrl(projectId, path)}>Download it</a>
        </p>
      </div>
    );
  }
  return (
    <div className="file-editor">
      <div className="file-editor-bar">
        <span className="file-editor-path">
          {path}
          {dirty ? <span className="muted"> — unsaved changes</span> : null}
        </span>
        <button
          type="button"
          className="button button-primary"
          disabled={!dirty || save.isPending}
          onClick={() => doSave()}
        >
          {save.isPending ? "Saving…" : "Save"}
        </button>
      </div>
      {conflict ? (
        <div className="alert alert-warning" role="alert">
          <span>
            {conflict === "saved-over"
              ? "This file changed since you opened it (the agent or another tab saved it). Your edits are not saved."
              : "This file changed on disk while you were editing it."}
          </span>
          <button type="button" className="button" onClick={reload}>
            Load theirs (discard my edits)
          </button>
          <button type="button" className="button button-danger" onClick={() => doSave(true)}>
            Save mine over it
          </button>
        </div>
      ) : null}
      {save.error && !conflict ? <ErrorMessage error={save.error} title="The file was not saved." /> : null}
      {save.isSuccess && !dirty ? (
        <p className="visually-hidden" role="status">
          Saved
        </p>
      ) : null}
      <Suspense fallback={<Loading label="Loading the editor…" />}>
        <CodeEditor
          path={path}
          value={draft}
          onChange={setDraft}
          onSave={() => doSave()}
          label={`Contents of ${path}`}
        />
      </Suspense>
    </div>
  );
}
