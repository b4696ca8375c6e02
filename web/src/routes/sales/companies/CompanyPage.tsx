// One company: its details (edited at the version on screen), the customers and deals linked to it,
// its notes and timeline, and deleting it (refused while anything names it: the page says what).
import { useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../../api/client";
import { ApiError } from "../../../api/problem";
import {
  companyCustomersQuery,
  companyDealsQuery,
  companyNotesQuery,
  companyQuery,
  companyTimelineQuery,
} from "../../../api/queries/companies";
import { companyKeys } from "../../../api/queries/keys";
import { invalidateCompany } from "../../../api/queries/invalidate";
import { useDirectory } from "../../../api/queries/directory";
import { usePermission } from "../../../api/queries/members";
import type { Company } from "../../../api/types";
import { dateTime, label } from "../../../lib/format";
import { money } from "../../../lib/money";
import { ErrorState, InlineError, Loading } from "../../../ui/states";
import { Timeline } from "../../../ui/Timeline";
import { Field } from "../../auth/AuthFrame";
import { changeBody, companyForm } from "./companyForm";

export function Component() {
  const { id = "" } = useParams();
  const company = useQuery(companyQuery(id));
  const canWrite = usePermission("customers:write") ?? false;
  const seesDeals = usePermission("sales:read") ?? false;
  const directory = useDirectory();
  if (company.isPending) return <Loading label="Loading the company…" />;
  if (company.isError) return <ErrorState error={company.error} retry={() => void company.refetch()} />;
  const c = company.data;
  return (
    <div className="page company-page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to="/sales/companies">Companies</Link> / <span>{c.name}</span>
      </nav>
      <header className="page-head">
        <h1 data-testid="company-name">{c.name}</h1>
        <span className="muted">
          {c.domain ?? "No domain"}
          {c.owner_id ? ` · owned by ${directory.name(c.owner_id)}` : ""}
        </span>
      </header>
      <p className="muted small" data-testid="company-counts">
        {c.customer_count ?? 0} customer(s) · {c.deal_count ?? 0} deal(s)
      </p>
      <div className="columns">
        <div>
          {canWrite ? <EditCompany key={c.id} company={c} /> : <Details company={c} />}
          <Customers companyId={c.id} />
          {seesDeals && <Deals companyId={c.id} />}
        </div>
        <aside>
          <Notes companyId={c.id} canWrite={canWrite} nameOf={directory.nameOrYou} />
          <CompanyTimeline companyId={c.id} nameOf={directory.name} />
          {canWrite && <DeleteCompany company={c} />}
        </aside>
      </div>
    </div>
  );
}

function Details({ company }: { company: Company }) {
  return (
    <section className="card" aria-labelledby="company-fields">
      <h2 id="company-fields" className="card-title">
        Details
      </h2>
      <dl className="attributes">
        <dt>Phone</dt>
        <dd>{company.phone || "—"}</dd>
        <dt>Website</dt>
        <dd>{company.website || "—"}</dd>
        <dt>Address</dt>
        <dd className="pre">{company.address || "—"}</dd>
        <dt>Tags</dt>
        <dd>{company.tags.join(", ") || "—"}</dd>
      </dl>
    </section>
  );
}

function EditCompany({ company }: { company: Company }) {
  const queries = useQueryClient();
  const [base, setBase] = useState(() => companyForm(company));
  const [form, setForm] = useState(base);
  const [seenVersion, setSeenVersion] = useState(company.version);
  if (company.version !== seenVersion) {
    // A newer version (a teammate's change, or our save): untouched fields take its values.
    const latest = companyForm(company);
    setSeenVersion(company.version);
    setBase(latest);
    setForm((typed) => {
      const next = { ...typed };
      for (const field of Object.keys(typed) as (keyof typeof typed)[]) if (typed[field] === base[field]) next[field] = latest[field];
      return next;
    });
  }
  const save = useMutation({
    mutationFn: () => call(api.PATCH("/api/v1/companies/{id}", { params: { path: { id: company.id } }, body: changeBody(form, base, company.version) })),
    onSuccess: (updated) => {
      queries.setQueryData(companyKeys.detail(company.id), updated);
      invalidateCompany(queries, company.id);
    },
    onError: () => invalidateCompany(queries, company.id),
  });
  const error = save.error instanceof ApiError ? save.error : null;
  const fieldError = (field: string) => error?.fieldError(field);
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: event.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form className="card form" aria-labelledby="company-fields" onSubmit={submit} noValidate>
      <h2 id="company-fields" className="card-title">
        Details
      </h2>
      {error?.slug === "version-conflict" && (
        <p className="notice warn" role="alert">
          A teammate changed this company while you were editing it. Their change is loaded; your edits are still in the form: save again to
          apply them on top.
        </p>
      )}
      <div className="grid-2">
        <Field label="Name" error={fieldError("name")}>
          {(props) => <input {...props} value={form.name} onChange={set("name")} />}
        </Field>
        <Field label="Domain" error={fieldError("domain")}>
          {(props) => <input {...props} value={form.domain} onChange={set("domain")} />}
        </Field>
        <Field label="Phone" error={fieldError("phone")}>
          {(props) => <input {...props} value={form.phone} onChange={set("phone")} />}
        </Field>
        <Field label="Website" error={fieldError("website")}>
          {(props) => <input {...props} value={form.website} onChange={set("website")} />}
        </Field>
      </div>
      <Field label="Address" error={fieldError("address")}>
        {(props) => <textarea {...props} rows={2} value={form.address} onChange={set("address")} />}
      </Field>
      <Field label="Tags" error={fieldError("tags")} hint="Separated by commas.">
        {(props) => <input {...props} value={form.tags} onChange={set("tags")} />}
      </Field>
      {error?.slug !== "validation-failed" && error?.slug !== "version-conflict" && <InlineError error={save.error} />}
      <div className="row end">
        <button type="submit" className="button primary" disabled={save.isPending}>
          Save
        </button>
      </div>
    </form>
  );
}

