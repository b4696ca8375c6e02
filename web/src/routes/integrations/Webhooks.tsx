// Webhook endpoints: register (the signing secret is shown once), pause or re-enable, rotate the
// secret, remove; each endpoint's delivery log with its attempts, and replays.
import { useState, type FormEvent } from "react";
import { config } from "../../config";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { ApiError } from "../../api/problem";
import { deliveriesQuery, webhooksQuery } from "../../api/queries/integrations";
import { invalidateDeliveries, invalidateWebhooks } from "../../api/queries/invalidate";
import { useMe, usePermission } from "../../api/queries/members";
import type { Schemas } from "../../api/types";
import { dateTime, label, relativeTime } from "../../lib/format";
import { Empty, ErrorState, Forbidden, InlineError, Loading } from "../../ui/states";
import { Field } from "../auth/AuthFrame";
import { WEBHOOK_EVENTS, toggle } from "./catalog";
import { OneTimeSecret } from "./OneTimeSecret";
import { SlackConnect } from "./SlackConnect";


export function Component() {
  const allowed = usePermission("webhooks:manage");
  const queries = useQueryClient();
  const hooks = useQuery({ ...webhooksQuery(), enabled: allowed === true });
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [form, setForm] = useState({ url: "", description: "", events: ["ticket.created"] as string[] });
  const create = useMutation({
    mutationFn: () => call(api.POST("/api/v1/webhooks", { body: { url: form.url, description: form.description || null, events: form.events } })),
    onSuccess: (hook) => {
      setSecret({ url: hook.url, secret: hook.secret });
      setForm({ url: "", description: "", events: ["ticket.created"] });
      invalidateWebhooks(queries);
    },
  });
  if (allowed === false) return <Forbidden detail="Webhooks are managed by owners and admins." />;
  if (allowed === undefined) return <Loading />;
  const fieldError = (field: string) => (create.error instanceof ApiError ? create.error.fieldError(field) : undefined);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Webhooks</h2>
      <p className="muted">Switchboard POSTs the events you choose to your endpoint, signed with its secret, and retries for three days.</p>
      <EventBridgeNote />
      {secret && <OneTimeSecret title={`Signing secret of ${secret.url}`} secret={secret.secret} onDone={() => setSecret(null)} />}
      <form className="card form" onSubmit={submit} noValidate aria-label="New webhook">
        <div className="grid-2">
          <Field label="Endpoint URL" error={fieldError("url")}>
            {(props) => <input {...props} type="url" value={form.url} onChange={(e) => setForm({ ...form, url: e.target.value })} placeholder="https://example.com/hooks/switchboard" />}
          </Field>
          <Field label="Description" error={fieldError("description")}>
            {(props) => <input {...props} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />}
          </Field>
        </div>
        <fieldset className="scopes">
          <legend>Events</legend>
          {WEBHOOK_EVENTS.map(({ type, meaning }) => (
            <label key={type} className="checkbox" title={meaning}>
              <input type="checkbox" checked={form.events.includes(type)} onChange={(e) => setForm({ ...form, events: toggle(form.events, type, e.target.checked) })} />{" "}
              {type}
            </label>
          ))}
        </fieldset>
        {fieldError("events") && <p className="field-error">{fieldError("events")}</p>}
        <InlineError error={create.error instanceof ApiError && create.error.slug === "validation-failed" ? null : create.error} />
        <button type="submit" className="button primary" disabled={create.isPending}>
          Add endpoint
        </button>
      </form>
      <SlackConnect />
      {hooks.isPending ? (
        <Loading />
      ) : hooks.isError ? (
        <ErrorState error={hooks.error} retry={() => void hooks.refetch()} />
      ) : hooks.data.items.length === 0 ? (
        <Empty title="No webhooks yet" />
      ) : (
        <ul className="hooks" data-testid="webhooks">
          {hooks.data.items.map((hook) => (
            <li key={hook.id} className="card">
              <Endpoint hook={hook} expanded={open === hook.id} toggle={() => setOpen(open === hook.id ? null : hook.id)} onSecret={(s) => setSecret({ url: hook.url, secret: s })} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Endpoint({
  hook,
  expanded,
  toggle,
  onSecret,
}: {
  hook: Schemas["WebhookView"];
  expanded: boolean;
  toggle: () => void;
  onSecret: (secret: string) => void;
}) {
  const queries = useQueryClient();
  const refresh = () => invalidateWebhooks(queries);
  const path = { params: { path: { id: hook.id } } };
  const setStatus = useMutation({
    mutationFn: (status: string) => call(api.PATCH("/api/v1/webhooks/{id}", { ...path, body: { status, version: hook.version } })),
    onSettled: refresh,
  });
  const rotate = useMutation({
    mutationFn: () => call(api.POST("/api/v1/webhooks/{id}/rotate-secret", { ...path, body: {} })),
    onSuccess: (rotated) => onSecret(rotated.secret),
    onSettled: refresh,
  });
  const remove = useMutation({ mutationFn: () => call(api.DELETE("/api/v1/webhooks/{id}", path)), onSettled: refresh });
  return (
    <>
      <div className="hook-head">
        <span className={`badge hook-${hook.status}`}>{label(hook.status)}</span>
        <span className="hook-url">
          <span className="strong">{hook.url}</span>
          <span className="muted small block">
            {hook.kind === "slack" ? "Slack · " : ""}
            {hook.events.join(", ")}
            {hook.consecutive_failures > 0 && ` · ${hook.consecutive_failures} failures in a row`}
            {hook.next_probe_at && ` · next probe ${relativeTime(hook.next_probe_at)}`}
          </span>
        </span>
        <span className="row tight">
          <button type="button" className="button ghost small" onClick={toggle} aria-expanded={expanded}>
            {expanded ? "Hide deliveries" : "Deliveries"}
          </button>
          {hook.status === "active" ? (
            <button type="button" className="button ghost small" onClick={() => setStatus.mutate("disabled")}>
              Disable
            </button>
          ) : (
            <button type="button" className="button ghost small" onClick={() => setStatus.mutate("active")}>
              Enable
            </button>
          )}
          {hook.kind === "webhook" && (
            <button type="button" className="button ghost small" onClick={() => rotate.mutate()}>
              Rotate secret
            </button>
          )}
          <button type="button" className="button ghost small" onClick={() => window.confirm(`Remove ${hook.url}?`) && remove.mutate()}>
            Remove
          </button>
        </span>
      </div>
      <InlineError error={setStatus.error ?? rotate.error ?? remove.error} />
      {expanded && <Deliveries hookId={hook.id} />}
    </>
  );
}

function Deliveries({ hookId }: { hookId: string }) {
  const queries = useQueryClient();
  const log = useInfiniteQuery(deliveriesQuery(hookId));
  const replay = useMutation({
    mutationFn: (deliveryId: string) =>
      call(api.POST("/api/v1/webhooks/{id}/deliveries/{delivery_id}/replay", { params: { path: { id: hookId, delivery_id: deliveryId } } })),
    onSettled: () => invalidateDeliveries(queries, hookId),
  });
  const replayFailed = useMutation({
    mutationFn: () =>
      call(api.POST("/api/v1/webhooks/{id}/replay", { params: { path: { id: hookId } }, body: { since: new Date(Date.now() - 3 * 86_400_000).toISOString() } })),
    onSettled: () => invalidateDeliveries(queries, hookId),
  });
  if (log.isPending) return <Loading />;
  if (log.isError) return <ErrorState error={log.error} retry={() => void log.refetch()} />;
  const deliveries = log.data.pages.flatMap((page) => page.items);
  return (
    <div className="deliveries">
      <div className="row">
        <button type="button" className="button small" onClick={() => replayFailed.mutate()} disabled={replayFailed.isPending}>
          Replay failed deliveries of the last 3 days
        </button>
        {replayFailed.data && (
          <span className="muted small" role="status">
            {replayFailed.data.replayed.length} queued again.
          </span>
        )}
      </div>
      <InlineError error={replay.error ?? replayFailed.error} />
      {deliveries.length === 0 ? (
        <p className="muted small">No deliveries yet.</p>
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Last attempt</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((delivery) => {
              const last = delivery.attempts[delivery.attempts.length - 1];
              return (
                <tr key={delivery.id}>
                  <td>
                    {delivery.event_type}
                    <span className="muted small block">{dateTime(delivery.created_at)}</span>
                  </td>
                  <td>
                    <span className={`badge delivery-${delivery.status}`}>{label(delivery.status)}</span>
                    {delivery.replays > 0 && <span className="muted small"> · replayed {delivery.replays}×</span>}
                  </td>
                  <td className="small">
                    {last ? (
                      <>
                        #{last.attempt} {last.outcome}
                        {last.status_code ? ` (HTTP ${last.status_code})` : ""} in {last.latency_ms} ms
                        {last.error && <span className="muted block">{last.error}</span>}
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td className="actions">
                    <button type="button" className="button ghost small" onClick={() => replay.mutate(delivery.id)} disabled={replay.isPending}>
                      Replay
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {log.hasNextPage && (
        <button type="button" className="button small" onClick={() => void log.fetchNextPage()}>
          Older deliveries
        </button>
      )}
    </div>
  );
}

/** The same events on the EventBridge bus, for subscribers who route them with rules (docs/events.md). */
function EventBridgeNote() {
  const bus = config().eventBus;
  const workspaceId = useMe().data?.workspace.id;
  if (!bus || !workspaceId) return null;
  return (
    <aside className="card" aria-labelledby="eventbridge-title">
      <h3 id="eventbridge-title">Events on EventBridge</h3>
      <p className="muted small">
        Every event above is also published, with the same body, to the EventBridge bus <code>{bus}</code> (source <code>switchboard</code>, detail-type the
        event type). Filter your rules on <code>detail.data.workspace_id</code> (<code>{workspaceId}</code>); the guide <code>docs/events.md</code> gives the rule patterns,
        ordering and retries.
      </p>
    </aside>
  );
}
