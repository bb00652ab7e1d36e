import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { api, unwrap } from "../../../api/client";
import type { operations } from "../../../api/schema";
import { storeProject } from "./cache";

export type ProjectSettings = NonNullable<operations["updateProject"]["requestBody"]>["content"]["application/json"];

/** Rename, idle timeout (0 = never, null = the installation's default), production sleeps too. */
export function useUpdateProject(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ProjectSettings) =>
      unwrap(api.PATCH("/api/v1/projects/{id}", { params: { path: { id } }, body })),
    onSuccess: (project) => storeProject(qc, project),
  });
}

/** How often an open, visible project page says someone is looking: every 30 s, or thrice per timeout. */
export const presenceEveryMs = (idleTimeoutS: number | undefined) =>
  idleTimeoutS ? Math.min(30_000, Math.max(3000, Math.floor((idleTimeoutS * 1000) / 3))) : 30_000;

/**
 * The project page's heartbeat: keeps the project awake while someone has it open and visible.
 * Opening the page is activity already (its API calls); a hidden tab lets it sleep.
 */
export function usePresence(id: string | null, everyMs = 30_000) {
  useEffect(() => {
    if (!id) return;
    const beat = () => {
      if (globalThis.document?.visibilityState === "hidden") return;
      // Best effort: a missed beat only lets the project sleep a little sooner.
      void api.POST("/api/v1/projects/{id}/presence", { params: { path: { id } } }).catch(() => {});
    };
    const timer = setInterval(beat, everyMs);
    return () => clearInterval(timer);
  }, [id, everyMs]);
}
