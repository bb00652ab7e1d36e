// What the task service and the task worker share: where a task works, how its agent is
// reached, which template service its gates and preview use, and its gates as they apply.
import type { AgentServer, AgentServerConnector } from "../../ports/agent.port.js";
import type { TaskTree } from "../../ports/project-git.port.js";
import type { ProjectRecord } from "../../ports/projects.port.js";
import type { QaGateStore } from "../../ports/tasks.port.js";
import type { ServiceSpec, TemplateRecord } from "../../ports/templates.port.js";
import { effectiveGates } from "./qa-gates.js";

/** Where task n works: branch task/<n>, checked out inside .git (no dev server or archive sees it). */
export const taskTree = (n: number): TaskTree => ({ branch: `task/${n}`, path: `.git/devsanctum/tasks/${n}` });

/** The project's files inside its containers (the converger mounts the volume there). */
const FILES_ROOT = "/app";
/** The task's worktree as its containers (agent, gates, preview) see it. */
export const worktreeIn = (n: number) => `${FILES_ROOT}/${taskTree(n).path}`;

/** The task's own view of the project's OpenCode server (scoped to its worktree), or null while it is not up. */
export function taskAgent(agents: AgentServerConnector, p: ProjectRecord, n: number): AgentServer | null {
  const svc = p.services.find((s) => s.kind === "opencode");
  if (p.status !== "running" || svc?.health !== "healthy" || !svc.endpoint) return null;
  return agents.connect(p.id, svc.endpoint, { directory: worktreeIn(n) });
}

/** The service whose image, env and limits gates and the task preview use: the dev preview's. */
export const gateSpecOf = (t: TemplateRecord | null): ServiceSpec | null =>
  t?.services.preview ?? t?.services.production ?? null;

export async function gatesOf(gateStore: QaGateStore, template: TemplateRecord | null, projectId: string) {
  return effectiveGates(template?.qaGates ?? null, await gateStore.get(projectId));
}

/** The next prompt after a review round: the comments, each at its place, then the reviewer's message. */
export function changesPrompt(comments: { path: string; line: number; body: string }[], message?: string) {
  const lines = ["The reviewer asks for changes to your work on this task."];
  if (comments.length) {
    lines.push("", "Comments on the diff:");
    for (const c of comments) lines.push(`- ${c.path}:${c.line}: ${c.body}`);
  }
  if (message?.trim()) lines.push("", message.trim());
  return lines.join("\n");
}

export const taskPrompt = (t: { n: number; title: string; description: string }) =>
  [`Task ${t.n}: ${t.title}`, t.description.trim()].filter(Boolean).join("\n\n");
