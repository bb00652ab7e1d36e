/** What every failed API call rejects with: the server's `{ error: { code, message, requestId } }`. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly requestId: string | undefined;
  readonly fields: { path: string; message: string }[];

  constructor(opts: {
    code: string;
    message: string;
    status: number;
    requestId?: string | undefined;
    fields?: { path: string; message: string }[];
  }) {
    super(opts.message);
    this.name = "ApiError";
    this.code = opts.code;
    this.status = opts.status;
    this.requestId = opts.requestId;
    this.fields = opts.fields ?? [];
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

interface ErrorBody {
  error?: {
    code?: unknown;
    message?: unknown;
    requestId?: unknown;
    details?: { fields?: unknown };
  };
}

/** Builds an ApiError from any response body; bodies that are not ours still give a readable error. */
export function toApiError(status: number, body: unknown, requestIdHeader?: string | null): ApiError {
  const e = (typeof body === "object" && body !== null ? (body as ErrorBody).error : undefined) ?? {};
  const rawFields = Array.isArray(e.details?.fields) ? e.details.fields : [];
  const fields = rawFields
    .filter((f): f is { path: unknown; message: unknown } => typeof f === "object" && f !== null)
    .map((f) => ({ path: String(f.path ?? ""), message: String(f.message ?? "") }));
  return new ApiError({
    code: typeof e.code === "string" ? e.code : status === 0 ? "NETWORK_ERROR" : `HTTP_${status}`,
    message:
      typeof e.message === "string"
        ? e.message
        : status === 0
          ? "The server could not be reached."
          : `The server answered ${status}.`,
    status,
    requestId: typeof e.requestId === "string" ? e.requestId : (requestIdHeader ?? undefined),
    fields,
  });
}
