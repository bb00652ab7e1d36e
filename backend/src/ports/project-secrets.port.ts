// A project's own secrets (today OpenCode's password), stored sealed; values are plain here.
export interface ProjectSecretStore {
  /** The secret `name` of the project; made with `make` and stored first when it has none. */
  getOrCreate(projectId: string, name: string, make: () => string): Promise<string>;
  /** Replaces it (a rotation); returns when it was rotated. */
  replace(projectId: string, name: string, value: string): Promise<Date>;
}
