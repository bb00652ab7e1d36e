// Committed changes to project state, announced by the database to every control-plane process
// (PostgreSQL LISTEN/NOTIFY). Listeners re-read what they show; a feed may drop notifications
// while it reconnects, and says so with `resync`, so listeners keep a slow re-read anyway.

/** The tables whose rows announce their changes (migration 20261202130903_change_notify). */
export type ChangedTable =
  | "Project"
  | "ServiceInstance"
  | "Route"
  | "Operation"
  | "ProjectAgent"
  | "Deployment"
  | "Template"
  | "Task";

export interface Change {
  table: ChangedTable;
  /** The project the row belongs to; null for templates. */
  projectId: string | null;
}

export interface ChangeFeed {
  /** Every committed change, from any process. Returns the unsubscribe function. */
  onChange(fn: (change: Change) => void): () => void;
  /** After the listening connection came back: changes in between may have been missed. */
  onResync(fn: () => void): () => void;
  close(): Promise<void>;
}
