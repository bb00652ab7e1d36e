import type { ContainerRuntime } from "../../ports/container-runtime.port.js";

// Counts the container runtime's failed calls by the port's method name (a bounded label). At
// this boundary, not in the adapter's guard: the guard also sees the engine's "already so"
// answers (304 on a stop, 404 on an inspect or a volume check) that the adapter turns into
// success, which would count an error on every create. Here, an error is what a caller gets.

export function countedContainerRuntime<R extends ContainerRuntime>(
  runtime: R,
  onError: (operation: string) => void,
): R {
  const counted: Record<string, unknown> = { ...(runtime as object) };
  for (const [name, value] of Object.entries(runtime)) {
    if (typeof value !== "function") continue;
    const fn = value as (...args: unknown[]) => unknown;
    counted[name] = (...args: unknown[]) => {
      const result = fn(...args);
      if (result instanceof Promise) {
        return result.catch((err: unknown) => {
          onError(name);
          throw err;
        });
      }
      if (result && typeof result === "object" && Symbol.asyncIterator in result) {
        return (async function* () {
          try {
            yield* result as AsyncIterable<unknown>;
          } catch (err) {
            onError(name);
            throw err;
          }
        })();
      }
      return result;
    };
  }
  return counted as R;
}
