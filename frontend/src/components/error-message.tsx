import { isApiError } from "../api/errors";

/** Shows a failed call where it happened: the server's message, its code and request id. */
export function ErrorMessage({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const api = isApiError(error) ? error : null;
  return (
    <div className="alert alert-error" role="alert">
      {title ? <strong>{title} </strong> : null}
      <span>{api ? api.message : error instanceof Error ? error.message : String(error)}</span>
      {api ? (
        <small className="alert-meta">
          {api.code}
          {api.requestId ? ` · request ${api.requestId}` : ""}
        </small>
      ) : null}
    </div>
  );
}
