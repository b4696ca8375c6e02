// Lead capture: endpoints for Typeform, Zapier and JSON senders. Make one with its kind and mapping
// (tried on a sample payload first), see the URL to paste and the secret once, and each endpoint's
// delivery log.
import { useState, type FormEvent } from "react";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, call } from "../../api/client";
import { ApiError } from "../../api/problem";
import { captureDeliveriesQuery, captureEndpointsQuery } from "../../api/queries/integrations";
import { invalidateCaptureEndpoints } from "../../api/queries/invalidate";
import { usePermission } from "../../api/queries/members";
import type { Schemas } from "../../api/types";
import { config } from "../../config";
import { type CaptureKind, type MappingRow, inboundUrl, parseSample, rowsToMapping, sourceHint, startingRows } from "../../lib/captureMapping";
import { dateTime, label } from "../../lib/format";
import { Empty, ErrorState, Forbidden, InlineError, Loading } from "../../ui/states";
import { Field } from "../auth/AuthFrame";
import { OneTimeSecret } from "./OneTimeSecret";

const KINDS: { kind: CaptureKind; name: string; how: string }[] = [
  { kind: "typeform", name: "Typeform", how: "Typeform signs each response with the secret (Connect → Webhooks → Edit → Secret)." },
  { kind: "zapier", name: "Zapier", how: "The Zap sends the secret as X-Capture-Secret, or an API key with sales:write." },
  { kind: "json", name: "Any JSON sender", how: "The sender sends the secret as X-Capture-Secret." },
];

const urlOf = (endpoint: Schemas["CaptureEndpointView"]) =>
  inboundUrl(config().apiUrl, globalThis.location?.origin ?? "", endpoint.inbound_path);

