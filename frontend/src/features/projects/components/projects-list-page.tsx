import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import type { Project } from "../../../api/types";
import { ErrorMessage } from "../../../components/error-message";
import { PageTitle } from "../../../components/page-title";
import { Loading } from "../../../components/spinner";
import { absoluteTime, relativeTime } from "../../../lib/format";
import { TRANSITIONAL } from "../api/cache";
import { projectsQuery } from "../api/get-projects";
import { useProjectEvents } from "../api/project-events";
import { StatusBadge } from "./status-badge";

// Browsers allow six HTTP/1.1 connections per origin: follow only projects that are changing.
const MAX_LIVE = 4;

function LiveProject({ id }: { id: string }) {
  useProjectEvents(id);
  return null;
}

export function ProjectsListPage() {
  const projects = useQuery({ ...projectsQuery(), refetchOnWindowFocus: true });
  const changing = (projects.data ?? []).filter((p) => TRANSITIONAL.has(p.status)).slice(0, MAX_LIVE);
  const newButton = (
    <Link className="button button-primary" to="/projects/new">
      New project
    </Link>
  );
  return (
    <>
      <PageTitle actions={projects.data?.length ? newButton : undefined}>Projects</PageTitle>
      {changing.map((p) => (
        <LiveProject key={p.id} id={p.id} />
      ))}
      {projects.isPending ? <Loading label="Loading projects…" /> : null}
      <ErrorMessage error={projects.error} title="Could not load your projects." />
      {projects.data && projects.data.length === 0 ? (
        <div className="empty">
          <h2>No projects yet</h2>
          <p>A project runs a template's dev preview, an OpenCode agent and production builds, each on its own host.</p>
          <Link className="button button-primary" to="/projects/new">
            Create your first project
          </Link>
        </div>
      ) : null}
      {projects.data && projects.data.length > 0 ? (
        <ul className="project-list">
          {projects.data.map((p) => (
            <ProjectRow key={p.id} project={p} />
          ))}
        </ul>
      ) : null}
    </>
  );
}

function ProjectRow({ project: p }: { project: Project }) {
  return (
    <li className="card project-row">
      <div className="project-row-main">
        <Link to={`/projects/${p.id}`} className="project-name">
          {p.name}
        </Link>
        <span className="muted">{p.templateName}</span>
      </div>
      <StatusBadge status={p.status} />
      {p.status === "sleeping" && p.sleptAt ? (
        <span className="muted project-activity" title={absoluteTime(p.sleptAt)}>
          Asleep since {relativeTime(p.sleptAt)}
        </span>
      ) : (
        <span className="muted project-activity" title={absoluteTime(p.lastActivityAt ?? p.updatedAt)}>
          Active {relativeTime(p.lastActivityAt ?? p.updatedAt)}
        </span>
      )}
    </li>
  );
}
