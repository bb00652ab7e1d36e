// A diff as people read it: per file, either unified (one column, - and + lines) or split
// (old on the left, new on the right, changed lines side by side). Shared by the History tab and
// the task review, which adds a comment button per new-side line and the comments under it.
import { Fragment, type ReactNode } from "react";
import type { DiffHunk, FileDiff } from "../api/types";
import "./diff-view.css";

export type DiffMode = "unified" | "split";
export type DiffLine = DiffHunk["lines"][number];

/** Per line of the new side: a control beside it (e.g. "Comment") and what shows under it. */
export interface DiffAnnotations {
  action: (file: FileDiff, line: DiffLine & { newLine: number }) => ReactNode;
  below: (file: FileDiff, line: DiffLine & { newLine: number }) => ReactNode;
}

const STATUS: Record<FileDiff["status"], string> = {
  added: "added",
  modified: "modified",
  deleted: "deleted",
  renamed: "renamed",
  type_changed: "mode changed",
};

/** Pairs a hunk's deleted and added runs row by row, for the split view. */
function splitRows(lines: DiffLine[]): Array<[DiffLine | null, DiffLine | null]> {
  const rows: Array<[DiffLine | null, DiffLine | null]> = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i] as DiffLine;
    if (l.type === "context") {
      rows.push([l, l]);
      i++;
      continue;
    }
    const dels: DiffLine[] = [];
    const adds: DiffLine[] = [];
    while (lines[i]?.type === "delete") dels.push(lines[i++] as DiffLine);
    while (lines[i]?.type === "add") adds.push(lines[i++] as DiffLine);
    for (let k = 0; k < Math.max(dels.length, adds.length); k++) rows.push([dels[k] ?? null, adds[k] ?? null]);
  }
  return rows;
}

const sign = (l: DiffLine) => (l.type === "add" ? "+" : l.type === "delete" ? "-" : " ");
const label = (l: DiffLine) => (l.type === "add" ? "added" : l.type === "delete" ? "removed" : "");
const onNewSide = (l: DiffLine | null): l is DiffLine & { newLine: number } => typeof l?.newLine === "number";

function FileDiffView({ file, mode, annotate }: { file: FileDiff; mode: DiffMode; annotate?: DiffAnnotations }) {
  const title = file.status === "renamed" ? `${file.oldPath} → ${file.path}` : file.path;
  const act = (l: DiffLine | null) =>
    annotate ? <td className="diff-act">{onNewSide(l) ? annotate.action(file, l) : null}</td> : null;
  const note = (l: DiffLine | null, cols: number) => {
    const below = annotate && onNewSide(l) ? annotate.below(file, l) : null;
    return below ? (
      <tr className="diff-note">
        <td colSpan={cols}>{below}</td>
      </tr>
    ) : null;
  };
  const extra = annotate ? 1 : 0;
  return (
    <section className="diff-file" aria-label={`Changes to ${file.path}`}>
      <h4 className="diff-file-head">
        <span className={`diff-status diff-status-${file.status}`}>{STATUS[file.status]}</span> {title}{" "}
        <span className="diff-counts">
          <span className="diff-add">+{file.additions}</span> <span className="diff-del">−{file.deletions}</span>
        </span>
      </h4>
      {file.binary ? <p className="muted">Binary file</p> : null}
      {file.hunks.map((h) => (
        <table key={h.header} className={`diff-table diff-${mode}${annotate ? " diff-annotated" : ""}`}>
          <caption className="diff-hunk">{h.header}</caption>
          <tbody>
            {mode === "unified"
              ? h.lines.map((l, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: lines of a hunk have no identity of their own
                  <Fragment key={i}>
                    <tr className={`diff-line diff-${l.type}`} aria-label={label(l) || undefined}>
                      <td className="diff-no">{l.oldLine ?? ""}</td>
                      <td className="diff-no">{l.newLine ?? ""}</td>
                      {act(l)}
                      <td className="diff-code">
                        <span aria-hidden="true">{sign(l)}</span>
                        {l.text}
                      </td>
                    </tr>
                    {note(l, 3 + extra)}
                  </Fragment>
                ))
              : splitRows(h.lines).map(([left, right], i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows of a hunk have no identity of their own
                  <Fragment key={i}>
                    <tr className="diff-line">
                      <td className="diff-no">{left?.oldLine ?? ""}</td>
                      <td className={`diff-code diff-${left?.type ?? "empty"}`}>{left ? left.text : ""}</td>
                      <td className="diff-no">{right?.newLine ?? ""}</td>
                      {act(right)}
                      <td className={`diff-code diff-${right?.type ?? "empty"}`}>{right ? right.text : ""}</td>
                    </tr>
                    {note(right, 4 + extra)}
                  </Fragment>
                ))}
          </tbody>
        </table>
      ))}
    </section>
  );
}

export function DiffView({ files, mode, annotate }: { files: FileDiff[]; mode: DiffMode; annotate?: DiffAnnotations }) {
  if (files.length === 0) return <p className="muted">No changes.</p>;
  return (
    <div className="diff">
      {files.map((f) => (
        <FileDiffView key={`${f.oldPath}->${f.path}`} file={f} mode={mode} {...(annotate ? { annotate } : {})} />
      ))}
    </div>
  );
}
