// One deal: its fields (edited at the version on screen; a teammate's change in between is a 409 that
// is shown, with the latest version loaded), the stage history with the time spent in each stage and
// whether the deal is stuck, its activities (calls, meetings, tasks), and closing it as won or lost
// (with the reason).
import { useState, type FormEvent, type ReactNode } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { api, call, ApiError } from "../../../api/client";
import { dealQuery, pipelinesQuery } from "../../../api/queries/deals";
import { invalidateCompanyLink, invalidateDeal } from "../../../api/queries/invalidate";
import { CompanyPicker } from "../companies/CompanyPicker";
import { usePermission } from "../../../api/queries/members";
import { useDirectory } from "../../../api/queries/directory";
import type { Deal, Pipeline } from "../../../api/types";
import { currencyDigits, money, moneyInput, parseMoney } from "../../../lib/money";
import { dateTime, duration, label } from "../../../lib/format";
import { Field } from "../../auth/AuthFrame";
import { ErrorState, InlineError, Loading } from "../../../ui/states";
import { Activities } from "../activities/Activities";

export function Component() {
  const { id = "" } = useParams();
  const deal = useQuery(dealQuery(id));
  const pipelines = useQuery(pipelinesQuery());
  if (deal.isPending) return <Loading label="Loading the deal…" />;
  if (deal.isError) return <ErrorState error={deal.error} retry={() => void deal.refetch()} />;
  const pipeline = pipelines.data?.items.find((candidate) => candidate.id === deal.data.pipeline_id);
  return <DealView deal={deal.data} pipeline={pipeline} />;
}

function stageName(pipeline: Pipeline | undefined, stageId: string) {
  return pipeline?.stages.find((stage) => stage.id === stageId)?.name ?? "A removed stage";
}

function DealView({ deal, pipeline }: { deal: Deal; pipeline: Pipeline | undefined }) {
  const directory = useDirectory();
  const mayWrite = usePermission("sales:write") ?? false;
  return (
    <div className="page deal-page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to={`/sales/deals?pipeline=${deal.pipeline_id}`}>Deals</Link> / <span>{deal.title}</span>
      </nav>
      <header className="page-head">
        <h1>{deal.title}</h1>
        <span className={`badge deal-status deal-${deal.status}`} data-testid="deal-status">
          {label(deal.status)}
        </span>
      </header>
      <div className="stats">
        <Stat label="Value" value={money(deal.value, deal.currency, deal.currency_exponent)} />
        <Stat label={`Weighted (${deal.probability}%)`} value={money(deal.weighted_value, deal.currency, deal.currency_exponent)} />
        <Stat label="Stage" value={deal.status === "open" ? stageName(pipeline, deal.stage_id) : `${label(deal.status)} in ${stageName(pipeline, deal.stage_id)}`} />
        <Stat label="Owner" value={deal.owner_id ? directory.name(deal.owner_id) : "Unowned"} />
        {deal.status === "open" && (
          <Stat label="Time in stage" value={duration(deal.time_in_stage_seconds)} extra={deal.stuck ? <span className="badge stuck-badge">Stuck</span> : null} />
        )}
      </div>
      {deal.stuck && deal.status === "open" && (
        <p className="notice warn" data-testid="stuck">
          This deal has been in {stageName(pipeline, deal.stage_id)} for {duration(deal.time_in_stage_seconds)}, longer than the stage's{" "}
          {pipeline?.stages.find((stage) => stage.id === deal.stage_id)?.rotting_days ?? "?"} days: it is stuck.
        </p>
      )}
      {deal.status !== "open" && (
        <p className="notice" data-testid="closed">
          {label(deal.status)}
          {deal.closed_at ? ` on ${dateTime(deal.closed_at)}` : ""}
          {deal.lost_reason ? ` — ${deal.lost_reason}` : ""}
        </p>
      )}
      <div className="columns deal-columns">
        <div>
          {mayWrite ? <EditDeal key={deal.id} deal={deal} /> : <ReadOnly deal={deal} />}
          <History deal={deal} pipeline={pipeline} />
        </div>
        <aside>
          <DealCompany deal={deal} canWrite={mayWrite} />
          {mayWrite && deal.status === "open" && <Close deal={deal} />}
          {mayWrite && deal.status !== "open" && <Reopen deal={deal} pipeline={pipeline} />}
          <Activities record={{ kind: "deal", id: deal.id }} canWrite={mayWrite} directory={directory} />
        </aside>
      </div>
    </div>
  );
}

