// A customer's profile, their tickets and their timeline.
import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { customerQuery, customerTicketsQuery, customerTimelineQuery } from "../../api/queries/customers";
import { customerKeys } from "../../api/queries/keys";
import { invalidateCustomer } from "../../api/queries/invalidate";
import { ApiError } from "../../api/problem";
import { usePermission } from "../../api/queries/members";
import type { Customer } from "../../api/types";
import { relativeTime } from "../../lib/format";
import { Avatar } from "../../ui/Avatar";
import { PriorityBadge, StatusBadge } from "../../ui/Badges";
import { Empty, ErrorState, InlineError, Loading } from "../../ui/states";
import { Timeline } from "../../ui/Timeline";
import { useDirectory } from "../../api/queries/directory";
import { Field } from "../auth/AuthFrame";
import { MergeCustomer } from "./MergeCustomer";
import { leadQuery } from "../../api/queries/sales";
import { Activities } from "../sales/activities/Activities";
import { invalidateCompanyLink } from "../../api/queries/invalidate";
import { CompanyPicker } from "../sales/companies/CompanyPicker";

export function Component() {
  const { id = "" } = useParams();
  const customer = useQuery(customerQuery(id));
  const tickets = useQuery(customerTicketsQuery(id));
  const timeline = useQuery(customerTimelineQuery(id));
  const directory = useDirectory();
  const canWrite = usePermission("customers:write");
  const queries = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [merging, setMerging] = useState(false);

  if (customer.isPending) return <Loading label="Loading customer…" />;
  if (customer.isError) return <ErrorState error={customer.error} retry={() => void customer.refetch()} />;
  const c = customer.data;
  return (
    <div className="page">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/customers">Customers</Link> <span aria-hidden="true">/</span> {c.name ?? c.email}
      </nav>
      <header className="profile-head">
        <Avatar name={c.name ?? c.email} id={c.id} size={56} />
        <div>
          <h1 data-testid="customer-name">{c.name ?? c.email}</h1>
          <div className="muted">
            {c.email}
            {c.company && ` · ${c.company}`}
            {c.phone && ` · ${c.phone}`}
          </div>
        </div>
        {canWrite && !c.merged_into && (
          <div className="row head-actions">
            <button type="button" className="button ghost" onClick={() => setMerging((m) => !m)} aria-expanded={merging}>
              {merging ? "Close" : "Merge a duplicate"}
            </button>
            <button type="button" className="button" onClick={() => setEditing((e) => !e)} aria-expanded={editing}>
              {editing ? "Close" : "Edit profile"}
            </button>
          </div>
        )}
      </header>
      {c.merged_into && (
        <p className="notice">
          This customer was merged into <Link to={`/customers/${c.merged_into}`}>another customer</Link>, who now holds their tickets.
        </p>
      )}
      {editing && <EditCustomer customer={c} done={() => setEditing(false)} />}
      {merging && <MergeCustomer target={c} done={() => setMerging(false)} />}
      <CustomerCompany customer={c} canWrite={!!canWrite && !c.merged_into} />
      {c.merged_ids.length > 0 && (
        <p className="muted small">
          {c.merged_ids.length} duplicate{c.merged_ids.length > 1 ? "s" : ""} merged into this customer; their tickets and events are included below.
        </p>
      )}
      <div className="columns">
        <section className="card" aria-labelledby="history-title">
          <h2 id="history-title" className="card-title">
            Tickets
          </h2>
          {tickets.isPending ? (
            <Loading />
          ) : tickets.isError ? (
            <ErrorState error={tickets.error} />
          ) : tickets.data.items.length === 0 ? (
            <Empty title="No tickets yet" />
          ) : (
            <ul className="history">
              {tickets.data.items.map((ticket) => (
                <li key={ticket.id}>
                  <Link to={`/tickets/${ticket.id}`} className="history-row">
                    <PriorityBadge priority={ticket.priority} />
                    <span className="ticket-subject">{ticket.subject}</span>
                    <StatusBadge status={ticket.status} />
                    <span className="muted small">{relativeTime(ticket.created_at)}</span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
          {c.converted_from_leads.length > 0 && <ConvertedFrom leadIds={c.converted_from_leads} />}
          {c.notes && (
            <>
              <h3 className="card-subtitle">Notes</h3>
              <p className="pre">{c.notes}</p>
            </>
          )}
          {Object.keys(c.attributes).length > 0 && (
            <dl className="attributes">
              {Object.entries(c.attributes).map(([key, value]) => (
                <div key={key}>
                  <dt>{key}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
            </dl>
          )}
        </section>
        <section className="card" aria-labelledby="ctimeline-title">
          <h2 id="ctimeline-title" className="card-title">
            Timeline
          </h2>
          {timeline.isPending ? (
            <Loading />
          ) : timeline.isError ? (
            <ErrorState error={timeline.error} />
          ) : (
            <Timeline events={timeline.data.items} nameOf={directory.name} links="ticket" />
          )}
        </section>
        <Activities
          record={{ kind: "customer", id: c.id }}
          canWrite={(canWrite ?? false) && !c.merged_into}
          directory={directory}
          onChange={() => void queries.invalidateQueries({ queryKey: customerKeys.timeline(c.id) })}
        />
      </div>
    </div>
  );
}

/** The sales leads this customer was converted from, each a link to its notes and history. */
function ConvertedFrom({ leadIds }: { leadIds: readonly string[] }) {
  const leads = useQueries({ queries: leadIds.slice(0, 20).map((id) => leadQuery(id)) });
  return (
    <>
      <h3 className="card-subtitle">Converted from leads</h3>
      <ul className="history" data-testid="converted-from-leads">
        {leadIds.slice(0, 20).map((id, index) => {
          const lead = leads[index].data;
          return (
            <li key={id}>
              <Link to={`/sales/leads/${id}`} className="history-row">
                <span className="ticket-subject">{lead ? lead.name : "Lead"}</span>
                {lead && <span className="muted small">{[lead.company, lead.source.replace(/_/g, " ")].filter(Boolean).join(" · ")}</span>}
                {lead?.converted_at && <span className="muted small">{relativeTime(lead.converted_at)}</span>}
              </Link>
            </li>
          );
        })}
      </ul>
    </>
  );
}

/** The customer's company: linked with the picker, at the version on screen. */
function CustomerCompany({ customer, canWrite }: { customer: Customer; canWrite: boolean }) {
  const queries = useQueryClient();
  const link = useMutation({
    mutationFn: (companyId: string | null) =>
      call(api.PATCH("/api/v1/customers/{id}", { params: { path: { id: customer.id } }, body: { company_id: companyId, version: customer.version } })),
    onSuccess: (updated) => {
      queries.setQueryData(customerKeys.detail(customer.id), updated);
      invalidateCustomer(queries, customer.id);
      invalidateCompanyLink(queries, customer.company_id, updated.company_id);
    },
    onError: () => invalidateCustomer(queries, customer.id),
  });
  return (
    <CompanyPicker
      companyId={customer.company_id}
      companyName={customer.company}
      canWrite={canWrite}
      pending={link.isPending}
      error={link.error}
      onPick={(companyId) => link.mutate(companyId)}
    />
  );
}

function EditCustomer({ customer, done }: { customer: Customer; done: () => void }) {
  const queries = useQueryClient();
  const [form, setForm] = useState({
    name: customer.name ?? "",
    email: customer.email,
    phone: customer.phone ?? "",
    company: customer.company ?? "",
    notes: customer.notes ?? "",
  });
  const save = useMutation({
    mutationFn: () =>
      call(
        api.PATCH("/api/v1/customers/{id}", {
          params: { path: { id: customer.id } },
          body: {
            email: form.email,
            name: form.name || null,
            phone: form.phone || null,
            // While linked, the company text is the company's name: the picker changes it.
            ...(customer.company_id ? {} : { company: form.company || null }),
            notes: form.notes || null,
            version: customer.version,
          },
        }),
      ),
    onSuccess: (updated) => {
      queries.setQueryData(customerKeys.detail(customer.id), updated);
      invalidateCustomer(queries, customer.id);
      done();
    },
    onError: (error) => {
      if (error instanceof ApiError && error.slug === "version-conflict") invalidateCustomer(queries, customer.id);
    },
  });
  const error = save.error;
  const fieldError = (field: string) => (error instanceof ApiError ? error.fieldError(field) : undefined);
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: event.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form className="card form" onSubmit={submit} noValidate>
      <div className="grid-2">
        <Field label="Name" error={fieldError("name")}>
          {(props) => <input {...props} value={form.name} onChange={set("name")} />}
        </Field>
        <Field label="E-mail" error={fieldError("email")}>
          {(props) => <input {...props} type="email" value={form.email} onChange={set("email")} />}
        </Field>
        <Field label="Phone" error={fieldError("phone")}>
          {(props) => <input {...props} value={form.phone} onChange={set("phone")} />}
        </Field>
        <Field label="Company" error={fieldError("company")}>
          {(props) => <input {...props} value={form.company} onChange={set("company")} disabled={!!customer.company_id} />}
        </Field>
      </div>
      <Field label="Notes" error={fieldError("notes")}>
        {(props) => <textarea {...props} rows={3} value={form.notes} onChange={set("notes")} />}
      </Field>
      <InlineError error={error instanceof ApiError && error.slug === "validation-failed" ? null : error} />
      <div className="row end">
        <button type="button" className="button ghost" onClick={done}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={save.isPending}>
          Save
        </button>
      </div>
    </form>
  );
}
