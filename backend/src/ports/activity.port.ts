// Who is using a project right now (issue #15): the edge, the API and the console report here;
// the reconciler asks before it puts a project to sleep. In memory, flushed in batches.

export interface ActivityRecorder {
  /** Someone used the project now (a request on one of its hosts, an API call, console presence). */
  touch(projectId: string): void;
  /** A WebSocket (Vite's HMR) opened; the returned function closes it. Open sockets keep it awake. */
  socketOpened(projectId: string): () => void;
}

export interface ActivityView {
  /** The latest activity this process saw (epoch ms), flushed or not. */
  lastSeen(projectId: string): number | undefined;
  openSockets(projectId: string): number;
}

/** What the edge needs to wake a sleeping project and wait for it. */
export interface ProjectWaker {
  /** One start for any number of callers; resolves true once `hostname` serves, false after `waitMs`. */
  wakeAndWait(projectId: string, hostname: string, waitMs: number): Promise<boolean>;
  /** A wake this process started is still under way (the project's row no longer says sleeping). */
  isWaking(projectId: string): boolean;
}