function Stat({ label: name, value, extra }: { label: string; value: string; extra?: ReactNode }) {
  return (
    <div className="stat">
      <div className="stat-value">
        {value} {extra}
      </div>
      <div className="muted small">{name}</div>
    </div>
  );
}

function ReadOnly({ deal }: { deal: Deal }) {
  return (
    <section className="card" aria-labelledby="deal-fields">
      <h2 id="deal-fields" className="card-title">
        Details
      </h2>
      <dl className="attributes">
        <dt>Company</dt>
        <dd>{deal.company || "—"}</dd>
        <dt>Expected close</dt>
        <dd>{deal.expected_close || "—"}</dd>
        <dt>Tags</dt>
        <dd>{deal.tags.join(", ") || "—"}</dd>
      </dl>
    </section>
  );
}

function EditDeal({ deal }: { deal: Deal }) {
  const queries = useQueryClient();
  const initial = () => ({
    title: deal.title,
    value: moneyInput(deal.value, deal.currency, deal.currency_exponent),
    currency: deal.currency,
    company: deal.company ?? "",
    expected: deal.expected_close ?? "",
    probability: deal.probability_overridden ? String(deal.probability) : "",
    tags: deal.tags.join(", "),
  });
  // What the form started from: only the fields changed since are sent, so a teammate's change to
  // another field (the 409 in between) is not overwritten when the edits are saved again.
  const [base, setBase] = useState(initial);
  const [form, setForm] = useState(base);
  // A newer version arrived (a teammate's change, or our own save): fields the member has not touched
  // take the new values, touched ones keep the edits, and the new version is what edits start from.
  const [seenVersion, setSeenVersion] = useState(deal.version);
  if (deal.version !== seenVersion) {
    const latest = initial();
    setSeenVersion(deal.version);
    setBase(latest);
    setForm((typedIn) => rebase(typedIn, base, latest));
  }
  const [typed, setTyped] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (value: number) =>
      call(
        api.PATCH("/api/v1/deals/{id}", {
          params: { path: { id: deal.id } },
          body: {
            // The version on screen: a teammate's change since then is refused (409), not overwritten.
            version: deal.version,
            ...(form.title !== base.title ? { title: form.title } : {}),
            ...(form.value !== base.value || form.currency !== base.currency ? { value, currency: form.currency.trim().toUpperCase() } : {}),
            ...(form.company !== base.company && !deal.company_id ? { company: form.company || null } : {}),
            ...(form.expected !== base.expected ? { expected_close: form.expected || null } : {}),
            ...(form.probability !== base.probability && form.probability.trim() ? { probability: Number(form.probability) } : {}),
            ...(form.tags !== base.tags ? { tags: form.tags.split(",").map((tag) => tag.trim()).filter(Boolean) } : {}),
          },
        }),
      ),
    onSuccess: (updated) => {
      queries.setQueryData(dealQuery(deal.id).queryKey, (old) => (old ? { ...old, ...updated, stage_history: old.stage_history } : updated));
      invalidateDeal(queries, deal.id);
      setSaved(true);
    },
    onError: () => invalidateDeal(queries, deal.id),
  });
  const error = save.error instanceof ApiError ? save.error : null;
  const conflict = error?.status === 409;
  const fieldError = (field: string) => error?.fieldError(field);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const value = parseMoney(form.value, form.currency || deal.currency, currencyDigits(form.currency || deal.currency));
    if (value === null) {
      setTyped("Value must be an amount of 0 or more, e.g. 1250 or 1250.50.");
      return;
    }
    setTyped(null);
    save.mutate(value);
  };
  return (
    <form className="card form" aria-labelledby="deal-fields" onSubmit={submit} noValidate>
      <h2 id="deal-fields" className="card-title">
        Details
      </h2>
      {conflict && (
        <div className="notice warn" role="alert" data-testid="deal-conflict">
          A teammate changed this deal while you were editing it (now version {deal.version}). The figures above show their change; your
          edits are still in the form. Save again to apply them on top, or{" "}
          <button
            type="button"
            className="link"
            onClick={() => {
              const latest = initial();
              setBase(latest);
              setForm(latest);
              save.reset();
            }}
          >
            discard your edits
          </button>
          .
        </div>
      )}
      <div className="grid-2">
        <Field label="Title" error={fieldError("title")}>
          {(props) => <input {...props} value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} />}
        </Field>
        <Field label="Company" error={fieldError("company")}>
          {(props) => (
            <input {...props} value={form.company} disabled={!!deal.company_id} onChange={(e) => setForm({ ...form, company: e.target.value })} />
          )}
        </Field>
        <Field label="Value" error={typed ?? fieldError("value")}>
          {(props) => <input {...props} inputMode="decimal" value={form.value} onChange={(e) => setForm({ ...form, value: e.target.value })} />}
        </Field>
        <Field label="Currency" error={fieldError("currency")}>
          {(props) => <input {...props} maxLength={3} value={form.currency} onChange={(e) => setForm({ ...form, currency: e.target.value })} />}
        </Field>
        <Field label="Expected close" error={fieldError("expected_close")}>
          {(props) => <input {...props} type="date" value={form.expected} onChange={(e) => setForm({ ...form, expected: e.target.value })} />}
        </Field>
        <Field label="Probability override (%)" error={fieldError("probability")} hint="Empty: the stage's probability.">
          {(props) => <input {...props} inputMode="numeric" value={form.probability} onChange={(e) => setForm({ ...form, probability: e.target.value })} />}
        </Field>
      </div>
      <Field label="Tags" error={fieldError("tags")} hint="Separated by commas.">
        {(props) => <input {...props} value={form.tags} onChange={(e) => setForm({ ...form, tags: e.target.value })} />}
      </Field>
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={save.isPending}>
          Save
        </button>{" "}
        {saved && !save.isPending && (
          <span className="muted small" role="status">
            Saved.
          </span>
        )}
      </div>
      {!conflict && <InlineError error={error && error.slug === "validation-failed" ? null : save.error} />}
    </form>
  );
}

