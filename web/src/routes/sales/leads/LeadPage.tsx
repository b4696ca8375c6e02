// One lead: its profile (status and owner at hand, the rest in an edit form; a stale version is shown as
// such), notes, activities, its timeline, and converting it into a customer (with a deal, if asked).
import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../../api/client";
import { ApiError } from "../../../api/problem";
import { useMe } from "../../../api/queries/members";
import { useDirectory } from "../../../api/queries/directory";
import { invalidateLeads, leadKeys, leadNotesQuery, leadQuery, leadStatusesQuery, leadTimelineQuery, type Lead, type LeadStatus } from "../../../api/queries/sales";
import { dateTime, relativeTime } from "../../../lib/format";
import { Avatar } from "../../../ui/Avatar";
import { Empty, ErrorState, InlineError, Loading } from "../../../ui/states";
import { Timeline } from "../../../ui/Timeline";
import { Activities } from "../activities/Activities";
import { ConvertLead } from "./ConvertLead";
import { LeadFields, onlyFieldErrors } from "./LeadFields";
import { LeadStatusBadge, sourceLabel } from "./LeadBadges";
import { scoreError, updateBody, type LeadFormValues } from "./leadForm";

export function Component() {
  const { id = "" } = useParams();
  const lead = useQuery(leadQuery(id));
  const statuses = useQuery(leadStatusesQuery());
  const me = useMe();
  const directory = useDirectory();
  const queries = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [converting, setConverting] = useState(false);
  const permissions = me.data?.permissions ?? [];
  const canWrite = permissions.includes("sales:write");
  const canManage = permissions.includes("sales:manage");

  if (lead.isPending) return <Loading label="Loading lead…" />;
  if (lead.isError) return <ErrorState error={lead.error} retry={() => void lead.refetch()} />;
  const l = lead.data;
  const myId = me.data?.user.id;
  // Reps change their own and unowned leads; managers any (docs/sales.md).
  const mayChange = canWrite && (canManage || !l.owner_id || l.owner_id === myId);
  const open = !l.customer_id && !l.merged_into;
  return (
    <div className="page">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/sales/leads">Leads</Link> <span aria-hidden="true">/</span> {l.name}
      </nav>
      <header className="profile-head">
        <Avatar name={l.name} id={l.id} size={56} />
        <div>
          <h1 data-testid="lead-name">{l.name}</h1>
          <div className="muted">{[l.title, l.company, l.email, l.phone].filter(Boolean).join(" · ") || "No contact details yet"}</div>
          <div className="row small">
            <LeadStatusBadge status={l.status} statuses={statuses.data?.statuses} />
            <span className="muted">
              via {sourceLabel(l.source)} · created {relativeTime(l.created_at)}
              {typeof l.score === "number" && ` · score ${l.score}`}
            </span>
            {l.tags.map((tag) => (
              <Link key={tag} className="tag" to={`/sales/leads?tag=${encodeURIComponent(tag)}`}>
                #{tag}
              </Link>
            ))}
          </div>
        </div>
        {mayChange && open && (
          <div className="row head-actions">
            <button type="button" className="button" onClick={() => setEditing((e) => !e)} aria-expanded={editing}>
              {editing ? "Close" : "Edit lead"}
            </button>
            <button type="button" className="button primary" onClick={() => setConverting(true)}>
              Convert to customer
            </button>
          </div>
        )}
      </header>
      {l.merged_into && (
        <p className="notice">
          This lead was merged into <Link to={`/sales/leads/${l.merged_into}`}>another lead</Link>, which holds its notes now.
        </p>
      )}
      {l.customer_id && (
        <p className="notice" data-testid="lead-converted">
          Converted {l.converted_at ? dateTime(l.converted_at) : ""} into <Link to={`/customers/${l.customer_id}`}>a customer</Link>.
        </p>
      )}
      {converting && <ConvertLead lead={l} close={() => setConverting(false)} />}
      {editing && <EditLead key={l.id} lead={l} done={() => setEditing(false)} />}
      <div className="columns">
        <div className="stack">
          <section className="card" aria-labelledby="lead-props-title">
            <h2 id="lead-props-title" className="card-title">
              Status and owner
            </h2>
            <Properties lead={l} statuses={statuses.data?.statuses ?? []} mayChange={mayChange && open} canAssign={canManage} myId={myId} />
            {Object.keys(l.attributes).length > 0 && (
              <dl className="attributes">
                {Object.entries(l.attributes).map(([key, value]) => (
                  <div key={key}>
                    <dt>{key}</dt>
                    <dd>{value}</dd>
                  </div>
                ))}
              </dl>
            )}
          </section>
          <Notes leadId={l.id} canWrite={canWrite} nameOf={directory.nameOrYou} />
          <Activities record={{ kind: "lead", id: l.id }} canWrite={canWrite} directory={directory} onChange={() => void queries.invalidateQueries({ queryKey: leadKeys.timeline(l.id) })} />
        </div>
        <LeadTimeline leadId={l.id} nameOf={directory.name} />
      </div>
    </div>
  );
}

