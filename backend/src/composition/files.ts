// Builds the files and history area (issue #13): the per-project workspace containers, the
// files agent and git adapters over them, and the two services. main.ts and the tests call it.
import { dockerWorkspaces } from "../adapters/docker/docker-workspaces.js";
import type { dockerodeContainerRuntime } from "../adapters/docker/dockerode-container-runtime.js";
import { agentProjectFiles, type WorkspaceHost } from "../adapters/workspace/agent-project-files.js";
import { gitCliProjectGit } from "../adapters/workspace/git-cli-project-git.js";
import type { FilesConfig } from "../config/config.js";
import { type FilesServiceDeps, filesServiceFactory } from "../modules/files/files.service.js";
import { historyServiceFactory } from "../modules/history/history.service.js";
import type { AccountStore } from "../ports/account.port.js";
import type { AuditLog } from "../ports/audit.port.js";
import type { Labels } from "../ports/container-runtime.port.js";
import type { ProjectStore } from "../ports/projects.port.js";
import type { TemplateStore } from "../ports/templates.port.js";
import { resourceNames } from "../reconciler/converger-context.js";

/** The workspace container's limits: file operations and git, never a build. */
const WORKSPACE_LIMITS = { memoryMb: 256, cpus: 1, pids: 64 };
/** The largest diff returned whole; a bigger one is cut and says so. */
const MAX_DIFF_BYTES = 8 * 1024 * 1024;

export interface FilesAreaDeps {
  /** The Docker adapter (its engine client): workspace containers and exec. */
  runtime: Pick<ReturnType<typeof dockerodeContainerRuntime>, "docker">;
  installId: string;
  extraLabels?: Labels;
  config: FilesConfig;
  /** The project if the principal may see it (the projects service's rule: 404 otherwise). */
  projects: FilesServiceDeps["projects"];
  templates: Pick<TemplateStore, "get">;
  /** Project rows, whoever asks: a file watcher stops once its project is being deleted. */
  store: Pick<ProjectStore, "get">;
  users: Pick<AccountStore, "findById">;
  audit?: AuditLog;
  log?: { warn(obj: object, msg?: string): void };
  /** Tests: the files agent somewhere else (a child process on a folder). */
  host?: WorkspaceHost;
}

export function composeFiles(deps: FilesAreaDeps) {
  const workspaces =
    deps.host === undefined
      ? dockerWorkspaces({
          docker: deps.runtime.docker,
          installId: deps.installId,
          ...(deps.extraLabels ? { extraLabels: deps.extraLabels } : {}),
          volumeName: resourceNames(deps.installId).volume,
          image: deps.config.workspace.image,
          idleMs: deps.config.workspace.idleMs,
          limits: WORKSPACE_LIMITS,
          ...(deps.log ? { log: deps.log } : {}),
        })
      : null;
  const agent = agentProjectFiles(deps.host ?? (workspaces as WorkspaceHost));
  const audit = deps.audit ? { audit: deps.audit } : {};
  const files = filesServiceFactory({
    projects: deps.projects,
    templates: deps.templates,
    files: agent,
    limits: deps.config,
    lookup: (id) => deps.store.get(id),
    ...audit,
  });
  const git = gitCliProjectGit(agent);
  const common = {
    projects: deps.projects,
    templates: deps.templates,
    users: deps.users,
    git,
    maxDiffBytes: MAX_DIFF_BYTES,
    ...audit,
  };
  const history = historyServiceFactory(common);
  return {
    files,
    history,
    /** Git in the project's environment: the task board (composition/tasks.ts) works through it too. */
    git,
    maxDiffBytes: MAX_DIFF_BYTES,
    /** For the reconciler's seed step: the template's files become the first commit. */
    initRepository: (p: Parameters<typeof history.initialize>[0]) => history.initialize(p),
    /**
     * For the agent (issue #11) when one of its turns ends: commits what it changed, naming the
     * session and the prompt; null when nothing changed or the project is gone.
     */
    async onAgentTurnEnd(projectId: string, turn: { sessionId: string; prompt: string }) {
      const p = await deps.store.get(projectId);
      return p && p.desiredState !== "deleted" ? history.commitAgentTurn(p, turn) : null;
    },
    close: async () => workspaces?.close(),
  };
}

export type FilesArea = ReturnType<typeof composeFiles>;