type DealForm = Record<"title" | "value" | "currency" | "company" | "expected" | "probability" | "tags", string>;

/** The form on a newer version: each field the member left as it was takes the newer value. */
export function rebase(form: DealForm, base: DealForm, latest: DealForm): DealForm {
  const next = { ...form };
  for (const field of Object.keys(form) as (keyof DealForm)[]) if (form[field] === base[field]) next[field] = latest[field];
  return next;
}

function History({ deal, pipeline }: { deal: Deal; pipeline: Pipeline | undefined }) {
  const visits = deal.stage_history ?? [];
  return (
    <section className="card" aria-labelledby="stage-history">
      <h2 id="stage-history" className="card-title">
        Stage history
      </h2>
      <table className="table compact" data-testid="stage-history">
        <thead>
          <tr>
            <th scope="col">Stage</th>
            <th scope="col">Entered</th>
            <th scope="col">Left</th>
            <th scope="col">Time in stage</th>
          </tr>
        </thead>
        <tbody>
          {visits.map((visit) => (
            <tr key={`${visit.stage_id}-${visit.entered_at}`}>
              <td>{stageName(pipeline, visit.stage_id)}</td>
              <td>{dateTime(visit.entered_at)}</td>
              <td>{visit.left_at ? dateTime(visit.left_at) : deal.status === "open" ? "Still here" : label(deal.status)}</td>
              <td>
                {visit.left_at
                  ? duration((Date.parse(visit.left_at) - Date.parse(visit.entered_at)) / 1000)
                  : deal.status === "open"
                    ? duration(deal.time_in_stage_seconds)
                    : "—"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Won, or lost with the reason, at the version on screen. */
function Close({ deal }: { deal: Deal }) {
  const queries = useQueryClient();
  const [reason, setReason] = useState("");
  const [losing, setLosing] = useState(false);
  const done = (updated: Deal) => {
    queries.setQueryData(dealQuery(deal.id).queryKey, (old) => (old ? { ...old, ...updated, stage_history: old.stage_history } : updated));
    invalidateDeal(queries, deal.id);
  };
  const win = useMutation({
    mutationFn: () => call(api.POST("/api/v1/deals/{id}/won", { params: { path: { id: deal.id } }, body: { version: deal.version } })),
    onSuccess: done,
    onError: () => invalidateDeal(queries, deal.id),
  });
  const lose = useMutation({
    mutationFn: () => call(api.POST("/api/v1/deals/{id}/lost", { params: { path: { id: deal.id } }, body: { version: deal.version, reason } })),
    onSuccess: done,
    onError: () => invalidateDeal(queries, deal.id),
  });
  const loseError = lose.error instanceof ApiError ? lose.error : null;
  return (
    <section className="card" aria-labelledby="close-deal">
      <h2 id="close-deal" className="card-title">
        Close the deal
      </h2>
      <div className="row">
        <button type="button" className="button primary" onClick={() => win.mutate()} disabled={win.isPending}>
          Mark won
        </button>
        <button type="button" className="button" aria-expanded={losing} onClick={() => setLosing((open) => !open)}>
          Mark lost…
        </button>
      </div>
      <InlineError error={win.error} />
      {losing && (
        <form
          className="form"
          aria-label="Lose the deal"
          onSubmit={(event) => {
            event.preventDefault();
            lose.mutate();
          }}
        >
          <Field label="Reason it was lost" error={loseError?.fieldError("reason")}>
            {(props) => <input {...props} value={reason} onChange={(e) => setReason(e.target.value)} />}
          </Field>
          <button type="submit" className="button" disabled={lose.isPending || !reason.trim()}>
            Mark lost
          </button>
          {loseError?.slug !== "validation-failed" && <InlineError error={lose.error} />}
        </form>
      )}
    </section>
  );
}

/** The deal's company: linked with the picker, at the version on screen. */
function DealCompany({ deal, canWrite }: { deal: Deal; canWrite: boolean }) {
  const queries = useQueryClient();
  const link = useMutation({
    mutationFn: (companyId: string | null) =>
      call(api.PATCH("/api/v1/deals/{id}", { params: { path: { id: deal.id } }, body: { company_id: companyId, version: deal.version } })),
    onSuccess: (updated) => {
      queries.setQueryData(dealQuery(deal.id).queryKey, (old) => (old ? { ...old, ...updated, stage_history: old.stage_history } : updated));
      invalidateDeal(queries, deal.id);
      invalidateCompanyLink(queries, deal.company_id, updated.company_id);
    },
    onError: () => invalidateDeal(queries, deal.id),
  });
  return (
    <section className="card" aria-label="Company record">
      <CompanyPicker
        companyId={deal.company_id}
        companyName={deal.company}
        canWrite={canWrite}
        pending={link.isPending}
        error={link.error}
        onPick={(companyId) => link.mutate(companyId)}
      />
    </section>
  );
}

/** Back to open, in the stage it closed in or another of its pipeline, at the version on screen. */
function Reopen({ deal, pipeline }: { deal: Deal; pipeline: Pipeline | undefined }) {
  const queries = useQueryClient();
  const [stageId, setStageId] = useState(deal.stage_id);
  const reopen = useMutation({
    mutationFn: () =>
      call(api.POST("/api/v1/deals/{id}/reopen", { params: { path: { id: deal.id } }, body: { version: deal.version, stage_id: stageId } })),
    onSuccess: () => invalidateDeal(queries, deal.id),
    onError: () => invalidateDeal(queries, deal.id),
  });
  return (
    <section className="card" aria-labelledby="reopen-deal">
      <h2 id="reopen-deal" className="card-title">
        Reopen the deal
      </h2>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          reopen.mutate();
        }}
      >
        <Field label="Into stage">
          {(props) => (
            <select {...props} value={stageId} onChange={(e) => setStageId(e.target.value)}>
              {(pipeline?.stages ?? []).map((stage) => (
                <option key={stage.id} value={stage.id}>
                  {stage.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" className="button" disabled={reopen.isPending}>
          Reopen
        </button>
        <InlineError error={reopen.error} />
      </form>
    </section>
  );
}
