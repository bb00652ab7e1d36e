// Composition across features happens here, in the app layer: the agent's chat sits beside the
// project's preview.
import { AgentPanel } from "../../features/agent/components/agent-panel";
import { ProjectPage } from "../../features/projects/components/project-page";

export function ProjectRoute() {
  return <ProjectPage beside={(project) => <AgentPanel project={project} />} />;
}
