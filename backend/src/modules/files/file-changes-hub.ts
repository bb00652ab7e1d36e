// One file watcher per project and process, however many event streams listen: each watcher is
// a process in the project's small workspace container (256 MB), so five open tabs must not
// mean five watchers. The watcher starts with the first listener and stops with the last.
type Watch = (projectId: string, signal: AbortSignal) => AsyncIterable<string[]>;

export function fileChangesHub(watch: Watch) {
  const hubs = new Map<string, { listeners: Set<(paths: string[]) => void>; stop: AbortController }>();

  return async function* changes(projectId: string, signal: AbortSignal) {
    let hub = hubs.get(projectId);
    if (!hub) {
      const created = { listeners: new Set<(paths: string[]) => void>(), stop: new AbortController() };
      hub = created;
      hubs.set(projectId, created);
      void (async () => {
        for await (const paths of watch(projectId, created.stop.signal)) {
          for (const l of created.listeners) l(paths);
        }
      })()
        .catch(() => {})
        .finally(() => {
          if (hubs.get(projectId) === created) hubs.delete(projectId);
        });
    }
    const queue: string[][] = [];
    let wake: (() => void) | null = null;
    const listener = (paths: string[]) => {
      queue.push(paths);
      wake?.();
    };
    const mine = hub;
    mine.listeners.add(listener);
    const onAbort = () => wake?.();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      while (!signal.aborted && !mine.stop.signal.aborted) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((r) => {
          wake = r;
        });
        wake = null;
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      mine.listeners.delete(listener);
      if (mine.listeners.size === 0) {
        mine.stop.abort();
        if (hubs.get(projectId) === mine) hubs.delete(projectId);
      }
    }
  };
}
