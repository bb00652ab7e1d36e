// The project page's History tab: the history feature's commits, diffs and restore.
import { HistoryPanel } from "../../features/history/components/history-panel";
import { ProjectPage } from "../../features/projects/components/project-page";

export function ProjectHistoryRoute() {
  return <ProjectPage tab="history">{(p) => <HistoryPanel projectId={p.id} />}</ProjectPage>;
}
