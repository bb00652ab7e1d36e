// A service's log over SSE: the last `tail` lines, then new ones while following.
import { useCallback, useMemo, useState } from "react";
import type { LogLine, ServiceKind } from "../../../api/types";
import { type StreamState, useEventStream } from "../../../lib/use-event-stream";

const MAX_LINES = 2000;

export interface LogEntry extends LogLine {
  n: number;
}

export function useProjectLogs(
  id: string,
  service: ServiceKind,
  opts: { enabled: boolean; tail?: number; generation?: string },
): { lines: LogEntry[]; state: StreamState; clear: () => void } {
  const [lines, setLines] = useState<LogEntry[]>([]);
  const path = opts.enabled
    ? `/api/v1/projects/${encodeURIComponent(id)}/logs?service=${service}&tail=${opts.tail ?? 200}&follow=true`
    : null;

  const generation = opts.generation;

  const handlers = useMemo(() => {
    let n = 0;
    return {
      log: (data: string) => {
        const entry = JSON.parse(data) as LogLine;
        n += 1;
        const e: LogEntry = { ...entry, n };
        setLines((prev) => (prev.length >= MAX_LINES ? [...prev.slice(prev.length - MAX_LINES + 1), e] : [...prev, e]));
      },
    };
  }, []);
  // Every (re)connection starts from its own tail: drop what the previous one showed.
  const state = useEventStream(path, handlers, {
    endEvent: "end",
    reopenAfterEndMs: 5000,
    onOpen: () => setLines([]),
    ...(generation ? { reopenKey: generation } : {}),
  });
  const clear = useCallback(() => setLines([]), []);
  return { lines, state, clear };
}
