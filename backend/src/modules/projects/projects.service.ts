import type { ActivityRecorder } from "../../ports/activity.port.js";
import type { AuditLog } from "../../ports/audit.port.js";
import type { Principal } from "../../ports/auth.port.js";
import type { ContainerRuntime, LogLine } from "../../ports/container-runtime.port.js";
import type {
  DesiredChange,
  OperationKind,
  OperationRecord,
  ProjectRecord,
  ProjectSettingsPatch,
  ProjectSignals,
  ProjectStore,
} from "../../ports/projects.port.js";
import { SERVICE_KINDS, type ServiceKind, type TemplateStore } from "../../ports/templates.port.js";
import { agentSummary } from "../../shared/agent-summary.js";
import { badRequest, conflict, notFound } from "../../shared/errors.js";
import { plannedSteps } from "../../shared/operation-steps.js";
import { isOwned, reachableProject } from "../../shared/project-access.js";
import { type PublicHosts, publicUrlFor } from "../../shared/project-urls.js";
import { poolKeyOf } from "../../shared/warm-pool.js";
import { isReserved, slugCandidate, slugify } from "./project-slug.js";

const operationNotFound = () => notFound("OPERATION_NOT_FOUND", "No such operation");

/** Until the config says otherwise (IDLE_TIMEOUT_SECONDS). */
export const DEFAULT_IDLE_TIMEOUT_S = 900;

/** Every project the API shows has an owner; an unclaimed warm-pool instance never reaches a reply. */
function ownerOf(p: ProjectRecord): string {
  if (p.ownerId === null) throw new Error(`project ${p.id} is an unclaimed warm-pool instance`);
  return p.ownerId;
}

