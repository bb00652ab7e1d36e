// Composition across features happens here, in the app layer: every tab of the project page
// shows the deployments feature's Production panel (Deploy); the overview has the agent's chat
// beside the preview; the Deployments tab holds the deployments' history.
import type { ComponentProps } from "react";
import { AgentPanel } from "../../features/agent/components/agent-panel";
import { DeployPanel } from "../../features/deployments/components/deploy-panel";
import { DeploymentsTab } from "../../features/deployments/components/deployments-tab";
import { ProjectPage } from "../../features/projects/components/project-page";

/** The project page with its Production panel: what every project route renders. */
export function ProjectWithProduction(props: Omit<NonNullable<ComponentProps<typeof ProjectPage>>, "production">) {
  return <ProjectPage {...props} production={(p) => <DeployPanel project={p} />} />;
}

export function ProjectRoute() {
  return <ProjectWithProduction beside={(project) => <AgentPanel project={project} />} />;
}

export function ProjectDeploymentsRoute() {
  return <ProjectWithProduction tab="deployments">{(p) => <DeploymentsTab project={p} />}</ProjectWithProduction>;
}
