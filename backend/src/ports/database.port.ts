export interface DatabaseProbe {
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
}
