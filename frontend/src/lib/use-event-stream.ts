// Server-sent events with the browser's EventSource. EventSource reconnects by itself after a
// dropped connection; an HTTP error (e.g. 401 once the access cookie expired) closes it for good,
// so we let the client refresh the session if needed and reconnect with backoff, giving up
// after a few failed opens in a row.
import { useEffect, useRef, useState } from "react";
import { api, apiUrl } from "../api/client";

export type StreamState = "connecting" | "open" | "reconnecting" | "ended" | "failed";
export type StreamHandlers = Record<string, (data: string) => void>;

const MAX_FAILED_OPENS = 6;

export function useEventStream(
  path: string | null,
  handlers: StreamHandlers,
  opts: { endEvent?: string; reopenKey?: string; reopenAfterEndMs?: number; onOpen?: () => void } = {},
): StreamState {
  const [state, setState] = useState<StreamState>("connecting");
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;
  const endEvent = opts.endEvent;
  // A new key opens a new stream on the same path (e.g. the container behind it was replaced).
  const reopenKey = opts.reopenKey;
  const reopenAfterEndMs = opts.reopenAfterEndMs;
  const onOpenRef = useRef(opts.onOpen);
  onOpenRef.current = opts.onOpen;

  // biome-ignore lint/correctness/useExhaustiveDependencies: reopenKey only forces a reconnect
  useEffect(() => {
    if (!path) return;
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let disposed = false;
    setState("connecting");

    const connect = () => {
      if (disposed) return;
      const es = new EventSource(apiUrl(path));
      source = es;
      es.onopen = () => {
        failures = 0;
        onOpenRef.current?.();
        setState("open");
      };
      const listen = (name: string) =>
        es.addEventListener(name, (ev) => {
          if (name === endEvent) {
            es.close();
            setState("ended");
            // The producer finished (e.g. its container stopped); look again later in case a
            // replacement started without a status change we saw.
            if (reopenAfterEndMs) timer = setTimeout(connect, reopenAfterEndMs);
          }
          handlersRef.current[name]?.((ev as MessageEvent<string>).data);
        });
      for (const name of Object.keys(handlersRef.current)) listen(name);
      if (endEvent && !(endEvent in handlersRef.current)) listen(endEvent);
      es.onerror = () => {
        if (disposed || es.readyState !== EventSource.CLOSED) {
          if (!disposed) setState("reconnecting");
          return;
        }
        failures += 1;
        if (failures > MAX_FAILED_OPENS) {
          setState("failed");
          return;
        }
        setState("reconnecting");
        const delay = Math.min(500 * 2 ** (failures - 1), 10_000);
        // EventSource hides the status: an authenticated call refreshes the session if that
        // was a 401 (and costs one cheap request otherwise) before reconnecting.
        timer = setTimeout(() => void api.GET("/api/v1/me").finally(connect), delay);
      };
    };
    connect();
    return () => {
      disposed = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [path, endEvent, reopenKey, reopenAfterEndMs]);

  return path ? state : "ended";
}
