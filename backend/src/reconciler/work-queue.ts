// A keyed work queue: at most `concurrency` keys run at once, a key never runs twice at the
// same time, and a key added while it runs runs once more afterwards (level-triggered).
export function keyedWorkQueue(concurrency: number, run: (key: string) => Promise<void>) {
  const pending = new Set<string>();
  const running = new Set<string>();
  const dirty = new Set<string>();
  let idleWaiters: Array<() => void> = [];

  const pump = () => {
    for (const key of pending) {
      if (running.size >= concurrency) break;
      if (running.has(key)) continue;
      pending.delete(key);
      running.add(key);
      void run(key)
        .catch(() => {}) // run() reports its own failures
        .finally(() => {
          running.delete(key);
          if (dirty.delete(key)) pending.add(key);
          pump();
        });
    }
    if (running.size === 0 && pending.size === 0) {
      for (const w of idleWaiters) w();
      idleWaiters = [];
    }
  };

  return {
    add(key: string) {
      if (running.has(key)) dirty.add(key);
      else pending.add(key);
      pump();
    },
    /** Resolves once nothing runs or waits. */
    idle(): Promise<void> {
      if (running.size === 0 && pending.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    get size() {
      return pending.size + running.size;
    },
  };
}