export function Component() {
  const allowed = usePermission("integrations:manage");
  const endpoints = useQuery({ ...captureEndpointsQuery(), enabled: allowed === true });
  const [made, setMade] = useState<{ endpoint: Schemas["CaptureEndpointView"]; secret: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  if (allowed === false) return <Forbidden detail="Lead capture is managed by owners and admins." />;
  if (allowed === undefined) return <Loading />;
  return (
    <section aria-labelledby="capture-title">
      <h2 id="capture-title">Lead capture</h2>
      <p className="muted">
        Forms and automations send leads straight in. A known e-mail updates its lead or adds a note to it; the same delivery twice makes one lead.
      </p>
      {made && (
        <div className="card" data-testid="capture-made">
          <p>
            Paste this URL into {KINDS.find((kind) => kind.kind === made.endpoint.kind)?.name}: <code>{urlOf(made.endpoint)}</code>
          </p>
          <OneTimeSecret title={`Secret of ${made.endpoint.name}`} secret={made.secret} onDone={() => setMade(null)} />
        </div>
      )}
      <NewEndpoint onMade={setMade} />
      {endpoints.isPending ? (
        <Loading />
      ) : endpoints.isError ? (
        <ErrorState error={endpoints.error} retry={() => void endpoints.refetch()} />
      ) : endpoints.data.items.length === 0 ? (
        <Empty title="No capture endpoints yet" />
      ) : (
        <ul className="hooks" data-testid="capture-endpoints">
          {endpoints.data.items.map((endpoint) => (
            <li key={endpoint.id} className="card">
              <Endpoint
                endpoint={endpoint}
                expanded={open === endpoint.id}
                toggle={() => setOpen(open === endpoint.id ? null : endpoint.id)}
                onSecret={(secret) => setMade({ endpoint, secret })}
              />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function NewEndpoint({ onMade }: { onMade: (made: { endpoint: Schemas["CaptureEndpointView"]; secret: string }) => void }) {
  const queries = useQueryClient();
  const [kind, setKind] = useState<CaptureKind>("typeform");
  const [name, setName] = useState("");
  const [onExisting, setOnExisting] = useState<"update" | "note">("update");
  const [rows, setRows] = useState<MappingRow[]>(startingRows("typeform"));
  const [sample, setSample] = useState("");
  const { mapping, problems } = rowsToMapping(rows);
  const test = useMutation({
    mutationFn: (payload: unknown) =>
      call(api.POST("/api/v1/lead-capture-endpoints/test-mapping", { body: { kind, mapping, payload: payload as Record<string, never> } })),
  });
  const create = useMutation({
    mutationFn: () => call(api.POST("/api/v1/lead-capture-endpoints", { body: { name, kind, mapping, on_existing_lead: onExisting } })),
    onSuccess: (created) => {
      onMade(created);
      setName("");
      setRows(startingRows(kind));
      test.reset();
      invalidateCaptureEndpoints(queries);
    },
  });
  const parsed = parseSample(sample);
  const fieldError = (field: string) => (create.error instanceof ApiError ? create.error.fieldError(field) : undefined);
  const setRow = (index: number, row: MappingRow) => setRows(rows.map((old, at) => (at === index ? row : old)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (problems.length === 0) create.mutate();
  };
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="New capture endpoint">
      <div className="grid-2">
        <Field label="Name" error={fieldError("name")}>
          {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} placeholder="Pricing page form" />}
        </Field>
        <Field label="Kind" error={fieldError("kind")}>
          {(props) => (
            <select
              {...props}
              value={kind}
              onChange={(e) => {
                const next = e.target.value as CaptureKind;
                setKind(next);
                setRows(startingRows(next));
                test.reset();
              }}
            >
              {KINDS.map((option) => (
                <option key={option.kind} value={option.kind}>
                  {option.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <p className="muted small">{KINDS.find((option) => option.kind === kind)?.how}</p>
      <fieldset>
        <legend>Mapping: lead field ← {sourceHint(kind)}</legend>
        <table className="table compact" aria-label="Mapping">
          <tbody>
            {rows.map((row, index) => (
              <tr key={index}>
                <td>
                  <input aria-label={`Lead field ${index + 1}`} value={row.field} onChange={(e) => setRow(index, { ...row, field: e.target.value })} placeholder="email or attributes.plan" />
                </td>
                <td>
                  <input aria-label={`Source ${index + 1}`} value={row.source} onChange={(e) => setRow(index, { ...row, source: e.target.value })} placeholder={sourceHint(kind)} />
                </td>
                <td>
                  <button type="button" className="button ghost small" onClick={() => setRows(rows.filter((_, at) => at !== index))}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" className="button ghost small" onClick={() => setRows([...rows, { field: "", source: "" }])}>
          Add a field
        </button>
        {problems.length > 0 && (
          <ul className="field-error" data-testid="mapping-problems">
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        )}
        {fieldError("mapping") && <p className="field-error">{fieldError("mapping")}</p>}
      </fieldset>
      <label className="checkbox">
        <input type="checkbox" checked={onExisting === "note"} onChange={(e) => setOnExisting(e.target.checked ? "note" : "update")} /> When the e-mail is
        already a lead's, add a note instead of updating the lead
      </label>
      <fieldset>
        <legend>Try it on a sample payload</legend>
        <textarea aria-label="Sample payload" rows={6} value={sample} onChange={(e) => setSample(e.target.value)} placeholder='{"email": "ada@example.com"}' />
        {!parsed.ok && sample.trim() && <p className="field-error">{parsed.problem}</p>}
        <button type="button" className="button small" disabled={!parsed.ok || problems.length > 0 || test.isPending} onClick={() => parsed.ok && test.mutate(parsed.payload)}>
          Test mapping
        </button>
        <InlineError error={test.error} />
        {test.data && <TestResult result={test.data} />}
      </fieldset>
      <InlineError error={create.error instanceof ApiError && create.error.slug === "validation-failed" ? null : create.error} />
      <button type="submit" className="button primary" disabled={create.isPending || problems.length > 0}>
        Make endpoint
      </button>
    </form>
  );
}

function TestResult({ result }: { result: Schemas["TestMappingResult"] }) {
  return (
    <div className="notice" role="status" data-testid="mapping-result">
      <p>
        {result.problems.length === 0 ? (
          <>
            This payload makes the lead <strong>{result.lead_name}</strong>.
          </>
        ) : (
          <>This payload would be refused: {result.problems.join("; ")}</>
        )}
      </p>
      <dl className="grid-2">
        {Object.entries(result.fields).map(([field, value]) => (
          <div key={field}>
            <dt>{field}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {result.missing.length > 0 && <p className="muted small">No value in the sample for: {result.missing.join(", ")}</p>}
    </div>
  );
}

function Endpoint({
  endpoint,
  expanded,
  toggle,
  onSecret,
}: {
  endpoint: Schemas["CaptureEndpointView"];
  expanded: boolean;
  toggle: () => void;
  onSecret: (secret: string) => void;
}) {
  const queries = useQueryClient();
  const refresh = () => invalidateCaptureEndpoints(queries);
  const path = { params: { path: { id: endpoint.id } } };
  const setEnabled = useMutation({
    mutationFn: (enabled: boolean) => call(api.PATCH("/api/v1/lead-capture-endpoints/{id}", { ...path, body: { enabled, version: endpoint.version } })),
    onSettled: refresh,
  });
  const rotate = useMutation({
    mutationFn: () => call(api.POST("/api/v1/lead-capture-endpoints/{id}/rotate-secret", path)),
    onSuccess: (rotated) => onSecret(rotated.secret),
    onSettled: refresh,
  });
  const remove = useMutation({ mutationFn: () => call(api.DELETE("/api/v1/lead-capture-endpoints/{id}", path)), onSettled: refresh });
  return (
    <>
      <div className="hook-head">
        <span className={`badge ${endpoint.enabled ? "hook-active" : "hook-disabled"}`}>{endpoint.enabled ? "Active" : "Disabled"}</span>
        <span className="hook-url">
          <span className="strong">{endpoint.name}</span>
          <span className="muted small block">
            {label(endpoint.kind)} · <code>{urlOf(endpoint)}</code> · secret {endpoint.secret_prefix}… · known e-mails{" "}
            {endpoint.on_existing_lead === "note" ? "get a note" : "are updated"}
          </span>
          <span className="muted small block">
            {Object.entries(endpoint.mapping)
              .map(([field, source]) => `${field} ← ${source}`)
              .join(", ")}
          </span>
        </span>
        <span className="row tight">
          <button type="button" className="button ghost small" onClick={toggle} aria-expanded={expanded}>
            {expanded ? "Hide deliveries" : "Deliveries"}
          </button>
          <button type="button" className="button ghost small" onClick={() => setEnabled.mutate(!endpoint.enabled)}>
            {endpoint.enabled ? "Disable" : "Enable"}
          </button>
          <button type="button" className="button ghost small" onClick={() => window.confirm(`The old secret of ${endpoint.name} stops working at once. Rotate?`) && rotate.mutate()}>
            Rotate secret
          </button>
          <button type="button" className="button ghost small" onClick={() => window.confirm(`Remove ${endpoint.name}?`) && remove.mutate()}>
            Remove
          </button>
        </span>
      </div>
      <InlineError error={setEnabled.error ?? rotate.error ?? remove.error} />
      {expanded && <Deliveries endpointId={endpoint.id} />}
    </>
  );
}

function Deliveries({ endpointId }: { endpointId: string }) {
  const log = useInfiniteQuery(captureDeliveriesQuery(endpointId));
  const [shown, setShown] = useState<string | null>(null);
  if (log.isPending) return <Loading />;
  if (log.isError) return <ErrorState error={log.error} retry={() => void log.refetch()} />;
  const deliveries = log.data.pages.flatMap((page) => page.items);
  if (deliveries.length === 0) return <p className="muted small">No deliveries yet.</p>;
  return (
    <div className="deliveries">
      <table className="table compact" data-testid="capture-deliveries">
        <thead>
          <tr>
            <th scope="col">Received</th>
            <th scope="col">Outcome</th>
            <th scope="col">Lead</th>
            <th scope="col">Detail</th>
            <th scope="col">
              <span className="sr-only">Payload</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => (
            <tr key={delivery.id}>
              <td>{dateTime(delivery.received_at)}</td>
              <td>
                <span className={`badge capture-${delivery.outcome}`}>{label(delivery.outcome)}</span>
              </td>
              <td>{delivery.lead_id ? <Link to={`/sales/leads/${delivery.lead_id}`}>Open lead</Link> : "—"}</td>
              <td className="small">
                {delivery.detail ?? ""}
                {shown === delivery.id && (
                  <pre className="payload">
                    {delivery.payload}
                    {delivery.payload_truncated && `\n… (${delivery.payload_bytes} bytes in all)`}
                  </pre>
                )}
              </td>
              <td>
                <button type="button" className="button ghost small" onClick={() => setShown(shown === delivery.id ? null : delivery.id)}>
                  {shown === delivery.id ? "Hide payload" : "Payload"}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {log.hasNextPage && (
        <button type="button" className="button ghost small" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>
          Older deliveries
        </button>
      )}
    </div>
  );
}
