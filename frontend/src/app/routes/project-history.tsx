// The project page's History tab: the history feature's commits, diffs and restore.
import { HistoryPanel } from "../../features/history/components/history-panel";
import { ProjectWithProduction as ProjectPage } from "./project";

export function ProjectHistoryRoute() {
  return <ProjectPage tab="history">{(p) => <HistoryPanel projectId={p.id} />}</ProjectPage>;
}
