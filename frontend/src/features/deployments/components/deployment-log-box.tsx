import { useLayoutEffect, useRef } from "react";
import type { DeploymentLogLine } from "../api/deployment-log";

/** A deployment's log: the control plane's own lines marked, the newest kept in view. */
export function DeploymentLogBox({ lines, label }: { lines: DeploymentLogLine[]; label: string }) {
  const box = useRef<HTMLPreElement>(null);
  useLayoutEffect(() => {
    if (box.current && lines.length) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable log must be reachable by keyboard
    <pre ref={box} className="log-box log-box-short" role="log" aria-label={label} tabIndex={0}>
      {lines.length === 0 ? <span className="muted">No output yet.</span> : null}
      {lines.map((l) => (
        <span key={l.n} className={l.system ? "log-system" : undefined}>
          {l.text}
          {"\n"}
        </span>
      ))}
    </pre>
  );
}

/** A stored log (GET …/deployments/{n}) as lines for the box. */
export const storedLines = (log: string): DeploymentLogLine[] =>
  log
    .split("\n")
    .filter((t, i, all) => t !== "" || i < all.length - 1)
    .map((text, i) => ({ n: i + 1, text, system: text.startsWith("▸ ") || /^… \d+ lines omitted …$/.test(text) }));
