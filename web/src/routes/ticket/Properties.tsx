// Status, priority, category, tags and assignee, saved field by field against the ticket's version.
// Handing a ticket to someone else can carry a handoff note (context and next step), which the new
// assignee sees first.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { ApiError } from "../../api/problem";
import { invalidateTicket } from "../../api/queries/invalidate";
import { useMe } from "../../api/queries/members";
import { useDirectory } from "../../api/queries/directory";
import { useCategories } from "../../api/queries/settings";
import { ticketKeys } from "../../api/queries/keys";
import type { Schemas, TicketDetail } from "../../api/types";
import { label, PRIORITIES, STATUSES } from "../../lib/format";
import { InlineError } from "../../ui/states";

type Change = Omit<Schemas["UpdateTicketRequest"], "version">;

export function Properties({ detail, canWrite }: { detail: TicketDetail; canWrite: boolean }) {
  const ticket = detail.ticket;
  const queries = useQueryClient();
  const me = useMe();
  const canAssign = me.data?.permissions.includes("tickets:assign") ?? false;
  const directory = useDirectory();
  const categories = useCategories();
  const [notice, setNotice] = useState<string | null>(null);
  const [handoff, setHandoff] = useState<{ assignee: string; context: string; next: string } | null>(null);

  const update = useMutation({
    mutationFn: (change: Change) =>
      call(api.PATCH("/api/v1/tickets/{id}", { params: { path: { id: ticket.id } }, body: { ...change, version: ticket.version } })),
    onSuccess: (updated) => {
      setNotice(null);
      queries.setQueryData<TicketDetail>(ticketKeys.detail(ticket.id), (current) => (current ? { ...current, ticket: updated } : current));
      invalidateTicket(queries, { id: ticket.id, customerId: ticket.customer_id });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.slug === "version-conflict") {
        setNotice("Someone else changed this ticket first. You now see their version; make your change again.");
        invalidateTicket(queries, { id: ticket.id });
      }
    },
  });

  // The tags being edited start over whenever the saved tags change (here or by someone else).
  const savedTags = ticket.tags.join(", ");
  const [tagsOf, setTagsOf] = useState(savedTags);
  const [tags, setTags] = useState(savedTags);
  if (tagsOf !== savedTags) {
    setTagsOf(savedTags);
    setTags(savedTags);
  }
  const disabled = !canWrite || ticket.status === "closed" || update.isPending;
  const taxonomy = categories.data?.categories ?? [];
  const subcategories = taxonomy.find((c) => c.name === ticket.category)?.subcategories ?? [];
  const myId = me.data?.user.id;

  const reassign = (assignee: string | null) => {
    // To someone else: ask for a handoff note first.
    if (assignee && assignee !== myId && assignee !== ticket.assignee_id) {
      setHandoff({ assignee, context: "", next: "" });
      return;
    }
    setHandoff(null);
    update.mutate({ assignee_id: assignee });
  };
  const handOver = (withNote: boolean) => {
    if (!handoff) return;
    const note = withNote ? { context: handoff.context.trim(), next_step: handoff.next.trim() } : null;
    update.mutate({ assignee_id: handoff.assignee, ...(note ? { handoff: note } : {}) }, { onSuccess: () => setHandoff(null) });
  };

  return (
    <section className="card properties" aria-labelledby="properties-title">
      <h2 id="properties-title" className="card-title">
        Properties
      </h2>
      {notice && (
        <p className="notice warn" role="alert">
          {notice}
        </p>
      )}
      <div className="prop">
        <label htmlFor="prop-status">Status</label>
        <select id="prop-status" value={ticket.status} disabled={disabled} onChange={(e) => update.mutate({ status: e.target.value })}>
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {label(status)}
            </option>
          ))}
        </select>
      </div>
      <div className="prop">
        <label htmlFor="prop-priority">Priority</label>
        <select id="prop-priority" value={ticket.priority} disabled={disabled} onChange={(e) => update.mutate({ priority: e.target.value })}>
          {PRIORITIES.map((priority) => (
            <option key={priority} value={priority}>
              {label(priority)}
            </option>
          ))}
        </select>
      </div>
      <div className="prop">
        <label htmlFor="prop-assignee">Assignee</label>
        {directory.members.length > 0 ? (
          <select id="prop-assignee" value={handoff?.assignee ?? ticket.assignee_id ?? ""} disabled={disabled || !canAssign} onChange={(e) => reassign(e.target.value || null)}>
            <option value="">Unassigned</option>
            {directory
              .workers()
              .map((member) => (
                <option key={member.id} value={member.id}>
                  {member.id === myId ? `${member.name} (you)` : member.name}
                </option>
              ))}
          </select>
        ) : (
          <div className="prop-inline">
            <span id="prop-assignee">{ticket.assignee_id ? directory.nameOrYou(ticket.assignee_id) : "Unassigned"}</span>
            {canAssign && !disabled && ticket.assignee_id !== myId && myId && (
              <button type="button" className="button small" onClick={() => reassign(myId)}>
                Assign to me
              </button>
            )}
            {canAssign && !disabled && ticket.assignee_id && (
              <button type="button" className="button ghost small" onClick={() => reassign(null)}>
                Unassign
              </button>
            )}
          </div>
        )}
      </div>
      {handoff && (
        <form
          className="handoff"
          aria-label="Handoff note"
          onSubmit={(event) => {
            event.preventDefault();
            handOver(true);
          }}
        >
          <p className="strong">Hand over to {directory.name(handoff.assignee)}</p>
          <label htmlFor="handoff-context">What they need to know</label>
          <textarea id="handoff-context" rows={3} maxLength={2000} value={handoff.context} onChange={(e) => setHandoff({ ...handoff, context: e.target.value })} />
          <label htmlFor="handoff-next">Next step</label>
          <input id="handoff-next" maxLength={500} value={handoff.next} onChange={(e) => setHandoff({ ...handoff, next: e.target.value })} />
          <div className="row">
            <button type="submit" className="button note small" disabled={!handoff.context.trim() || !handoff.next.trim() || update.isPending}>
              Hand over with note
            </button>
            <button type="button" className="button ghost small" disabled={update.isPending} onClick={() => handOver(false)}>
              Without note
            </button>
            <button type="button" className="button ghost small" onClick={() => setHandoff(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <div className="prop">
        <label htmlFor="prop-category">Category</label>
        {taxonomy.length > 0 ? (
          <select
            id="prop-category"
            value={ticket.category ?? ""}
            disabled={disabled}
            onChange={(e) => update.mutate({ category: e.target.value || null, subcategory: null })}
          >
            <option value="">None</option>
            {taxonomy.map((category) => (
              <option key={category.name} value={category.name}>
                {category.name}
              </option>
            ))}
          </select>
        ) : (
          <input
            id="prop-category"
            defaultValue={ticket.category ?? ""}
            key={ticket.category ?? ""}
            disabled={disabled}
            placeholder="None"
            onBlur={(e) => {
              const value = e.target.value.trim() || null;
              if (value !== (ticket.category ?? null)) update.mutate({ category: value, ...(value ? {} : { subcategory: null }) });
            }}
          />
        )}
      </div>
      {subcategories.length > 0 && (
        <div className="prop">
          <label htmlFor="prop-subcategory">Subcategory</label>
          <select id="prop-subcategory" value={ticket.subcategory ?? ""} disabled={disabled} onChange={(e) => update.mutate({ subcategory: e.target.value || null })}>
            <option value="">None</option>
            {subcategories.map((sub) => (
              <option key={sub} value={sub}>
                {sub}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="prop">
        <label htmlFor="prop-tags">Tags</label>
        <input
          id="prop-tags"
          value={tags}
          disabled={disabled}
          placeholder="billing, vip"
          onChange={(e) => setTags(e.target.value)}
          onBlur={() => {
            const next = tags.split(",").map((tag) => tag.trim()).filter(Boolean);
            if (next.join(",") !== ticket.tags.join(",")) update.mutate({ tags: next });
          }}
        />
      </div>
      <InlineError error={update.error instanceof ApiError && update.error.slug === "version-conflict" ? null : update.error} />
    </section>
  );
}
