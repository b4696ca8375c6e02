// Merge a duplicate customer into this one: every ticket and event moves over, the duplicate's
// e-mail finds this customer from then on.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { customerSearchQuery } from "../../api/queries/customers";
import { invalidateCustomerMerge } from "../../api/queries/invalidate";
import type { Customer } from "../../api/types";
import { InlineError } from "../../ui/states";

export function MergeCustomer({ target, done }: { target: Customer; done: () => void }) {
  const queries = useQueryClient();
  const [prefix, setPrefix] = useState("");
  const [chosen, setChosen] = useState<Customer | null>(null);
  const term = prefix.trim().toLowerCase();
  const found = useQuery({ ...customerSearchQuery(term, 10), enabled: term.length > 1 });
  const merge = useMutation({
    mutationFn: (source: Customer) =>
      call(api.POST("/api/v1/customers/{id}/merge", { params: { path: { id: target.id } }, body: { source_id: source.id } })),
    onSuccess: () => {
      invalidateCustomerMerge(queries);
      done();
    },
  });
  const candidates = (found.data?.items ?? []).filter((c) => c.id !== target.id && !c.merged_into);
  return (
    <section className="card form" aria-labelledby="merge-title">
      <h2 id="merge-title" className="card-title">
        Merge a duplicate into {target.name ?? target.email}
      </h2>
      {chosen ? (
        <>
          <p>
            Move every ticket and event of <strong>{chosen.name ?? chosen.email}</strong> ({chosen.email}) to this customer? Their
            e-mail will find this customer from then on. This cannot be undone.
          </p>
          <div className="row">
            <button type="button" className="button primary" disabled={merge.isPending} onClick={() => merge.mutate(chosen)}>
              {merge.isPending ? "Merging…" : "Merge"}
            </button>
            <button type="button" className="button ghost" onClick={() => setChosen(null)}>
              Back
            </button>
          </div>
          <InlineError error={merge.error} />
        </>
      ) : (
        <>
          <div className="field">
            <label htmlFor="merge-search">Duplicate's e-mail</label>
            <input id="merge-search" type="search" value={prefix} onChange={(e) => setPrefix(e.target.value)} placeholder="Start of the e-mail address" />
          </div>
          {term.length > 1 && !found.isPending && candidates.length === 0 && <p className="muted small">No other customer's e-mail starts with that.</p>}
          <ul className="choice-list">
            {candidates.map((candidate) => (
              <li key={candidate.id}>
                <button type="button" className="choice" onClick={() => setChosen(candidate)}>
                  <span>
                    <span className="choice-name">{candidate.name ?? candidate.email}</span> <span className="muted small">{candidate.email}</span>
                  </span>
                  <span aria-hidden="true">→</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
