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
//   ['operations', id]              one operation
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
  operation: (id: string) => ["operations", id] as const,
};
