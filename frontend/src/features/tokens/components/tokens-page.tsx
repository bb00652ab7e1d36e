import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import type { ApiToken, CreatedToken, Scope } from "../../../api/types";
import { Dialog } from "../../../components/dialog";
import { ErrorMessage } from "../../../components/error-message";
import { PageTitle } from "../../../components/page-title";
import { Loading } from "../../../components/spinner";
import { absoluteTime, relativeTime } from "../../../lib/format";
import { tokensQuery, useCreateToken, useRevokeToken } from "../api/tokens";

const SCOPES: { scope: Scope; label: string }[] = [
  { scope: "projects:read", label: "Read projects" },
  { scope: "projects:write", label: "Create and change projects" },
  { scope: "templates:read", label: "Read templates" },
  { scope: "templates:write", label: "Change templates (admins)" },
  { scope: "tokens:read", label: "List tokens" },
  { scope: "tokens:write", label: "Create and revoke tokens" },
];

const EXPIRY = [
  { days: 7, label: "7 days" },
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "1 year" },
  { days: 0, label: "Never" },
];

export function TokensPage() {
  const tokens = useQuery(tokensQuery());
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const revoke = useRevokeToken();
  return (
    <>
      <PageTitle>API tokens</PageTitle>
      <p className="muted">
        Everything the console does, <code>curl -H "Authorization: Bearer dsk_…"</code> can do. A token is shown once.
      </p>
      {created ? (
        <NewToken created={created} onDismiss={() => setCreated(null)} />
      ) : (
        <CreateTokenForm onCreated={setCreated} />
      )}
      <h2>Your tokens</h2>
      {tokens.isPending ? <Loading label="Loading tokens…" /> : null}
      <ErrorMessage error={tokens.error} title="Could not load your tokens." />
      <ErrorMessage error={revoke.error} title="The token was not revoked." />
      {tokens.data && tokens.data.length === 0 ? <p className="muted">No tokens yet.</p> : null}
      {tokens.data && tokens.data.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Token</th>
                <th scope="col">Scopes</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>
                    <code>{t.prefix.startsWith("dsk_") ? t.prefix : `dsk_${t.prefix}`}…</code>
                  </td>
                  <td className="scopes">{t.scopes.join(", ")}</td>
                  <td title={absoluteTime(t.lastUsedAt)}>{relativeTime(t.lastUsedAt)}</td>
                  <td title={absoluteTime(t.expiresAt)}>{t.expiresAt ? relativeTime(t.expiresAt) : "never"}</td>
                  <td>
                    <button
                      type="button"
                      className="button button-small button-danger"
                      onClick={() => {
                        revoke.reset();
                        setRevoking(t);
                      }}
                      aria-label={`Revoke ${t.name}`}
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Dialog open={revoking !== null} title={`Revoke ${revoking?.name ?? ""}?`} onClose={() => setRevoking(null)}>
        <p>Scripts using it stop working at once.</p>
        <div className="form-actions">
          <button
            type="button"
            className="button button-danger"
            disabled={revoke.isPending}
            onClick={() => {
              if (revoking) revoke.mutate(revoking.id, { onSettled: () => setRevoking(null) });
            }}
          >
            Revoke token
          </button>
          <button type="button" className="button" onClick={() => setRevoking(null)}>
            Cancel
          </button>
        </div>
      </Dialog>
    </>
  );
}

function CreateTokenForm({ onCreated }: { onCreated: (t: CreatedToken) => void }) {
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["projects:read"]);
  const [days, setDays] = useState(30);
  const [submitted, setSubmitted] = useState(false);
  const create = useCreateToken();
  const id = useId();
  const nameError = submitted && !name.trim() ? "Name the token after what will use it." : null;
  const scopeError = submitted && scopes.length === 0 ? "Pick at least one scope." : null;
  return (
    <form
      className="form card"
      aria-label="Create a token"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (!name.trim() || scopes.length === 0) return;
        create.mutate(
          { name: name.trim(), scopes, ...(days ? { expiresInDays: days } : {}) },
          {
            onSuccess: (t) => {
              setName("");
              setSubmitted(false);
              onCreated(t);
            },
          },
        );
      }}
    >
      <h2>Create a token</h2>
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            value={name}
            placeholder="ci-deploy"
            aria-invalid={nameError ? true : undefined}
            onChange={(e) => setName(e.target.value)}
          />
          {nameError ? <p className="field-error">{nameError}</p> : null}
        </div>
        <div className="field">
          <label htmlFor={`${id}-expiry`}>Expires after</label>
          <select id={`${id}-expiry`} value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {EXPIRY.map((x) => (
              <option key={x.days} value={x.days}>
                {x.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <fieldset className="field">
        <legend>Scopes</legend>
        <div className="checks">
          {SCOPES.map(({ scope, label }) => (
            <label key={scope} className="check">
              <input
                type="checkbox"
                checked={scopes.includes(scope)}
                onChange={(e) => setScopes((s) => (e.target.checked ? [...s, scope] : s.filter((x) => x !== scope)))}
              />
              <code>{scope}</code> <span className="muted">{label}</span>
            </label>
          ))}
        </div>
        {scopeError ? <p className="field-error">{scopeError}</p> : null}
      </fieldset>
      <ErrorMessage error={create.error} title="The token was not created." />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          Create token
        </button>
      </div>
    </form>
  );
}

function NewToken({ created, onDismiss }: { created: CreatedToken; onDismiss: () => void }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const id = useId();
  return (
    <section className="card new-token" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Token “{created.apiToken.name}” created</h2>
      <p>Copy it now: it is not shown again.</p>
      <div className="copy-row">
        <label htmlFor={`${id}-value`} className="visually-hidden">
          New token
        </label>
        <input id={`${id}-value`} readOnly value={created.token} onFocus={(e) => e.currentTarget.select()} />
        <button
          type="button"
          className="button button-primary"
          onClick={() =>
            navigator.clipboard.writeText(created.token).then(
              () => setCopied("yes"),
              () => setCopied("failed"),
            )
          }
        >
          Copy
        </button>
      </div>
      <p role="status" className="muted">
        {copied === "yes"
          ? "Copied to the clipboard."
          : copied === "failed"
            ? "Copy failed: select the text and copy it."
            : ""}
      </p>
      <button type="button" className="button" onClick={onDismiss}>
        Done
      </button>
    </section>
  );
}
