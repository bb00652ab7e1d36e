// A project's history: every change (by its owner, the agent or the template) as a git commit
// in the project's own environment; diffs, manual commits and restores as new commits.
import type { AccountStore } from "../../ports/account.port.js";
import type { AuditLog } from "../../ports/audit.port.js";
import type { Principal } from "../../ports/auth.port.js";
import { AGENT_AUTHOR, PLATFORM_AUTHOR, type ProjectGit } from "../../ports/project-git.port.js";
import type { ProjectRecord } from "../../ports/projects.port.js";
import type { TemplateStore } from "../../ports/templates.port.js";
import { conflict, notFound } from "../../shared/errors.js";
import { gitAuthorOf } from "../../shared/git-author.js";
import { workspaceTargetOf } from "../../shared/workspace-target.js";

export interface HistoryServiceDeps {
  projects: { get(principal: Principal, id: string): Promise<ProjectRecord> };
  templates: Pick<TemplateStore, "get">;
  users: Pick<AccountStore, "findById">;
  git: ProjectGit;
  /** The largest diff returned whole; a bigger one is cut and says `truncated`. */
  maxDiffBytes: number;
  audit?: AuditLog;
}

const firstLine = (s: string, max: number) => {
  const line = (s.split("\n").find((l) => l.trim()) ?? "").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

export function historyServiceFactory(deps: HistoryServiceDeps) {
  const { git } = deps;
  const target = async (principal: Principal, id: string) => {
    const p = await deps.projects.get(principal, id);
    return { p, t: await workspaceTargetOf(deps.templates, p) };
  };
  const authorOf = (principal: Principal) => gitAuthorOf(deps.users, principal);

  return {
    async log(principal: Principal, id: string, opts: { limit: number; before?: string | undefined }) {
      const { t } = await target(principal, id);
      return git.log(t, { limit: opts.limit, ...(opts.before ? { before: opts.before } : {}) });
    },
    async commitDiff(principal: Principal, id: string, commit: string) {
      const { t } = await target(principal, id);
      return git.commitDiff(t, commit, { maxBytes: deps.maxDiffBytes });
    },
    async diff(principal: Principal, id: string, opts: { from: string; to: string }) {
      const { t } = await target(principal, id);
      return git.diff(t, { ...opts, maxBytes: deps.maxDiffBytes });
    },
    async commit(principal: Principal, id: string, message: string) {
      const { p, t } = await target(principal, id);
      const c = await git.commitAll(t, { message, author: await authorOf(principal) });
      if (!c) throw conflict("NOTHING_TO_COMMIT", "Nothing changed since the last commit");
      await deps.audit?.record({
        actorId: principal.userId,
        action: "history.commit",
        target: p.id,
        data: { commit: c.id },
      });
      return c;
    },
    async restore(principal: Principal, id: string, commit: string) {
      const { p, t } = await target(principal, id);
      const full = await git.resolveCommit(t, commit);
      if (!full) throw notFound("COMMIT_NOT_FOUND", `No commit ${commit} in this project's history`);
      const c = await git.restore(t, full, {
        author: await authorOf(principal),
        message: `Restore the files of ${full.slice(0, 7)}`,
      });
      await deps.audit?.record({
        actorId: principal.userId,
        action: "history.restore",
        target: p.id,
        data: { from: full, commit: c.id },
      });
      return c;
    },

    /** The template's files as the project's first commit (the reconciler's seed step). */
    async initialize(p: Pick<ProjectRecord, "id" | "templateId" | "templateName">) {
      const t = await workspaceTargetOf(deps.templates, p);
      await git.ensureRepository(t, {
        author: PLATFORM_AUTHOR,
        message: `Create the project from the ${p.templateName} template`,
      });
    },

    /**
     * Commits what the agent changed in one turn, naming the session and the prompt, so every
     * agent change can be seen and undone. Called when the agent's turn ends; null: no change.
     */
    async commitAgentTurn(p: Pick<ProjectRecord, "id" | "templateId">, turn: { sessionId: string; prompt: string }) {
      const t = await workspaceTargetOf(deps.templates, p);
      const prompt = turn.prompt.trim().slice(0, 4000);
      const message = `Agent: ${firstLine(prompt, 60) || "(empty prompt)"}\n\nSession: ${turn.sessionId}\nPrompt:\n${prompt}`;
      return git.commitAll(t, { message, author: AGENT_AUTHOR });
    },
  };
}

export type HistoryService = ReturnType<typeof historyServiceFactory>;
