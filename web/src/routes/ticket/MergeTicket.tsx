// Merging this ticket into the one it duplicates: the conversation moves there, this one closes with
// a link, and both timelines say so.
import { useState } from "react";
import { Link } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { invalidateTicket } from "../../api/queries/invalidate";
import type { Ticket } from "../../api/types";
import { InlineError } from "../../ui/states";

export function MergeTicket({ ticket, canWrite }: { ticket: Ticket; canWrite: boolean }) {
  const queries = useQueryClient();
  const [into, setInto] = useState("");
  const merge = useMutation({
    mutationFn: async () => {
      const target = await call(api.GET("/api/v1/tickets/{id}", { params: { path: { id: into.trim() } } }));
      return call(
        api.POST("/api/v1/tickets/{id}/merge", {
          params: { path: { id: ticket.id } },
          body: { into: into.trim(), version: ticket.version, target_version: target.ticket.version },
        }),
      );
    },
    onSuccess: () => {
      invalidateTicket(queries, { id: ticket.id, customerId: ticket.customer_id });
      invalidateTicket(queries, { id: into.trim() });
    },
  });
  return (
    <section className="card" aria-labelledby="merge-title">
      <h2 id="merge-title" className="card-title">
        Duplicates
      </h2>
      {ticket.merged_into ? (
        <p data-testid="merged-into">
          Merged into <Link to={`/tickets/${ticket.merged_into}`}>ticket {ticket.merged_into.slice(-6)}</Link>; its conversation continues there.
        </p>
      ) : canWrite && ticket.status !== "closed" ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            merge.mutate();
          }}
        >
          <label className="field">
            <span>Merge into ticket (id)</span>
            <input value={into} onChange={(e) => setInto(e.target.value)} placeholder="The ticket this one duplicates" />
          </label>
          <button type="submit" className="button" disabled={!into.trim() || merge.isPending}>
            Merge this ticket
          </button>
          {merge.isError && <InlineError error={merge.error} />}
        </form>
      ) : null}
      {ticket.merged_from.length > 0 && (
        <p className="muted small" data-testid="merged-from">
          Merged here:{" "}
          {ticket.merged_from.map((id) => (
            <Link key={id} to={`/tickets/${id}`}>
              {id.slice(-6)}{" "}
            </Link>
          ))}
        </p>
      )}
    </section>
  );
}
