import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { Link, NavLink, useNavigate, useParams, useSearchParams } from "react-router";
import { isApiError } from "../../../api/errors";
import type { Project, ServiceKind } from "../../../api/types";
import { ErrorMessage } from "../../../components/error-message";
import { PageTitle } from "../../../components/page-title";
import { Loading } from "../../../components/spinner";
import { absoluteTime, relativeTime } from "../../../lib/format";
import { isActive, isLifecycle, TRANSITIONAL } from "../api/cache";
import { projectOperationsQuery, projectQuery } from "../api/get-project";
import { type LifecycleAction, useDeleteProject, useProjectAction } from "../api/project-actions";
import { useProjectEvents } from "../api/project-events";
import { presenceEveryMs, usePresence } from "../api/project-settings";
import { DeleteProjectDialog } from "./delete-project-dialog";
import { IdleSettings } from "./idle-settings";
import { LogsPanel } from "./logs-panel";
import { OperationProgress } from "./operation-progress";
import { PreviewFrame } from "./preview-frame";
import { StatusBadge } from "./status-badge";
import { UsagePanel } from "./usage-panel";

const HOST_LABEL: Record<ServiceKind, string> = {
  preview: "Dev preview",
  production: "Production",
  opencode: "OpenCode agent",
};

export type ProjectTab = "overview" | "files" | "history" | "deployments" | "tasks";
const TABS: Array<[ProjectTab, string, string]> = [
  ["overview", "Overview", ""],
  ["files", "Files", "/files"],
  ["history", "History", "/history"],
  ["tasks", "Tasks", "/tasks"],
  ["deployments", "Deployments", "/deployments"],
];

const SETUP_STEPS = [
  ["containers", "Containers"],
  ["agent_working", "Agent working"],
  ["ready", "Ready"],
] as const;

/**
 * One project: its header and actions, then a tab. The Files, History, Tasks and Deployments tabs, the
 * Production panel and what sits beside the preview on the overview (the agent's chat) come from
 * their own features, composed in app/routes (features do not import each other).
 */
export function ProjectPage({
  tab = "overview",
  children,
  beside,
  production,
}: {
  tab?: ProjectTab;
  children?: (project: Project) => ReactNode;
  beside?: (project: Project) => ReactNode;
  /** Under the header on every tab: the production panel (Deploy). */
  production?: (project: Project) => ReactNode;
} = {}) {
  const { id = "" } = useParams();
  const project = useQuery({ ...projectQuery(id), staleTime: 30_000 });
  // Stream only once the project is known to exist (and be ours).
  const stream = useProjectEvents(project.isSuccess ? id : null);
  // An open project page keeps the project awake (issue #15).
  usePresence(project.isSuccess ? id : null, presenceEveryMs(project.data?.effectiveIdleTimeoutSeconds));

  if (project.isPending) return <Loading label="Loading the project…" />;
  if (project.isError) {
    const notFound = isApiError(project.error) && project.error.status === 404;
    return (
      <>
        <PageTitle>{notFound ? "Project not found" : "Project"}</PageTitle>
        {notFound ? (
          <p>There is no project with this address, or it is not yours.</p>
        ) : (
          <ErrorMessage error={project.error} title="Could not load the project." />
        )}
        <Link to="/projects" className="button">
          Back to projects
        </Link>
      </>
    );
  }
  return (
    <ProjectView project={project.data} live={stream === "open"} tab={tab} beside={beside} production={production}>
      {children}
    </ProjectView>
  );
}

/** containers → agent working → ready, for a project created with a prompt. */
function SetupPhases({ project: p }: { project: Project }) {
  if (!p.prompt || p.setup.phase === "ready") return null;
  const at = SETUP_STEPS.findIndex(([phase]) => phase === p.setup.phase);
  return (
    <section className="panel setup" aria-label="Setting up">
      <ol className="setup-steps">
        {SETUP_STEPS.map(([phase, label], i) => (
          <li
            key={phase}
            className={
              p.setup.phase === "agent_failed" && i === 1 ? "failed" : i < at ? "done" : i === at ? "current" : ""
            }
            aria-current={i === at ? "step" : undefined}
          >
            {p.setup.phase === "agent_failed" && i === 1 ? "Agent failed" : label}
          </li>
        ))}
      </ol>
      {p.setup.message ? (
        <p className={p.setup.phase === "agent_failed" ? "alert alert-error" : "muted"}>{p.setup.message}</p>
      ) : null}
    </section>
  );
}

