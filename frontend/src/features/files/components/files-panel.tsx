// The Files tab: the tree beside the open file, and what can be done to them — new file or
// folder, rename, delete (confirmed), upload files, download the project as .tar.gz.
import { useQuery } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import type { FileEntry } from "../../../api/types";
import { Dialog } from "../../../components/dialog";
import { ErrorMessage } from "../../../components/error-message";
import { Loading } from "../../../components/spinner";
import { downloadArchiveUrl, fileTreeQuery, useFileMutations } from "../api/files";
import { FileEditor } from "./file-editor";
import { FileTree } from "./file-tree";
import "./files.css";

type Ask =
  | { kind: "new-file" | "new-folder" | "rename"; initial: string }
  | { kind: "delete"; entry: FileEntry }
  | null;

const folderOf = (e: FileEntry | null) =>
  !e ? "" : e.type === "dir" ? e.path : e.path.split("/").slice(0, -1).join("/");
const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);

export function FilesPanel({ projectId }: { projectId: string }) {
  const tree = useQuery(fileTreeQuery(projectId));
  const [search, setSearch] = useSearchParams();
  const open = search.get("path");
  const [selected, setSelected] = useState<FileEntry | null>(null);
  const [ask, setAsk] = useState<Ask>(null);
  const m = useFileMutations(projectId);
  const upload = useRef<HTMLInputElement>(null);

  const openFile = (path: string | null) =>
    setSearch((prev) => {
      const next = new URLSearchParams(prev);
      if (path) next.set("path", path);
      else next.delete("path");
      return next;
    });
  const current = selected ?? tree.data?.entries.find((e) => e.path === open) ?? null;
  const pending =
    m.create.isPending || m.mkdir.isPending || m.move.isPending || m.remove.isPending || m.upload.isPending;
  const error = m.create.error ?? m.mkdir.error ?? m.move.error ?? m.remove.error ?? m.upload.error;

  const submit = async (name: string) => {
    if (!ask || ask.kind === "delete") return;
    if (ask.kind === "rename" && current) {
      const to = join(current.path.split("/").slice(0, -1).join("/"), name);
      await m.move.mutateAsync({ from: current.path, to });
      if (open === current.path) openFile(to);
    } else if (ask.kind === "new-file") {
      const path = join(folderOf(current), name);
      await m.create.mutateAsync(path);
      openFile(path);
    } else {
      await m.mkdir.mutateAsync(join(folderOf(current), name));
    }
    setAsk(null);
  };

  return (
    <section className="panel files-panel" aria-labelledby="files-title">
      <div className="panel-head">
        <h2 id="files-title">Files</h2>
        <div className="toolbar" role="toolbar" aria-label="File actions">
          <button type="button" className="button" onClick={() => setAsk({ kind: "new-file", initial: "" })}>
            New file
          </button>
          <button type="button" className="button" onClick={() => setAsk({ kind: "new-folder", initial: "" })}>
            New folder
          </button>
          <button
            type="button"
            className="button"
            disabled={!current}
            onClick={() => current && setAsk({ kind: "rename", initial: current.name })}
          >
            Rename
          </button>
          <button
            type="button"
            className="button button-danger"
            disabled={!current}
            onClick={() => current && setAsk({ kind: "delete", entry: current })}
          >
            Delete…
          </button>
          <button type="button" className="button" disabled={pending} onClick={() => upload.current?.click()}>
            Upload
          </button>
          <input
            ref={upload}
            type="file"
            multiple
            hidden
            aria-label="Files to upload"
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = "";
              if (files.length)
                m.upload.mutate(files.map((file) => ({ path: join(folderOf(current), file.name), file })));
            }}
          />
          <a className="button" href={downloadArchiveUrl(projectId)} download>
            Download .tar.gz
          </a>
        </div>
      </div>
      <ErrorMessage error={error} title="That did not work." />
      <div className="files-layout">
        <nav className="files-tree" aria-label="File tree">
          {tree.isPending ? <Loading label="Loading files…" /> : null}
          <ErrorMessage error={tree.error} title="Could not list the files." />
          {tree.data ? (
            <>
              <FileTree
                entries={tree.data.entries}
                selected={current?.path ?? null}
                onSelect={setSelected}
                onOpen={(e) => openFile(e.path)}
              />
              {tree.data.truncated ? (
                <p className="muted">Only the first {tree.data.entries.length} entries are shown.</p>
              ) : null}
            </>
          ) : null}
        </nav>
        <div className="files-editor">
          {open ? (
            <FileEditor key={open} projectId={projectId} path={open} />
          ) : (
            <p className="muted">Choose a file to edit it.</p>
          )}
        </div>
      </div>
      <NameDialog
        ask={ask && ask.kind !== "delete" ? ask : null}
        pending={pending}
        error={error}
        onCancel={() => setAsk(null)}
        onSubmit={(name) => void submit(name).catch(() => {})}
      />
      <Dialog
        open={ask?.kind === "delete"}
        title={`Delete ${ask?.kind === "delete" ? ask.entry.path : ""}?`}
        onClose={() => setAsk(null)}
      >
        {ask?.kind === "delete" ? (
          <form
            className="form"
            onSubmit={(e) => {
              e.preventDefault();
              m.remove.mutate(ask.entry, {
                onSuccess: () => {
                  if (open === ask.entry.path || open?.startsWith(`${ask.entry.path}/`)) openFile(null);
                  setSelected(null);
                  setAsk(null);
                },
              });
            }}
          >
            <p>
              {ask.entry.type === "dir" ? "This folder and everything in it" : "This file"} will be deleted. The last
              commit in History still has it.
            </p>
            <ErrorMessage error={m.remove.error} title="Nothing was deleted." />
            <div className="form-actions">
              <button type="submit" className="button button-danger" disabled={m.remove.isPending}>
                {m.remove.isPending ? "Deleting…" : "Delete"}
              </button>
              <button type="button" className="button" onClick={() => setAsk(null)}>
                Cancel
              </button>
            </div>
          </form>
        ) : null}
      </Dialog>
    </section>
  );
}

const TITLES = { "new-file": "New file", "new-folder": "New folder", rename: "Rename" } as const;

function NameDialog({
  ask,
  pending,
  error,
  onCancel,
  onSubmit,
}: {
  ask: { kind: keyof typeof TITLES; initial: string } | null;
  pending: boolean;
  error: unknown;
  onCancel: () => void;
  onSubmit: (name: string) => void;
}) {
  const id = useId();
  const [name, setName] = useState("");
  const [shownFor, setShownFor] = useState<typeof ask>(null);
  if (ask !== shownFor) {
    setShownFor(ask);
    setName(ask?.initial ?? "");
  }
  const valid = name.trim() !== "" && !name.includes("..") && !name.startsWith("/");
  return (
    <Dialog open={ask !== null} title={ask ? TITLES[ask.kind] : ""} onClose={onCancel}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) onSubmit(name.trim());
        }}
      >
        <div className="field">
          <label htmlFor={id}>Name</label>
          <input id={id} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
          <p className="hint">A name, or a path like src/components/Button.tsx (folders are made as needed).</p>
        </div>
        <ErrorMessage error={error} title="That did not work." />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={!valid || pending}>
            {ask?.kind === "rename" ? "Rename" : "Create"}
          </button>
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
