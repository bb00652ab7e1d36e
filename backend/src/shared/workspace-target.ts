import type { ProjectRecord } from "../ports/projects.port.js";
import type { TemplateStore } from "../ports/templates.port.js";
import type { WorkspaceTarget } from "../ports/workspace.port.js";

/** A project's workspace: its files belong to the user of the template's first image (as seeded). */
export async function workspaceTargetOf(
  templates: Pick<TemplateStore, "get">,
  p: Pick<ProjectRecord, "id" | "templateId">,
): Promise<WorkspaceTarget> {
  const t = await templates.get(p.templateId);
  const first = t?.services.preview ?? t?.services.opencode;
  return { projectId: p.id, ownerImage: first?.image ?? null };
}