function ProjectView({
  project: p,
  live,
  tab,
  children,
  beside,
  production,
}: {
  project: Project;
  live: boolean;
  tab: ProjectTab;
  children?: ((project: Project) => ReactNode) | undefined;
  beside?: ((project: Project) => ReactNode) | undefined;
  production?: ((project: Project) => ReactNode) | undefined;
}) {
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams();
  const [deleting, setDeleting] = useState(false);
  const operations = useQuery({ ...projectOperationsQuery(p.id), staleTime: Number.POSITIVE_INFINITY });
  const action = useProjectAction(p.id);
  const remove = useDeleteProject(p.id);

  // Deployments run beside the lifecycle: their operations neither show here nor block Start / Stop.
  const latest = operations.data?.find(isLifecycle);
  const busy = TRANSITIONAL.has(p.status) || isActive(latest) || action.isPending;
  const asleep = p.status === "sleeping";
  const canStart = p.status === "stopped" || p.status === "failed" || asleep;
  const canStop = p.status === "running" || p.status === "starting" || p.status === "failed" || asleep;
  const offerStart = search.get("action") === "start" && canStart;
  const showOperation = latest && (isActive(latest) || latest.status === "failed");
  const services = (p.services.length ? p.services.map((s) => s.kind) : (["preview"] as ServiceKind[])).filter(
    (k, i, all) => all.indexOf(k) === i,
  );
  const previewUp = p.status === "running" && p.urls.preview;

  const run = (a: LifecycleAction) => {
    if (search.has("action")) setSearch({}, { replace: true });
    action.mutate(a);
  };

  if (p.status === "deleted") {
    return (
      <>
        <PageTitle>{p.name}</PageTitle>
        <p>This project was deleted.</p>
        <Link to="/projects" className="button">
          Back to projects
        </Link>
      </>
    );
  }

  return (
    <>
      <PageTitle
        actions={
          <>
            {canStart ? (
              <button type="button" className="button button-primary" disabled={busy} onClick={() => run("start")}>
                {asleep ? "Wake" : "Start"}
              </button>
            ) : null}
            {canStop ? (
              <button type="button" className="button" disabled={busy} onClick={() => run("stop")}>
                Stop
              </button>
            ) : null}
            <button
              type="button"
              className="button"
              disabled={busy || p.status !== "running"}
              onClick={() => run("restart")}
            >
              Restart
            </button>
            <button
              type="button"
              className="button button-danger"
              disabled={p.status === "deleting"}
              onClick={() => setDeleting(true)}
            >
              Delete…
            </button>
          </>
        }
      >
        {p.name}
      </PageTitle>

      <div className="project-meta">
        <StatusBadge status={p.status} live />
        <span className="muted">{p.templateName}</span>
        <span className="muted">Active {relativeTime(p.lastActivityAt ?? p.updatedAt)}</span>
        <span className={`live-dot ${live ? "on" : ""}`} title={live ? "Live updates on" : "Live updates reconnecting"}>
          <span className="visually-hidden">{live ? "Live updates on" : "Live updates reconnecting"}</span>
        </span>
      </div>
      {p.statusMessage ? <p className="muted">{p.statusMessage}</p> : null}
      {asleep ? (
        <section className="alert alert-info" aria-label="Asleep">
          <span>
            Asleep since{" "}
            <time dateTime={p.sleptAt ?? undefined} title={absoluteTime(p.sleptAt)}>
              {relativeTime(p.sleptAt)}
            </time>
            , after a while without use. The first visit to one of its hosts wakes it.
          </span>
        </section>
      ) : null}

      {offerStart ? (
        <section className="alert alert-info" aria-label="Start the project">
          <span>This project is stopped, so its hosts cannot answer. Start it now?</span>
          <button type="button" className="button button-primary" disabled={busy} onClick={() => run("start")}>
            Start {p.name}
          </button>
        </section>
      ) : null}

      <ErrorMessage error={action.error} title="That did not work." />
      {showOperation ? <OperationProgress operation={latest} /> : null}

      {production?.(p)}

      <nav className="tabs" aria-label="Project sections">
        {TABS.map(([key, label, suffix]) => (
          // A task's own page (…/tasks/3) keeps the Tasks tab current.
          <NavLink key={key} to={`/projects/${p.id}${suffix}`} end={key !== "tasks"} className="tab">
            {label}
          </NavLink>
        ))}
      </nav>

      {tab !== "overview" && children ? children(p) : null}
      {tab === "overview" ? (
        <Overview project={p} services={services} previewUp={Boolean(previewUp)} beside={beside} />
      ) : null}

      <DeleteProjectDialog
        open={deleting}
        name={p.name}
        pending={remove.isPending}
        error={remove.error}
        onCancel={() => setDeleting(false)}
        onConfirm={(opts) =>
          remove.mutate(opts, {
            onSuccess: () => {
              setDeleting(false);
              void navigate("/projects");
            },
          })
        }
      />
    </>
  );
}

function Overview({
  project: p,
  services,
  previewUp,
  beside,
}: {
  project: Project;
  services: ServiceKind[];
  previewUp: boolean;
  beside?: ((project: Project) => ReactNode) | undefined;
}) {
  return (
    <>
      <section className="panel hosts" aria-labelledby="hosts-title">
        <h2 id="hosts-title">Hosts</h2>
        <ul className="host-list">
          {(Object.keys(HOST_LABEL) as ServiceKind[]).map((kind) => {
            const url = p.urls[kind];
            return (
              <li key={kind}>
                <span className="host-kind">{HOST_LABEL[kind]}</span>
                {url ? (
                  <a href={url} target="_blank" rel="noopener noreferrer">
                    {url}
                  </a>
                ) : (
                  <span className="muted">{kind === "production" ? "not deployed yet" : "not available"}</span>
                )}
              </li>
            );
          })}
        </ul>
      </section>

      <SetupPhases project={p} />
      <IdleSettings project={p} />
      <UsagePanel projectId={p.id} />

      <div className={beside ? "workspace" : undefined}>
        {previewUp && p.urls.preview ? (
          <PreviewFrame url={p.urls.preview} projectName={p.name} />
        ) : (
          <section className="panel preview-placeholder" aria-label="Preview">
            <p className="muted">
              {p.status === "stopped"
                ? "The preview appears here when the project runs."
                : p.status === "sleeping"
                  ? "Asleep: wake it (or open one of its hosts) to see the preview."
                  : "Waiting for the preview to start…"}
            </p>
          </section>
        )}
        {beside?.(p)}
      </div>

      <LogsPanel
        projectId={p.id}
        services={services}
        running={p.status === "running" || p.status === "starting"}
        generation={`${p.status}:${p.services.map((s) => `${s.kind}=${s.observedState}`).join(",")}`}
      />
    </>
  );
}
