// The one HTTP client: typed by the generated `paths`, same-origin cookies, one refresh on 401.
// It rejects with ApiError and never touches the UI (no redirects, no toasts): callers decide.
import createClient from "openapi-fetch";
import { ApiError, toApiError } from "./errors";
import type { paths } from "./schema";

const origin = () => globalThis.location?.origin ?? "http://localhost";

/** Absolute URL of an API path, for EventSource and links. */
export const apiUrl = (path: string) => `${origin()}${path}`;

// Paths where a 401 means "not signed in" rather than "access token expired".
const NO_REFRESH = ["/api/v1/auth/refresh", "/api/v1/auth/logout", "/api/v1/auth/providers"];

let refreshing: Promise<boolean> | null = null;

/** Trades the refresh cookie for a new access cookie; concurrent callers share one request. */
function refreshSession(): Promise<boolean> {
  refreshing ??= globalThis
    .fetch(
      new Request(apiUrl("/api/v1/auth/refresh"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json" },
        body: "{}",
      }),
    )
    .then(
      (r) => r.ok,
      () => false,
    )
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

async function fetchWithRefresh(req: Request): Promise<Response> {
  const retry = req.clone();
  // Resolved per call so test interceptors installed after import still apply.
  const res = await globalThis.fetch(req);
  if (res.status !== 401 || NO_REFRESH.includes(new URL(req.url).pathname)) return res;
  if (!(await refreshSession())) return res;
  return globalThis.fetch(retry);
}

/**
 * A request whose body or answer is not JSON (a file's bytes, an archive): same cookies, the
 * same one refresh on 401, and an ApiError for anything but 2xx/304.
 */
export async function rawFetch(path: string, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetchWithRefresh(new Request(apiUrl(path), { credentials: "same-origin", ...init }));
  } catch {
    throw new ApiError({ code: "NETWORK_ERROR", message: "The server could not be reached.", status: 0 });
  }
  if (!res.ok && res.status !== 304) {
    const body = await res.json().catch(() => undefined);
    throw toApiError(res.status, body, res.headers.get("x-request-id"));
  }
  return res;
}

export const api = createClient<paths>({
  baseUrl: origin(),
  credentials: "same-origin",
  fetch: fetchWithRefresh,
});

/** Resolves to the typed body of a 2xx answer; rejects with ApiError otherwise. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (err) {
    throw new ApiError({
      code: "NETWORK_ERROR",
      message:
        err instanceof Error && err.name === "AbortError"
          ? "The request was canceled."
          : "The server could not be reached.",
      status: 0,
    });
  }
  const { response } = result;
  if (!response.ok) throw toApiError(response.status, result.error, response.headers.get("x-request-id"));
  return result.data as T;
}
