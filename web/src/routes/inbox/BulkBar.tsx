// Bulk actions on the selected inbox rows: assign, status, priority, tags. Each ticket is changed at
// the version shown; the answer says which ones changed and, in plain words, why others did not.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { describeProblem } from "../../api/problem";
import { invalidateTicket } from "../../api/queries/invalidate";
import type { BulkResult, Schemas, Ticket } from "../../api/types";
import type { DirectoryMember } from "../../api/queries/directory";
import { label, PRIORITIES, STATUSES } from "../../lib/format";
import { InlineError } from "../../ui/states";

type Changes = Schemas["BulkChanges"];

export function BulkBar({ selected, members, myId, clear }: { selected: Ticket[]; members: readonly DirectoryMember[]; myId?: string; clear: () => void }) {
  const queries = useQueryClient();
  const [result, setResult] = useState<BulkResult | null>(null);
  const [tag, setTag] = useState("");
  const run = useMutation({
    mutationFn: (changes: Changes) =>
      call(api.POST("/api/v1/tickets/bulk", { body: { tickets: selected.map((t) => ({ id: t.id, version: t.version })), changes } })),
    onSuccess: (answer) => {
      // The selection stays (with the fresh versions once the list refetches) for a next action.
      setResult(answer);
      invalidateTicket(queries, {});
    },
  });
  const subjectOf = (id: string) => selected.find((t) => t.id === id)?.subject ?? id;
  return (
    <div className="bulk-bar" role="region" aria-label="Bulk actions" data-testid="bulk-bar">
      <strong>{selected.length} selected</strong>
      <select aria-label="Assign selected" value="" onChange={(e) => e.target.value && run.mutate({ assignee_id: e.target.value === "none" ? null : e.target.value })}>
        <option value="">Assign to…</option>
        <option value="none">Nobody</option>
        {members.map((member) => (
            <option key={member.id} value={member.id}>
              {member.id === myId ? `${member.name} (you)` : member.name}
            </option>
          ))}
      </select>
      <select aria-label="Set status of selected" value="" onChange={(e) => e.target.value && run.mutate({ status: e.target.value })}>
        <option value="">Status…</option>
        {STATUSES.map((status) => (
          <option key={status} value={status}>
            {label(status)}
          </option>
        ))}
      </select>
      <select aria-label="Set priority of selected" value="" onChange={(e) => e.target.value && run.mutate({ priority: e.target.value })}>
        <option value="">Priority…</option>
        {PRIORITIES.map((priority) => (
          <option key={priority} value={priority}>
            {label(priority)}
          </option>
        ))}
      </select>
      <form
        className="tag-filter"
        onSubmit={(event) => {
          event.preventDefault();
          if (tag.trim()) run.mutate({ add_tags: [tag.trim()] });
          setTag("");
        }}
      >
        <input aria-label="Add a tag to selected" placeholder="Add tag" value={tag} onChange={(e) => setTag(e.target.value)} />
      </form>
      <button type="button" className="button small" onClick={clear}>
        Clear selection
      </button>
      {run.isError && <InlineError error={run.error} />}
      {result && (
        <div className="bulk-summary" role="status" data-testid="bulk-summary">
          <p>
            {result.updated} updated{result.unchanged ? `, ${result.unchanged} already so` : ""}
            {result.failed ? `, ${result.failed} not changed:` : "."}
          </p>
          {result.failed > 0 && (
            <ul>
              {result.results
                .filter((item) => item.outcome === "failed" && item.problem)
                .map((item) => (
                  <li key={item.id}>
                    “{subjectOf(item.id)}”: {describeProblem({ ...item.problem!, type: item.problem!.type })}
                  </li>
                ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