function Customers({ companyId }: { companyId: string }) {
  const customers = useQuery(companyCustomersQuery(companyId));
  return (
    <section className="card" aria-labelledby="company-customers">
      <h2 id="company-customers" className="card-title">
        Customers
      </h2>
      {customers.isPending ? (
        <Loading />
      ) : customers.isError ? (
        <ErrorState error={customers.error} />
      ) : customers.data.items.length === 0 ? (
        <p className="muted">No customer is linked to this company. Link one from the customer's page.</p>
      ) : (
        <ul className="plain-list" data-testid="company-customers">
          {customers.data.items.map((customer) => (
            <li key={customer.id}>
              <Link to={`/customers/${customer.id}`}>{customer.name ?? customer.email}</Link> <span className="muted small">{customer.email}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Deals({ companyId }: { companyId: string }) {
  const deals = useQuery(companyDealsQuery(companyId));
  return (
    <section className="card" aria-labelledby="company-deals">
      <h2 id="company-deals" className="card-title">
        Deals
      </h2>
      {deals.isPending ? (
        <Loading />
      ) : deals.isError ? (
        <ErrorState error={deals.error} />
      ) : deals.data.items.length === 0 ? (
        <p className="muted">No deal is linked to this company.</p>
      ) : (
        <ul className="plain-list" data-testid="company-deals">
          {deals.data.items.map((deal) => (
            <li key={deal.id}>
              <Link to={`/sales/deals/${deal.id}`}>{deal.title}</Link>{" "}
              <span className="muted small">
                {money(deal.value, deal.currency, deal.currency_exponent)} · {label(deal.status)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Notes({ companyId, canWrite, nameOf }: { companyId: string; canWrite: boolean; nameOf: (id: string) => string }) {
  const queries = useQueryClient();
  const notes = useQuery(companyNotesQuery(companyId));
  const [body, setBody] = useState("");
  const add = useMutation({
    mutationFn: () => call(api.POST("/api/v1/companies/{id}/notes", { params: { path: { id: companyId } }, body: { body: body.trim() } })),
    onSuccess: () => {
      setBody("");
      void queries.invalidateQueries({ queryKey: companyKeys.detail(companyId) });
    },
  });
  return (
    <section className="card" aria-labelledby="company-notes-title">
      <h2 id="company-notes-title" className="card-title">
        Notes
      </h2>
      {canWrite && (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            if (body.trim()) add.mutate();
          }}
        >
          <label htmlFor="company-note" className="sr-only">
            A note on this company
          </label>
          <textarea id="company-note" rows={3} placeholder="What happened, what was agreed…" value={body} onChange={(e) => setBody(e.target.value)} />
          <InlineError error={add.error} />
          <div className="row end">
            <button type="submit" className="button" disabled={add.isPending || !body.trim()}>
              Add note
            </button>
          </div>
        </form>
      )}
      {notes.isPending ? (
        <Loading />
      ) : notes.isError ? (
        <ErrorState error={notes.error} />
      ) : notes.data.items.length === 0 ? (
        <p className="muted">No notes yet.</p>
      ) : (
        <ul className="notes" data-testid="company-notes">
          {notes.data.items.map((note) => (
            <li key={note.id}>
              <p className="pre">{note.body}</p>
              <p className="muted small">
                {note.author_id ? nameOf(note.author_id) : "System"} · <time dateTime={note.created_at}>{dateTime(note.created_at)}</time>
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function CompanyTimeline({ companyId, nameOf }: { companyId: string; nameOf: (id: string) => string }) {
  const timeline = useQuery(companyTimelineQuery(companyId));
  return (
    <section className="card" aria-labelledby="company-timeline-title">
      <h2 id="company-timeline-title" className="card-title">
        Timeline
      </h2>
      {timeline.isPending ? (
        <Loading />
      ) : timeline.isError ? (
        <ErrorState error={timeline.error} />
      ) : (
        <Timeline events={timeline.data.items} nameOf={nameOf} testId="company-timeline" />
      )}
    </section>
  );
}

/** Deleting, at the version on screen; refused while customers or deals name the company. */
function DeleteCompany({ company }: { company: Company }) {
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: () => call(api.DELETE("/api/v1/companies/{id}", { params: { path: { id: company.id }, query: { version: company.version } } })),
    onSuccess: () => {
      invalidateCompany(queries);
      void navigate("/sales/companies");
    },
    onError: () => invalidateCompany(queries, company.id),
  });
  const linked = (company.customer_count ?? 0) + (company.deal_count ?? 0) > 0;
  return (
    <section className="card" aria-labelledby="delete-company">
      <h2 id="delete-company" className="card-title">
        Delete the company
      </h2>
      {linked ? (
        <p className="muted small">Customers or deals still name this company: unlink them first (from their pages).</p>
      ) : confirming ? (
        <div className="row">
          <button type="button" className="button danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
            Delete for good
          </button>
          <button type="button" className="button ghost" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      ) : (
        <button type="button" className="button" onClick={() => setConfirming(true)}>
          Delete…
        </button>
      )}
      <InlineError error={remove.error} />
    </section>
  );
}
