// One deployment's live feed over SSE: its log lines as the build prints them, and its state
// on every change (written into the history cache), until it is finished.
import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { queryKeys } from "../../../api/query-keys";
import type { Deployment } from "../../../api/types";
import { type StreamState, useEventStream } from "../../../lib/use-event-stream";
import { storeDeployment } from "./deployments";

const MAX_LINES = 2000;

export interface DeploymentLogLine {
  n: number;
  text: string;
  /** The control plane's own line (snapshot, build command, result), not the build's output. */
  system: boolean;
}

export function useDeploymentLog(projectId: string, number: number | null) {
  const qc = useQueryClient();
  const [lines, setLines] = useState<DeploymentLogLine[]>([]);
  const path = number === null ? null : `/api/v1/projects/${encodeURIComponent(projectId)}/deployments/${number}/logs`;
  const handlers = useMemo(() => {
    let n = 0;
    return {
      log: (data: string) => {
        const item = JSON.parse(data) as { line: string } | { omitted: number };
        n += 1;
        const text = "line" in item ? item.line : `… ${item.omitted} lines omitted …`;
        const line = { n, text, system: !("line" in item) || text.startsWith("▸ ") };
        setLines((prev) => (prev.length >= MAX_LINES ? [...prev.slice(1), line] : [...prev, line]));
      },
      deployment: (data: string) => {
        const d = JSON.parse(data) as Deployment;
        storeDeployment(qc, projectId, d);
        if (d.status === "live") void qc.invalidateQueries({ queryKey: queryKeys.project(projectId) });
      },
    };
  }, [qc, projectId]);
  // Every (re)connection replays the log from its start.
  const state: StreamState = useEventStream(path, handlers, { endEvent: "end", onOpen: () => setLines([]) });
  return { lines, state };
}
