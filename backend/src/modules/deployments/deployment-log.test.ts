// The bounded deployment log: what stays when a build prints without end, and how a reader
// that saw part of it resumes without gaps or repeats.
import { describe, expect, it } from "vitest";
import {
  appendLines,
  appendSystem,
  emptyLog,
  HEAD_LINES,
  linesFrom,
  logText,
  preludeOf,
  TAIL_LINES,
} from "./deployment-log.js";

const numbered = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `line ${from + i}`);

describe("deployment log", () => {
  it("keeps everything while it is short", () => {
    const log = appendLines(emptyLog(), ["a", "b"]);
    expect(logText(log)).toBe("a\nb");
    expect(linesFrom(log, 0)).toEqual({ items: [{ line: "a" }, { line: "b" }], next: 2 });
    expect(linesFrom(log, 1).items).toEqual([{ line: "b" }]);
  });

  it("keeps the first and the latest lines of a long one, and says how many it dropped", () => {
    const total = HEAD_LINES + TAIL_LINES + 500;
    let log = emptyLog();
    for (let i = 0; i < total; i += 100) log = appendLines(log, numbered(100, i));
    expect(log.total).toBe(total);
    expect(log.head).toHaveLength(HEAD_LINES);
    expect(log.tail).toHaveLength(TAIL_LINES);
    const { items } = linesFrom(log, 0);
    expect(items[HEAD_LINES - 1]).toEqual({ line: `line ${HEAD_LINES - 1}` });
    expect(items[HEAD_LINES]).toEqual({ omitted: 500 });
    expect(items.at(-1)).toEqual({ line: `line ${total - 1}` });
    expect(logText(log)).toContain("… 500 lines omitted …");
  });

  it("resumes a reader where it was: inside the dropped part it is told how much it missed", () => {
    let log = appendLines(emptyLog(), numbered(HEAD_LINES + 10));
    const seen = linesFrom(log, 0);
    expect(seen.next).toBe(HEAD_LINES + 10);
    log = appendLines(log, numbered(TAIL_LINES + 100, HEAD_LINES + 10));
    const rest = linesFrom(log, seen.next);
    // The reader had HEAD_LINES + 10 lines; the next 100 were dropped before the tail begins.
    expect(rest.items[0]).toEqual({ omitted: 100 });
    expect(rest.items[1]).toEqual({ line: `line ${HEAD_LINES + 110}` });
    expect(rest.items).toHaveLength(1 + TAIL_LINES);
    expect(rest.next).toBe(log.total);
    expect(linesFrom(log, rest.next).items).toEqual([]);
  });

  it("marks the control plane's own lines, and keeps them as the prelude a restarted build is re-read after", () => {
    let log = appendSystem(emptyLog(), "snapshot taken", "build: sh build.sh");
    log = appendLines(log, ["compiling"]);
    log = appendSystem(log, "artifact: image abc");
    expect(log.prelude).toBe(2);
    expect(logText(log)).toBe("▸ snapshot taken\n▸ build: sh build.sh\ncompiling\n▸ artifact: image abc");
    expect(logText(preludeOf(log))).toBe("▸ snapshot taken\n▸ build: sh build.sh");
  });

  it("clips a line that has no end", () => {
    const [line] = appendLines(emptyLog(), ["x".repeat(10_000)]).head;
    expect(line?.length).toBeLessThan(2100);
    expect(line).toMatch(/… \(10000 characters\)$/);
  });
});
