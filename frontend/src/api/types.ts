// Domain types read off the generated `paths`, so they survive schema renames in /docs/json.
import type { paths } from "./schema";

type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : never;
type Ok<Op, Code extends number> = Op extends { responses: infer R }
  ? Code extends keyof R
    ? JsonOf<R[Code]>
    : never
  : never;

export type Me = Ok<paths["/api/v1/me"]["get"], 200>;
export type ApiToken = Ok<paths["/api/v1/tokens"]["get"], 200>["tokens"][number];
export type Scope = ApiToken["scopes"][number];
export type CreatedToken = Ok<paths["/api/v1/tokens"]["post"], 201>;
export type Template = Ok<paths["/api/v1/templates"]["get"], 200>["templates"][number];
export type TemplateServices = Template["services"];
export type Project = Ok<paths["/api/v1/projects/{id}"]["get"], 200>;
export type ProjectStatus = Project["status"];
export type Operation = Ok<paths["/api/v1/operations/{id}"]["get"], 200>;
export type OperationStep = Operation["steps"][number];
export type ServiceKind = Project["services"][number]["kind"];
export type FileTree = Ok<paths["/api/v1/projects/{id}/files"]["get"], 200>;
export type FileEntry = FileTree["entries"][number];
export type WrittenFile = Ok<paths["/api/v1/projects/{id}/files/content"]["put"], 200>;
export type CommitList = Ok<paths["/api/v1/projects/{id}/history"]["get"], 200>;
export type Commit = CommitList["commits"][number];
export type Diff = Ok<paths["/api/v1/projects/{id}/diff"]["get"], 200>;
export type FileDiff = Diff["files"][number];
export type DiffHunk = FileDiff["hunks"][number];

/** One line of GET /projects/{id}/logs (SSE `event: log`). */
export interface LogLine {
  stream: "stdout" | "stderr";
  line: string;
  ts?: string;
}

export type AgentSettings = NonNullable<Ok<paths["/api/v1/me/agent-settings"]["get"], 200>>;
export type ProjectAgentSettings = Ok<paths["/api/v1/projects/{id}/agent-settings"]["get"], 200>;
export type AgentSession = Ok<paths["/api/v1/projects/{id}/agent/sessions"]["get"], 200>["sessions"][number];
export type AgentMessage = Ok<
  paths["/api/v1/projects/{id}/agent/sessions/{sid}/messages"]["get"],
  200
>["messages"][number];
export type AgentPart = AgentMessage["parts"][number];
export type AgentPrompt = Ok<paths["/api/v1/projects/{id}/agent/sessions/{sid}/prompt"]["post"], 202>;
export type AgentPermission = Ok<paths["/api/v1/projects/{id}/agent/permissions"]["get"], 200>["permissions"][number];
export type AgentProvider = AgentSettings["provider"];
export type DeploymentList = Ok<paths["/api/v1/projects/{id}/deployments"]["get"], 200>;
export type Deployment = DeploymentList["deployments"][number];
export type DeploymentStatus = Deployment["status"];
export type DeploymentWithLog = Ok<paths["/api/v1/projects/{id}/deployments/{number}"]["get"], 200>["deployment"];
export type TaskList = Ok<paths["/api/v1/projects/{id}/tasks"]["get"], 200>;
export type TaskDiff = Ok<paths["/api/v1/projects/{id}/tasks/{n}/diff"]["get"], 200>;
export type AuditPage = Ok<paths["/api/v1/audit"]["get"], 200>;
export type AuditEvent = AuditPage["events"][number];
export type AuditFilters = NonNullable<paths["/api/v1/audit"]["get"]["parameters"]["query"]>;