export function toProjectDto(p: ProjectRecord, hosts: PublicHosts, idleDefaultS = DEFAULT_IDLE_TIMEOUT_S) {
  const urls: Partial<Record<ServiceKind, string>> = {};
  const live = p.status !== "deleted";
  const services = p.services.map((s) => {
    const url = live ? publicUrlFor(p.slug, s.kind, hosts) : null;
    if (url) urls[s.kind] = url;
    return { kind: s.kind, observedState: s.observedState, health: s.health, url };
  });
  return {
    id: p.id,
    name: p.name,
    slug: p.slug,
    templateId: p.templateId,
    templateName: p.templateName,
    prompt: p.prompt,
    ownerId: ownerOf(p),
    desiredState: p.desiredState,
    status: p.status,
    statusMessage: p.statusMessage,
    services,
    urls,
    ...agentSummary(p.agent ?? null, {
      configured: p.agentConfigured ?? false,
      hasPrompt: Boolean(p.prompt?.trim()),
      running: p.status === "running",
    }),
    lastActivityAt: p.lastActivityAt.toISOString(),
    idleTimeoutSeconds: p.idleTimeoutSeconds,
    effectiveIdleTimeoutSeconds: p.idleTimeoutSeconds ?? idleDefaultS,
    sleptAt: p.sleptAt?.toISOString() ?? null,
    productionIdle: p.productionIdle,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

/** What a project's events stream carries: the project on every change, its newest operation's progress. */
export type ProjectEvent =
  | { type: "project"; project: ProjectRecord }
  | { type: "operation"; operation: OperationRecord };

export interface ProjectsServiceDeps {
  projects: ProjectStore;
  templates: Pick<TemplateStore, "get" | "getBySlug">;
  containers: Pick<ContainerRuntime, "logs">;
  audit: AuditLog;
  /** Wakes the reconciler for this project right after a write. */
  wake: (projectId: string) => void;
  /** In-process "project X changed" notifications (the reconciler's writes). */
  signals: ProjectSignals;
  /** How often a watch re-reads the database anyway: changes made by another replica. */
  watchPollMs?: number;
  /** Console presence counts as activity (issue #15). */
  activity?: Pick<ActivityRecorder, "touch">;
  /** A create took a warm-pool instance (issue #16): its replacement is due. */
  poolClaimed?: (templateId: string) => void;
}

const SATISFIED: Record<"start" | "stop", ProjectRecord["status"]> = { start: "running", stop: "stopped" };

export function projectsServiceFactory(deps: ProjectsServiceDeps) {
  const { projects, templates, containers, audit, wake, signals } = deps;
  const watchPollMs = deps.watchPollMs ?? 2000;

  // One change wakes every stream open on the project in the same tick; they share one read
  // when it started after their wake-up (a read begun earlier may predate the change).
  let tick = 0;
  const reads = new Map<string, { startedAt: number; value: Promise<[ProjectRecord | null, OperationRecord[]]> }>();
  function readShared(id: string, wokenAt: number) {
    const inFlight = reads.get(id);
    if (inFlight && inFlight.startedAt > wokenAt) return inFlight.value;
    const entry = { startedAt: ++tick, value: Promise.all([projects.get(id), projects.listOperations(id, 1)]) };
    reads.set(id, entry);
    const forget = () => reads.get(id) === entry && reads.delete(id);
    entry.value.then(forget, forget);
    return entry.value;
  }

  // The periodic re-read (another replica's write, a lost notification) ticks once per project,
  // waking all its streams together so that they share the read too.
  const rereads = new Map<string, Set<() => void>>();
  const rereadTimers = new Map<string, NodeJS.Timeout>();
  function rereadEvery(id: string, poke: () => void): () => void {
    let pokes = rereads.get(id);
    if (!pokes) {
      const all = new Set<() => void>();
      pokes = all;
      rereads.set(id, all);
      rereadTimers.set(
        id,
        setInterval(() => {
          for (const p of all) p();
        }, watchPollMs),
      );
    }
    pokes.add(poke);
    return () => {
      pokes.delete(poke);
      if (pokes.size) return;
      clearInterval(rereadTimers.get(id));
      rereadTimers.delete(id);
      rereads.delete(id);
    };
  }

  /** Yields the project, then whatever changed in it or its newest operation, until `signal` aborts. */
  async function* changes(first: ProjectRecord, signal: AbortSignal): AsyncGenerator<ProjectEvent> {
    let dirty = true;
    let wokenAt = ++tick;
    let wake: (() => void) | null = null;
    const poke = () => {
      dirty = true;
      wokenAt = ++tick;
      wake?.();
    };
    const unsubscribe = signals.subscribe(first.id, poke);
    const stopRereads = rereadEvery(first.id, poke);
    signal.addEventListener("abort", poke);
    const last = { project: JSON.stringify(first), operation: "" };
    try {
      yield { type: "project", project: first };
      while (!signal.aborted) {
        if (!dirty) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        if (signal.aborted) return;
        dirty = false;
        const [p, op] = await readShared(first.id, wokenAt);
        const operation = op[0];
        if (operation && JSON.stringify(operation) !== last.operation) {
          last.operation = JSON.stringify(operation);
          yield { type: "operation", operation };
        }
        if (p && JSON.stringify(p) !== last.project) {
          last.project = JSON.stringify(p);
          yield { type: "project", project: p };
        }
      }
    } finally {
      unsubscribe();
      stopRereads();
      signal.removeEventListener("abort", poke);
    }
  }

  const owned = async (principal: Principal, id: string) => reachableProject(await projects.get(id), principal);

  const change = async (principal: Principal, p: ProjectRecord, kind: OperationKind, desired: DesiredChange) => {
    const result = await projects.requestChange(p.id, desired, {
      kind,
      userId: principal.userId,
      steps: plannedSteps(kind),
    });
    await audit.record({ actorId: principal.userId, action: `project.${kind}`, target: p.id });
    wake(p.id);
    return result;
  };

  /** Repeating a request that is in flight returns its operation; one already satisfied is a no-op. */
  const alreadyDone = async (principal: Principal, p: ProjectRecord, kind: "start" | "stop") => {
    const wanted = kind === "start" ? "running" : "stopped";
    if (p.desiredState !== wanted) return null;
    const active = await projects.activeOperation(p.id);
    if (active) return { project: p, operation: active };
    if (p.status !== SATISFIED[kind]) return null;
    const operation = await projects.addOperation(p.id, {
      kind,
      userId: principal.userId,
      steps: [],
      status: "succeeded",
    });
    return { project: p, operation };
  };

  return {
    async create(
      principal: Principal,
      body: {
        name: string;
        templateId?: string | undefined;
        template?: string | undefined;
        prompt?: string | undefined;
      },
    ) {
      const template = body.templateId
        ? await templates.get(body.templateId)
        : body.template
          ? await templates.getBySlug(body.template)
          : null;
      if (!template) {
        throw badRequest(
          "TEMPLATE_NOT_FOUND",
          body.templateId
            ? "No template with this id"
            : `No template "${body.template}"; GET /api/v1/templates lists them`,
        );
      }
      if (!SERVICE_KINDS.some((k) => k !== "production" && template.services[k])) {
        throw badRequest("TEMPLATE_NOT_RUNNABLE", "This template has no preview or opencode service");
      }
      const base = slugify(body.name);
      if (!base) throw badRequest("INVALID_PROJECT_NAME", "The name needs at least one letter or digit");
      if (isReserved(base)) throw badRequest("PROJECT_NAME_RESERVED", `"${base}" is reserved; choose another name`);
      if (await projects.nameTaken(principal.userId, body.name)) {
        throw conflict("PROJECT_NAME_TAKEN", `You already have a project named "${body.name}"`);
      }
      // A template with a warm pool: a ready instance of it as it is now is claimed, else cold.
      const poolKey = template.prewarm > 0 ? await poolKeyOf(template) : null;
      for (let attempt = 1; attempt <= 20; attempt++) {
        const slug = slugCandidate(base, attempt);
        if (isReserved(slug)) continue;
        const fields = {
          ...{ name: body.name, slug, templateId: template.id },
          ...{ prompt: body.prompt ?? null, ownerId: principal.userId },
        };
        const operation = { kind: "create" as const, userId: principal.userId, steps: plannedSteps("create") };
        const claimed = poolKey ? await projects.claimPooled(fields, poolKey, operation) : null;
        if (claimed === "slug_taken") continue;
        const created = claimed ?? (await projects.create(fields, operation));
        if (!created) continue;
        const pooled = claimed !== null;
        await audit.record({
          actorId: principal.userId,
          action: "project.create",
          target: created.project.id,
          data: { slug, templateId: template.id, pooled },
        });
        wake(created.project.id);
        if (pooled) deps.poolClaimed?.(template.id);
        return created;
      }
      throw conflict("PROJECT_SLUG_TAKEN", "No free address for this name; choose another name");
    },

    list: async (principal: Principal) =>
      (await projects.list(principal.role === "admin" ? {} : { ownerId: principal.userId })).filter(isOwned),
    get: owned,

    async start(principal: Principal, id: string) {
      const p = await owned(principal, id);
      if (p.desiredState === "deleted") throw conflict("PROJECT_DELETING", "The project is being deleted");
      const done = p.status === "failed" ? null : await alreadyDone(principal, p, "start");
      return (
        done ?? change(principal, p, "start", { desiredState: "running", status: "starting", resetRestarts: true })
      );
    },
    async stop(principal: Principal, id: string) {
      const p = await owned(principal, id);
      if (p.desiredState === "deleted") throw conflict("PROJECT_DELETING", "The project is being deleted");
      return (
        (await alreadyDone(principal, p, "stop")) ??
        change(principal, p, "stop", { desiredState: "stopped", status: "stopping" })
      );
    },
    async restart(principal: Principal, id: string) {
      const p = await owned(principal, id);
      if (p.desiredState === "deleted") throw conflict("PROJECT_DELETING", "The project is being deleted");
      return change(principal, p, "restart", {
        desiredState: "running",
        status: "starting",
        bumpGeneration: true,
        resetRestarts: true,
      });
    },
    async remove(principal: Principal, id: string, opts: { keepData: boolean }) {
      const p = await owned(principal, id);
      if (p.desiredState === "deleted") {
        const active = await projects.activeOperation(p.id);
        if (active) return { project: p, operation: active };
      }
      return change(principal, p, "delete", { desiredState: "deleted", status: "deleting", keepData: opts.keepData });
    },

    /** Rename and idle settings; the slug (and so every hostname) stays. */
    async update(principal: Principal, id: string, patch: ProjectSettingsPatch) {
      const p = await owned(principal, id);
      if (p.desiredState === "deleted") throw conflict("PROJECT_DELETING", "The project is being deleted");
      if (patch.name !== undefined) {
        if (!slugify(patch.name))
          throw badRequest("INVALID_PROJECT_NAME", "The name needs at least one letter or digit");
        const same = patch.name.toLowerCase() === p.name.toLowerCase();
        if (!same && (await projects.nameTaken(p.ownerId, patch.name))) {
          throw conflict("PROJECT_NAME_TAKEN", `You already have a project named "${patch.name}"`);
        }
      }
      const updated = await projects.updateSettings(p.id, patch);
      if (!updated) throw conflict("PROJECT_NAME_TAKEN", `You already have a project named "${patch.name}"`);
      await audit.record({ actorId: principal.userId, action: "project.update", target: p.id, data: { ...patch } });
      signals.notify(p.id);
      return updated;
    },
    /** The console's heartbeat while a project page is open: someone is looking at it. */
    async presence(principal: Principal, id: string) {
      const p = await owned(principal, id);
      deps.activity?.touch(p.id);
    },

    async operations(principal: Principal, id: string) {
      const p = await owned(principal, id);
      return projects.listOperations(p.id, 50);
    },
    async operation(principal: Principal, id: string) {
      const o = await projects.getOperation(id);
      if (!o) throw operationNotFound();
      if (principal.role === "admin" || o.userId === principal.userId) return o;
      const p = o.projectId ? await projects.get(o.projectId) : null;
      if (p?.ownerId !== principal.userId) throw operationNotFound();
      return o;
    },
    /** Checks access now, then streams the project's changes (see `changes`). */
    async watch(principal: Principal, id: string, signal: AbortSignal): Promise<AsyncIterable<ProjectEvent>> {
      return changes(await owned(principal, id), signal);
    },
    async logs(
      principal: Principal,
      id: string,
      opts: { service: ServiceKind; tail: number; follow: boolean; signal: AbortSignal },
    ): Promise<AsyncIterable<LogLine>> {
      const p = await owned(principal, id);
      const containerId = p.services.find((s) => s.kind === opts.service)?.containerId;
      if (!containerId) throw notFound("SERVICE_NOT_FOUND", `The project has no ${opts.service} container yet`);
      return containers.logs(containerId, opts);
    },
  };
}

export type ProjectsService = ReturnType<typeof projectsServiceFactory>;
