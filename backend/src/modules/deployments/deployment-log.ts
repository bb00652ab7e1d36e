import type { StoredLog } from "../../ports/deployments.port.js";

// A deployment's output, bounded: a build can print without end, yet its first lines (what ran)
// and its last ones (why it failed) are what a person reads. The first HEAD_LINES lines stay,
// then the latest TAIL_LINES, with a count of what was dropped between. Every line has a
// sequence number (its index among all lines ever added), so a reader resumes where it was.

export const HEAD_LINES = 300;
export const TAIL_LINES = 1700;
const MAX_LINE_CHARS = 2000;
/** The control plane's own lines start so, apart from the build's output. */
export const SYSTEM_PREFIX = "▸ ";

export const emptyLog = (): StoredLog => ({ head: [], tail: [], total: 0, prelude: 0 });

const clip = (line: string) =>
  line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}… (${line.length} characters)` : line;

export function appendLines(log: StoredLog, lines: readonly string[]): StoredLog {
  const head = [...log.head];
  let tail = [...log.tail];
  for (const raw of lines) {
    const line = clip(raw);
    if (head.length < HEAD_LINES) head.push(line);
    else tail.push(line);
  }
  if (tail.length > TAIL_LINES) tail = tail.slice(tail.length - TAIL_LINES);
  return { ...log, head, tail, total: log.total + lines.length };
}

/** Appends the control plane's own lines; before any build output they form the prelude. */
export function appendSystem(log: StoredLog, ...lines: string[]): StoredLog {
  const next = appendLines(
    log,
    lines.map((l) => `${SYSTEM_PREFIX}${l}`),
  );
  return log.prelude === log.total ? { ...next, prelude: next.total } : next;
}

/** Just the prelude: what a restarted control plane keeps before it reads the build's output again. */
export function preludeOf(log: StoredLog): StoredLog {
  const prelude = Math.min(log.prelude, log.head.length);
  return { head: log.head.slice(0, prelude), tail: [], total: prelude, prelude };
}

export type LogItem = { line: string } | { omitted: number };

/** The lines from sequence number `cursor` on, with one `omitted` item where lines were dropped. */
export function linesFrom(log: StoredLog, cursor: number): { items: LogItem[]; next: number } {
  const items: LogItem[] = [];
  const tailStart = log.total - log.tail.length;
  let at = Math.max(0, cursor);
  for (; at < log.head.length && at < log.total; at++) items.push({ line: log.head[at] as string });
  if (at < tailStart) {
    items.push({ omitted: tailStart - at });
    at = tailStart;
  }
  for (; at < log.total; at++) items.push({ line: log.tail[at - tailStart] as string });
  return { items, next: Math.max(cursor, log.total) };
}

/** The whole stored log as text, the omission marked in words. */
export function logText(log: StoredLog): string {
  return linesFrom(log, 0)
    .items.map((i) => ("line" in i ? i.line : `… ${i.omitted} lines omitted …`))
    .join("\n");
}
