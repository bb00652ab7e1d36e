// A diff as people read it: per file, either unified (one column, - and + lines) or split
// (old on the left, new on the right, changed lines side by side).
import type { DiffHunk, FileDiff } from "../../../api/types";

export type DiffMode = "unified" | "split";
type Line = DiffHunk["lines"][number];

const STATUS: Record<FileDiff["status"], string> = {
  added: "added",
  modified: "modified",
  deleted: "deleted",
  renamed: "renamed",
  type_changed: "mode changed",
};

/** Pairs a hunk's deleted and added runs row by row, for the split view. */
function splitRows(lines: Line[]): Array<[Line | null, Line | null]> {
  const rows: Array<[Line | null, Line | null]> = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i] as Line;
    if (l.type === "context") {
      rows.push([l, l]);
      i++;
      continue;
    }
    const dels: Line[] = [];
    const adds: Line[] = [];
    while (lines[i]?.type === "delete") dels.push(lines[i++] as Line);
    while (lines[i]?.type === "add") adds.push(lines[i++] as Line);
    for (let k = 0; k < Math.max(dels.length, adds.length); k++) rows.push([dels[k] ?? null, adds[k] ?? null]);
  }
  return rows;
}

const sign = (l: Line) => (l.type === "add" ? "+" : l.type === "delete" ? "-" : " ");
const label = (l: Line) => (l.type === "add" ? "added" : l.type === "delete" ? "removed" : "");

function FileDiffView({ file, mode }: { file: FileDiff; mode: DiffMode }) {
  const title = file.status === "renamed" ? `${file.oldPath} → ${file.path}` : file.path;
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
        <table key={h.header} className={`diff-table diff-${mode}`}>
          <caption className="diff-hunk">{h.header}</caption>
          <tbody>
            {mode === "unified"
              ? h.lines.map((l, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: lines of a hunk have no identity of their own
                  <tr key={i} className={`diff-line diff-${l.type}`} aria-label={label(l) || undefined}>
                    <td className="diff-no">{l.oldLine ?? ""}</td>
                    <td className="diff-no">{l.newLine ?? ""}</td>
                    <td className="diff-code">
                      <span aria-hidden="true">{sign(l)}</span>
                      {l.text}
                    </td>
                  </tr>
                ))
              : splitRows(h.lines).map(([left, right], i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows of a hunk have no identity of their own
                  <tr key={i} className="diff-line">
                    <td className="diff-no">{left?.oldLine ?? ""}</td>
                    <td className={`diff-code diff-${left?.type ?? "empty"}`}>{left ? left.text : ""}</td>
                    <td className="diff-no">{right?.newLine ?? ""}</td>
                    <td className={`diff-code diff-${right?.type ?? "empty"}`}>{right ? right.text : ""}</td>
                  </tr>
                ))}
          </tbody>
        </table>
      ))}
    </section>
  );
}

export function DiffView({ files, mode }: { files: FileDiff[]; mode: DiffMode }) {
  if (files.length === 0) return <p className="muted">No changes.</p>;
  return (
    <div className="diff">
      {files.map((f) => (
        <FileDiffView key={`${f.oldPath}->${f.path}`} file={f} mode={mode} />
      ))}
    </div>
  );
}
