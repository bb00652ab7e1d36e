/** Values of every source as they come, until all of them end; stopping early stops them all. */
export async function* mergeAsync<T>(...sources: AsyncIterable<T>[]): AsyncGenerator<T> {
  const its = sources.map((s) => s[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ i: number; r: IteratorResult<T> }>>();
  const pull = (i: number) =>
    pending.set(
      i,
      (its[i] as AsyncIterator<T>).next().then((r) => ({ i, r })),
    );
  for (let i = 0; i < its.length; i++) pull(i);
  try {
    while (pending.size > 0) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done) {
        pending.delete(i);
        continue;
      }
      pull(i);
      yield r.value;
    }
  } finally {
    await Promise.all(its.map((it) => it.return?.().catch(() => undefined)));
  }
}

/** Each value of `source`, transformed. */
export async function* mapAsync<T, U>(source: AsyncIterable<T>, fn: (v: T) => U): AsyncGenerator<U> {
  for await (const v of source) yield fn(v);
}
