// A task's own preview while it is in review (issue #14): the template's dev server in a
// container of its own on the project's network, serving the task's worktree. Vite refuses to
// serve files under a `.git` folder (server.fs.deny), and the worktree lives inside .git, so the
// container copies the worktree (read-only mount) to /tmp first and serves the copy: the task's
// branch as it was when it reached review (its agent is done; request-changes stops the preview).
// The edge routes <slug>--t<n>.<APPS_DOMAIN> to the endpoint recorded on the task row.
import { randomBytes } from "node:crypto";
import type { ContainerRuntime, Labels } from "../../ports/container-runtime.port.js";
import type { ServiceSpec } from "../../ports/templates.port.js";
import { LABEL } from "../../reconciler/converger-context.js";
import { waitForHealthy } from "../../reconciler/health.js";
import { TASK_LABEL } from "./gate-runner.js";

export const TASK_PREVIEW_KIND = "task-preview";

export interface TaskPreviewDeps {
  runtime: Pick<
    ContainerRuntime,
    | "createContainer"
    | "startContainer"
    | "removeContainer"
    | "inspectContainer"
    | "listContainers"
    | "ensureNetwork"
    | "imagePresent"
    | "pullImage"
  >;
  installId: string;
  extraLabels?: Labels;
  networkOf: (projectId: string) => string;
  volumeOf: (projectId: string) => string;
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  healthTimeoutMs: number;
}

export function taskPreviews(deps: TaskPreviewDeps) {
  const { runtime } = deps;
  const labels = (projectId: string, n: number): Labels => ({
    ...deps.extraLabels,
    [LABEL.install]: deps.installId,
    [LABEL.project]: projectId,
    [LABEL.kind]: TASK_PREVIEW_KIND,
    [TASK_LABEL]: String(n),
  });
  const projectLabels = (projectId: string): Labels => ({
    ...deps.extraLabels,
    [LABEL.install]: deps.installId,
    [LABEL.project]: projectId,
  });

  return {
    labels,
    /** The task's preview container, started and healthy; returns where it answers. */
    async start(
      project: { id: string; slug: string },
      n: number,
      spec: ServiceSpec,
      worktree: string,
      signal?: AbortSignal,
    ) {
      if (!(await runtime.imagePresent(spec.image))) await runtime.pullImage(spec.image, () => {});
      const network = deps.networkOf(project.id);
      await runtime.ensureNetwork(network, projectLabels(project.id));
      // A fresh name each time: the engine's name conflict with a container still being removed
      // would otherwise hand back that dying container (createContainer adopts its own names).
      const name = `ds-${deps.installId}-${project.slug}-t${n}-preview-${randomBytes(3).toString("hex")}`;
      const { id } = await runtime.createContainer({
        name,
        image: spec.image,
        command: [
          "sh",
          "-c",
          'rm -rf /tmp/task && cp -a "$0" /tmp/task && rm -f /tmp/task/.git && cd /tmp/task && exec "$@"',
          worktree,
          ...spec.command,
        ],
        workdir: "/tmp",
        env: {
          ...spec.env,
          DEVSANCTUM_PROJECT: project.slug,
          DEVSANCTUM_SERVICE: "preview",
          DEVSANCTUM_TASK: String(n),
        },
        labels: labels(project.id, n),
        network,
        networkAlias: `t${n}-preview`,
        volume: { name: deps.volumeOf(project.id), mountPath: "/app", readOnly: true },
        limits: spec.limits,
        capAdd: spec.capabilities ?? [],
      });
      await runtime.startContainer(id);
      const endpoint = `http://${name}:${spec.port}`;
      try {
        await waitForHealthy(endpoint, spec.healthCheck, {
          deadlineMs: deps.healthTimeoutMs,
          fetch: deps.fetch,
          ...(signal ? { signal } : {}),
        });
      } catch (err) {
        await runtime.removeContainer(id);
        throw err;
      }
      return { containerId: id, endpoint };
    },
    async running(containerId: string) {
      return (await runtime.inspectContainer(containerId))?.state === "running";
    },
    /** Removes the task's preview container(s); idempotent. */
    async remove(projectId: string, n: number) {
      for (const c of await runtime.listContainers(labels(projectId, n))) await runtime.removeContainer(c.id);
    },
    /** Every task preview container of this install (the worker's sweep of previews nobody wants). */
    async all() {
      return runtime.listContainers({
        ...deps.extraLabels,
        [LABEL.install]: deps.installId,
        [LABEL.kind]: TASK_PREVIEW_KIND,
      });
    },
  };
}

export type TaskPreviews = ReturnType<typeof taskPreviews>;
