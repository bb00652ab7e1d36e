import { EventEmitter } from "node:events";
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
