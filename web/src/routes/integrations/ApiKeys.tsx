// API keys: make one (its secret is shown once), rotate, revoke.
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { ApiError } from "../../api/problem";
import { apiKeysQuery } from "../../api/queries/integrations";
import { invalidateApiKeys } from "../../api/queries/invalidate";
import { useMe } from "../../api/queries/members";
import { relativeTime } from "../../lib/format";
import { Empty, ErrorState, Forbidden, InlineError, Loading } from "../../ui/states";
import { Field } from "../auth/AuthFrame";
import { keyScopesFor, toggle } from "./catalog";
import { OneTimeSecret } from "./OneTimeSecret";

export function Component() {
  const me = useMe();
  const allowed = me.data?.permissions.includes("integrations:manage");
  const queries = useQueryClient();
  const keys = useQuery({ ...apiKeysQuery(), enabled: allowed === true });
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<string[]>(["tickets:read"]);
  const create = useMutation({
    mutationFn: () => call(api.POST("/api/v1/api-keys", { body: { name, scopes } })),
    onSuccess: (key) => {
      setSecret({ name: key.name, secret: key.secret });
      setName("");
      invalidateApiKeys(queries);
    },
  });
  const rotate = useMutation({
    mutationFn: (id: string) => call(api.POST("/api/v1/api-keys/{id}/rotate", { params: { path: { id } } })),
    onSuccess: (key) => {
      setSecret({ name: key.name, secret: key.secret });
      invalidateApiKeys(queries);
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => call(api.DELETE("/api/v1/api-keys/{id}", { params: { path: { id } } })),
    onSettled: () => invalidateApiKeys(queries),
  });
  if (me.isPending) return <Loading />;
  if (!allowed) return <Forbidden detail="API keys are managed by owners and admins." />;
  const permissions = keyScopesFor(me.data?.permissions ?? []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  const fieldError = (field: string) => (create.error instanceof ApiError ? create.error.fieldError(field) : undefined);
  return (
    <section aria-labelledby="api-keys-title">
      <h2 id="api-keys-title">API keys</h2>
      <p className="muted">Integrations call the API with a key as <code>Authorization: Bearer &lt;key&gt;</code>. A key never does more than its scopes.</p>
      {secret && <OneTimeSecret title={`Key “${secret.name}”`} secret={secret.secret} onDone={() => setSecret(null)} />}
      <form className="card form" onSubmit={submit} noValidate aria-label="New API key">
        <Field label="Key name" error={fieldError("name")}>
          {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} placeholder="CRM sync" />}
        </Field>
        <fieldset className="scopes">
          <legend>Scopes</legend>
          {permissions.map((permission) => (
            <label key={permission} className="checkbox">
              <input
                type="checkbox"
                checked={scopes.includes(permission)}
                onChange={(e) => setScopes(toggle(scopes, permission, e.target.checked))}
              />{" "}
              {permission}
            </label>
          ))}
        </fieldset>
        {fieldError("scopes") && <p className="field-error">{fieldError("scopes")}</p>}
        <InlineError error={create.error instanceof ApiError && create.error.slug === "validation-failed" ? null : create.error} />
        <button type="submit" className="button primary" disabled={create.isPending}>
          Make key
        </button>
      </form>
      {keys.isPending ? (
        <Loading />
      ) : keys.isError ? (
        <ErrorState error={keys.error} retry={() => void keys.refetch()} />
      ) : keys.data.items.length === 0 ? (
        <Empty title="No API keys yet" />
      ) : (
        <table className="table" data-testid="api-keys">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Scopes</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data.items.map((key) => (
              <tr key={key.id}>
                <td>
                  <span className="strong">{key.name}</span>
                  <span className="muted small block">
                    <code>{key.prefix}…</code> · made {relativeTime(key.created_at)}
                  </span>
                </td>
                <td className="small">{key.scopes.join(", ")}</td>
                <td className="muted small">{key.revoked_at ? `Revoked ${relativeTime(key.revoked_at)}` : key.last_used_at ? relativeTime(key.last_used_at) : "Never"}</td>
                <td className="actions">
                  {!key.revoked_at && (
                    <>
                      <button type="button" className="button ghost small" onClick={() => rotate.mutate(key.id)} disabled={rotate.isPending}>
                        Rotate
                      </button>
                      <button
                        type="button"
                        className="button ghost small"
                        onClick={() => window.confirm(`Revoke “${key.name}”? Integrations using it stop working at once.`) && revoke.mutate(key.id)}
                        disabled={revoke.isPending}
                      >
                        Revoke
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <InlineError error={rotate.error ?? revoke.error} />
    </section>
  );
}
