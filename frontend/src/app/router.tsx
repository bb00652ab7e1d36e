import { Navigate, type RouteObject } from "react-router";
import { AccountPage } from "../features/account/components/account-page";
import { AgentSettingsPage } from "../features/agent/components/agent-settings-page";
import { AuditPage } from "../features/audit/components/audit-page";
import { SignInPage } from "../features/auth/components/signin-page";
import { ProjectsListPage } from "../features/projects/components/projects-list-page";
import { TemplatesPage } from "../features/templates/components/templates-page";
import { TokensPage } from "../features/tokens/components/tokens-page";
import { Layout } from "./layout";
import { RequireAuth } from "./require-auth";
import { NewProjectRoute } from "./routes/new-project";
import { ProjectDeploymentsRoute, ProjectRoute } from "./routes/project";

export const routes: RouteObject[] = [
  { path: "/signin", element: <SignInPage /> },
  {
    element: <RequireAuth />,
    children: [
      {
        element: <Layout />,
        children: [
          { index: true, element: <Navigate to="/projects" replace /> },
          { path: "/projects", element: <ProjectsListPage /> },
          { path: "/projects/new", element: <NewProjectRoute /> },
          { path: "/projects/:id", element: <ProjectRoute /> },
          // Loaded when first opened: the console's first load does not carry them (or CodeMirror).
          {
            path: "/projects/:id/files",
            lazy: async () => ({ Component: (await import("./routes/project-files")).ProjectFilesRoute }),
          },
          {
            path: "/projects/:id/history",
            lazy: async () => ({ Component: (await import("./routes/project-history")).ProjectHistoryRoute }),
          },
          {
            path: "/projects/:id/tasks",
            lazy: async () => ({ Component: (await import("./routes/project-tasks")).ProjectTasksRoute }),
          },
          {
            path: "/projects/:id/tasks/:n",
            lazy: async () => ({ Component: (await import("./routes/project-tasks")).ProjectTaskRoute }),
          },
          { path: "/settings/agent", element: <AgentSettingsPage /> },
          { path: "/projects/:id/deployments", element: <ProjectDeploymentsRoute /> },
          { path: "/templates", element: <TemplatesPage /> },
          { path: "/tokens", element: <TokensPage /> },
          { path: "/account", element: <AccountPage /> },
          { path: "/audit", element: <AuditPage /> },
          { path: "*", element: <NotFound /> },
        ],
      },
    ],
  },
];

function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        <a href="/projects">Go to your projects</a>
      </p>
    </>
  );
}
