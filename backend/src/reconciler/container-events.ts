// Docker's container events, kept as notes until the project's next pass, which holds the
// project's lock, reads them against fresh state: an event never writes over a pass's results.
import type { ContainerDetails, ContainerRuntime, RuntimeEvent } from "../ports/container-runtime.port.js";
import type { ProjectRecord, ReconcileStore } from "../ports/projects.port.js";
import { exitReason, LABEL, RUNNABLE_KINDS, type RunnableKind, recordCrash } from "./converger-context.js";

interface ContainerNote {
  kind: RunnableKind;
  generation: string | undefined;
  /** How it ended, inspected when the event came (before the container can be removed). */
  died?: Pick<ContainerDetails, "exitCode" | "oomKilled">;
  health?: string;
}

export interface ContainerEventsDeps {
  store: Pick<ReconcileStore, "template" | "updateService" | "setStatus">;
  runtime: Pick<ContainerRuntime, "inspectContainer">;
  log: { warn(obj: object, msg?: string): void };
}

export function containerEvents({ store, runtime, log }: ContainerEventsDeps) {
  const notes = new Map<string, Map<string, ContainerNote>>();

  return {
    /** Notes what Docker reported; returns the project to reconcile, if any. */
    async record(e: RuntimeEvent): Promise<string | null> {
      const projectId = e.labels[LABEL.project];
      const kind = e.labels[LABEL.kind] as RunnableKind;
      if (!projectId || !RUNNABLE_KINDS.includes(kind)) return null;
      if (e.action !== "die" && e.action !== "destroy" && e.action !== "health_status") return null;
      // Docker may remove a container right after its die: how it ended is read now.
      let died: ContainerNote["died"];
      if (e.action === "die") {
        const d = await runtime.inspectContainer(e.containerId);
        // A late event for a container started again since: nothing died.
        if (d?.state === "running") return null;
        died = { exitCode: d?.exitCode ?? e.exitCode ?? null, oomKilled: d?.oomKilled ?? false };
      }
      const forProject = notes.get(projectId) ?? new Map<string, ContainerNote>();
      notes.set(projectId, forProject);
      const note = forProject.get(e.containerId) ?? { kind, generation: e.labels[LABEL.generation] };
      if (died) note.died = died;
      if (e.action === "health_status") note.health = e.health ?? "unknown";
      forProject.set(e.containerId, note);
      return projectId;
    },

    /**
     * Applies the project's notes; the caller holds the project's lock and passes a fresh read.
     * Only what a pass cannot see for itself: a container gone since (with how it ended) and
     * Docker's health status. A crashed container that still exists is the converger's to count.
     * Returns whether it wrote anything.
     */
    async settle(p: ProjectRecord): Promise<boolean> {
      const taken = notes.get(p.id);
      notes.delete(p.id);
      if (!taken || p.status === "deleted") return false;
      let wrote = false;
      for (const svc of p.services) {
        const note = svc.containerId ? taken.get(svc.containerId) : undefined;
        if (!svc.containerId || !note) continue;
        const now = await runtime.inspectContainer(svc.containerId);
        if (!now) {
          const gone = { containerId: null, observedState: "absent", health: "unknown", endpoint: null };
          // Seen running by the last pass, of this generation, removed while it should run.
          const crashed =
            note.died &&
            svc.observedState === "running" &&
            p.desiredState === "running" &&
            !p.sleptAt &&
            note.generation === String(p.generation);
          if (crashed && note.died) {
            const template = await store.template(p.templateId);
            const reason = exitReason(note.kind, note.died, template?.services[note.kind]);
            log.warn({ projectId: p.id, kind: note.kind }, `project ${p.slug}: ${reason}`);
            await recordCrash(store, p, note.kind, reason, gone);
          } else {
            await store.updateService(p.id, svc.kind, gone);
          }
          wrote = true;
        } else if (note.health && now.state === "running") {
          await store.updateService(p.id, svc.kind, { health: note.health });
          wrote = true;
        }
      }
      return wrote;
    },
  };
}
