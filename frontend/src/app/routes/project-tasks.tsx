// The project page's Tasks tab: the tasks feature's board, and a task's page with the agent
// feature's transcript of its session and the projects feature's frame for its own preview.
import { useParams } from "react-router";
import { AgentTranscript } from "../../features/agent/components/agent-transcript";
import { PreviewFrame } from "../../features/projects/components/preview-frame";
import { TaskBoard } from "../../features/tasks/components/task-board";
import { TaskPage } from "../../features/tasks/components/task-page";
import { ProjectWithProduction as ProjectPage } from "./project";

export function ProjectTasksRoute() {
  return <ProjectPage tab="tasks">{(p) => <TaskBoard projectId={p.id} />}</ProjectPage>;
}

export function ProjectTaskRoute() {
  const { n = "" } = useParams();
  return (
    <ProjectPage tab="tasks">
      {(p) => (
        <TaskPage
          key={n}
          projectId={p.id}
          n={Number(n)}
          transcript={(sid) => <AgentTranscript projectId={p.id} sessionId={sid} />}
          preview={(url, title) => <PreviewFrame url={url} projectName={title} />}
        />
      )}
    </ProjectPage>
  );
}