/** Status and owner, changed in place at the version shown. */
function Properties({ lead, statuses, mayChange, canAssign, myId }: { lead: Lead; statuses: readonly LeadStatus[]; mayChange: boolean; canAssign: boolean; myId?: string }) {
  const queries = useQueryClient();
  const directory = useDirectory();
  const change = useMutation({
    mutationFn: (body: { status?: string; owner_id?: string | null }) => call(api.PATCH("/api/v1/leads/{id}", { params: { path: { id: lead.id } }, body: { ...body, version: lead.version } })),
    onSuccess: (updated) => {
      queries.setQueryData(leadKeys.detail(lead.id), updated);
      invalidateLeads(queries, [lead.id]);
    },
    onError: () => invalidateLeads(queries, [lead.id]),
  });
  // Without sales:manage a rep may take an unowned lead, or release their own: nothing else.
  const owners = canAssign ? directory.workers() : directory.workers().filter((member) => member.id === myId || member.id === lead.owner_id);
  return (
    <div className="grid-2">
      <label className="field">
        <span>Status</span>
        <select value={lead.status} disabled={!mayChange || change.isPending} onChange={(e) => change.mutate({ status: e.target.value })}>
          {statuses
            .filter((status) => status.meaning !== "converted" || status.key === lead.status)
            .map((status) => (
              <option key={status.key} value={status.key} disabled={status.meaning === "converted"}>
                {status.label}
              </option>
            ))}
        </select>
      </label>
      <label className="field">
        <span>Owner</span>
        <select value={lead.owner_id ?? ""} disabled={!mayChange || change.isPending} onChange={(e) => change.mutate({ owner_id: e.target.value || null })}>
          <option value="">Nobody</option>
          {owners.map((member) => (
            <option key={member.id} value={member.id}>
              {member.id === myId ? `${member.name} (you)` : member.name}
            </option>
          ))}
        </select>
      </label>
      <InlineError error={change.error} />
    </div>
  );
}

function toForm(lead: Lead): LeadFormValues {
  return {
    name: lead.name,
    email: lead.email ?? "",
    phone: lead.phone ?? "",
    company: lead.company ?? "",
    title: lead.title ?? "",
    source: lead.source,
    tags: lead.tags.join(", "),
    score: typeof lead.score === "number" ? String(lead.score) : "",
  };
}

/** The edit form keeps what was typed when someone else changed the lead first, and saves at the fresh version on the next try. */
function EditLead({ lead, done }: { lead: Lead; done: () => void }) {
  const queries = useQueryClient();
  const [original, setOriginal] = useState(() => toForm(lead));
  const [form, setForm] = useState(original);
  const [basedOn, setBasedOn] = useState(lead.version);
  const save = useMutation({
    mutationFn: () => call(api.PATCH("/api/v1/leads/{id}", { params: { path: { id: lead.id } }, body: updateBody(form, basedOn, original) })),
    onSuccess: (updated) => {
      queries.setQueryData(leadKeys.detail(lead.id), updated);
      invalidateLeads(queries, [lead.id]);
      done();
    },
    onError: (error) => {
      if (error instanceof ApiError && error.slug === "version-conflict") invalidateLeads(queries, [lead.id]);
    },
  });
  const conflict = basedOn !== lead.version;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!scoreError(form)) save.mutate();
  };
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="Edit lead">
      {conflict && (
        <div className="notice warn" role="alert" data-testid="lead-version-conflict">
          <p>
            Someone else changed this lead while you were editing (now: {lead.name}
            {lead.email ? `, ${lead.email}` : ""}, version {lead.version}). Your changes are kept below; keeping them changes only the fields you edited.
          </p>
          <div className="row">
            <button type="button" className="button small" onClick={() => setBasedOn(lead.version)}>
              Keep my changes
            </button>
            <button
              type="button"
              className="button small ghost"
              onClick={() => {
                setOriginal(toForm(lead));
                setForm(toForm(lead));
                setBasedOn(lead.version);
              }}
            >
              Take theirs
            </button>
          </div>
        </div>
      )}
      <LeadFields form={form} setForm={setForm} error={save.error} />
      {!(save.error instanceof ApiError && save.error.slug === "version-conflict") && <InlineError error={onlyFieldErrors(save.error) ? null : save.error} />}
      <div className="row end">
        <button type="button" className="button ghost" onClick={done}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={save.isPending || conflict || !form.name.trim()}>
          Save
        </button>
      </div>
    </form>
  );
}

function Notes({ leadId, canWrite, nameOf }: { leadId: string; canWrite: boolean; nameOf: (id: string) => string }) {
  const queries = useQueryClient();
  const notes = useQuery(leadNotesQuery(leadId));
  const [body, setBody] = useState("");
  const add = useMutation({
    mutationFn: () => call(api.POST("/api/v1/leads/{id}/notes", { params: { path: { id: leadId } }, body: { body: body.trim() } })),
    onSuccess: () => {
      setBody("");
      void queries.invalidateQueries({ queryKey: leadKeys.detail(leadId) });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (body.trim()) add.mutate();
  };
  return (
    <section className="card" aria-labelledby="lead-notes-title">
      <h2 id="lead-notes-title" className="card-title">
        Notes
      </h2>
      {canWrite && (
        <form className="form" onSubmit={submit}>
          <label htmlFor="lead-note" className="sr-only">
            A note on this lead
          </label>
          <textarea id="lead-note" rows={3} placeholder="What happened, what was agreed…" value={body} onChange={(e) => setBody(e.target.value)} />
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
        <ul className="notes" data-testid="lead-notes">
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

function LeadTimeline({ leadId, nameOf }: { leadId: string; nameOf: (id: string) => string }) {
  const timeline = useQuery(leadTimelineQuery(leadId));
  return (
    <section className="card" aria-labelledby="lead-timeline-title">
      <h2 id="lead-timeline-title" className="card-title">
        Timeline
      </h2>
      {timeline.isPending ? (
        <Loading />
      ) : timeline.isError ? (
        <ErrorState error={timeline.error} />
      ) : timeline.data.items.length === 0 ? (
        <Empty title="Nothing yet" />
      ) : (
        <Timeline events={timeline.data.items} nameOf={nameOf} testId="lead-timeline" />
      )}
    </section>
  );
}
