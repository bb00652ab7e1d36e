// Templates in domain terms: what a project's containers are made of, per service kind.

import type { ServiceKind } from "./vocabulary.js";

export { SERVICE_KINDS, type ServiceKind } from "./vocabulary.js";

/**
 * How a production deployment builds its artifact: a one-shot container of the service's image,
 * limits and env, run in a snapshot of the project's files; its filesystem becomes the artifact.
 */
export interface BuildSpec {
  command: string[];
  /** Seconds before the build is stopped and the deployment fails (default DEPLOY_BUILD_TIMEOUT_S). */
  timeoutS?: number;
}

export interface ServiceSpec {
  image: string;
  /** production only: the build step of a deployment; `command` then serves its output. */
  build?: BuildSpec;
  command: string[];
  workdir?: string;
  port: number;
  env: Record<string, string>;
  healthCheck: { path: string; intervalMs: number; timeoutMs: number; retries: number };
  limits: { memoryMb: number; cpus: number; pids: number };
  capabilities?: string[];
  restart: { maxRetries: number };
  /** A directory kept across container replacements (the agent's sessions), on a volume only this service mounts. */
  stateDir?: string;
}

export type TemplateServices = Partial<Record<ServiceKind, ServiceSpec>>;

/**
 * A check a task's change passes before review (issue #14): one shell command, run in a
 * one-shot container of the template's image with its limits, in the task's worktree.
 */
export interface QaGate {
  name: string;
  command: string;
  timeoutSeconds: number;
  /** Advisory when false: its failure is shown but does not block approval. */
  required: boolean;
  order: number;
}

export interface TemplateRecord {
  id: string;
  slug: string;
  name: string;
  description: string;
  services: TemplateServices;
  /** Absolute path of the folder copied into a new project's volume; null for none. */
  filesSeed: string | null;
  /** The QA gates of a task on this template; null: none. A project may declare its own. */
  qaGates: QaGate[] | null;
  /** Projects of it kept running unowned for POST /projects to claim (the warm pool); 0: none. */
  prewarm: number;
  builtIn: boolean;
  createdAt: Date;
  updatedAt: Date;
}

interface NewTemplate {
  slug: string;
  name: string;
  description: string;
  services: TemplateServices;
  filesSeed: string | null;
  qaGates?: QaGate[] | null;
  prewarm?: number;
}

export interface TemplateStore {
  list(): Promise<TemplateRecord[]>;
  get(id: string): Promise<TemplateRecord | null>;
  getBySlug(slug: string): Promise<TemplateRecord | null>;
  /** null when the slug is taken. */
  create(data: NewTemplate & { builtIn: boolean }): Promise<TemplateRecord | null>;
  update(id: string, patch: Partial<Omit<NewTemplate, "slug">>): Promise<TemplateRecord | null>;
  /**
   * "in_use" while a project refers to it; "pool_draining" when only unclaimed warm-pool
   * instances do: its prewarm is set to 0 so the keeper retires them, then it can go.
   */
  delete(id: string): Promise<"deleted" | "in_use" | "pool_draining" | "not_found">;
  upsertBuiltIn(data: NewTemplate): Promise<TemplateRecord>;
}

/** The built-in templates shipped with the control plane (backend/templates/<slug>/template.json). */
export interface BuiltInTemplateSource {
  /** Each template's folder and its template.json, not yet validated. */
  load(): Promise<Array<{ dir: string; manifest: unknown }>>;
}
