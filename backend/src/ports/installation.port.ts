// The installation's identity as the database holds it (see composition/installation.ts).
export interface InstallationStore {
  /** The install id this database belongs to; null before its first start. */
  get(): Promise<string | null>;
  /** Stores `installId` unless one is stored already (another replica won); returns the stored one. */
  claim(installId: string): Promise<string>;
  /** Whether the database holds any project (created before install ids were stored). */
  hasProjects(): Promise<boolean>;
}
