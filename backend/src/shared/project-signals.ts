import { EventEmitter } from "node:events";
import type { ChangeFeed } from "../ports/change-feed.port.js";
import type { ProjectSignals } from "../ports/projects.port.js";

/** In-process fan-out of "project X changed"; listeners re-read the database. */
export function inProcessProjectSignals(): ProjectSignals {
  const bus = new EventEmitter();
  bus.setMaxListeners(0); // one listener per open events stream
  return {
    notify: (projectId) => void bus.emit(projectId),
    subscribe(projectId, fn) {
      bus.on(projectId, fn);
      return () => void bus.off(projectId, fn);
    },
  };
}

/**
 * "Project X changed" from the database's change feed: writes by any replica reach every
 * listener of this process. `notify` does nothing: every write its callers announce lands in a
 * table whose trigger announces it after commit, and announcing twice would read twice.
 * After a reconnect every listener re-reads once (notifications in the gap are lost).
 */
export function changeFeedProjectSignals(feed: Pick<ChangeFeed, "onChange" | "onResync">): ProjectSignals {
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  feed.onChange((c) => {
    if (c.projectId) bus.emit(c.projectId);
  });
  feed.onResync(() => {
    for (const id of bus.eventNames()) bus.emit(id);
  });
  return {
    notify: () => {},
    subscribe(projectId, fn) {
      bus.on(projectId, fn);
      return () => void bus.off(projectId, fn);
    },
  };
}
