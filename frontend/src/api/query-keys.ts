// The query-key hierarchy, designed once: invalidating a prefix refreshes everything below it.
//   ['me']                          who am I
//   ['auth', 'providers']           sign-in options
//   ['templates']                   template list
//   ['tokens']                      API tokens
//   ['projects']                    project list
//   ['projects', id]                one project (kept fresh by its SSE stream)
//   ['projects', id, 'operations']  its operations, newest first
//   ['projects', id, 'files']       its file tree, and below it each open file's content
//   ['projects', id, 'history']     its commits, and below it their diffs
//   ['projects', id, 'usage']       its traffic per host and its containers' CPU and memory
//   ['projects', id, 'deployments'] its deployments, newest first (with the disk they use)
//   ['projects', id, 'deployments', n]  one deployment, with its log
//   ['projects', id, 'tasks']       its task board (task.changed invalidates it, and all below)
//   ['projects', id, 'tasks', n]    one task, and below it ['…', n, 'diff'] its diff
//   ['operations', id]              one operation
//   ['me', 'agent-settings']        your default model settings
//   ['projects', id, 'agent-settings']             a project's override and effective settings
//   ['projects', id, 'agent', 'sessions']          its agent's sessions (status, queue)
//   ['projects', id, 'agent', 'messages', sid]     one session's messages (fed by the agent stream)
//   ['projects', id, 'agent', 'permissions']       pending permission requests
//   ['audit', filters]              the audit log's pages for these filters
export const queryKeys = {
  me: ["me"] as const,
  providers: ["auth", "providers"] as const,
  templates: ["templates"] as const,
  tokens: ["tokens"] as const,
  projects: ["projects"] as const,
  project: (id: string) => ["projects", id] as const,
  projectOperations: (id: string) => ["projects", id, "operations"] as const,
  projectFiles: (id: string) => ["projects", id, "files"] as const,
  projectFile: (id: string, path: string) => ["projects", id, "files", "content", path] as const,
  projectHistory: (id: string) => ["projects", id, "history"] as const,
  projectDiff: (id: string, what: string) => ["projects", id, "history", "diff", what] as const,
  projectUsage: (id: string) => ["projects", id, "usage"] as const,
  deployments: (id: string) => ["projects", id, "deployments"] as const,
  deployment: (id: string, n: number) => ["projects", id, "deployments", n] as const,
  tasks: (id: string) => ["projects", id, "tasks"] as const,
  task: (id: string, n: number) => ["projects", id, "tasks", n] as const,
  taskDiff: (id: string, n: number) => ["projects", id, "tasks", n, "diff"] as const,
  operation: (id: string) => ["operations", id] as const,
  myAgentSettings: ["me", "agent-settings"] as const,
  projectAgentSettings: (id: string) => ["projects", id, "agent-settings"] as const,
  agent: (id: string) => ["projects", id, "agent"] as const,
  agentSessions: (id: string) => ["projects", id, "agent", "sessions"] as const,
  agentMessages: (id: string, sid: string) => ["projects", id, "agent", "messages", sid] as const,
  agentPermissions: (id: string) => ["projects", id, "agent", "permissions"] as const,
  audit: (filters: object) => ["audit", filters] as const,
};
