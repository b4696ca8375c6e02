// Bulk changes to the selected leads: owner, status, tags (POST /api/v1/leads/bulk). Each lead is changed
// at the version shown, in its own transaction; the answer says which changed and why others did not.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../../api/client";
import { describeProblem } from "../../../api/problem";
import { invalidateLeads, type Lead, type LeadStatus } from "../../../api/queries/sales";
import type { Schemas } from "../../../api/types";
import type { DirectoryMember } from "../../../api/queries/directory";
import { InlineError } from "../../../ui/states";

interface Props {
  selected: Lead[];
  statuses: readonly LeadStatus[];
  members: readonly DirectoryMember[];
  myId?: string;
  clear: () => void;
}

export function LeadBulkBar({ selected, statuses, members, myId, clear }: Props) {
  const queries = useQueryClient();
  const [result, setResult] = useState<Schemas["LeadBulkResult"] | null>(null);
  const [tag, setTag] = useState("");
  const run = useMutation({
    mutationFn: (changes: Schemas["LeadBulkChanges"]) =>
      call(api.POST("/api/v1/leads/bulk", { body: { leads: selected.map((lead) => ({ id: lead.id, version: lead.version })), changes } })),
    onSuccess: (answer) => {
      setResult(answer);
      invalidateLeads(queries, selected.map((lead) => lead.id));
    },
  });
  const nameOf = (id: string) => selected.find((lead) => lead.id === id)?.name ?? id;
  return (
    <div className="bulk-bar" role="region" aria-label="Bulk actions" data-testid="lead-bulk-bar">
      <strong>{selected.length} selected</strong>
      <select aria-label="Assign selected leads" value="" onChange={(e) => e.target.value && run.mutate({ owner_id: e.target.value === "none" ? null : e.target.value })}>
        <option value="">Owner…</option>
        <option value="none">Nobody</option>
        {members.map((member) => (
          <option key={member.id} value={member.id}>
            {member.id === myId ? `${member.name} (you)` : member.name}
          </option>
        ))}
      </select>
      <select aria-label="Set status of selected leads" value="" onChange={(e) => e.target.value && run.mutate({ status: e.target.value })}>
        <option value="">Status…</option>
        {statuses
          .filter((status) => status.meaning !== "converted")
          .map((status) => (
            <option key={status.key} value={status.key}>
              {status.label}
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
        <input aria-label="Add a tag to selected leads" placeholder="Add tag" value={tag} onChange={(e) => setTag(e.target.value)} />
      </form>
      <button type="button" className="button small" onClick={clear}>
        Clear selection
      </button>
      {run.isError && <InlineError error={run.error} />}
      {result && (
        <div className="bulk-summary" role="status" data-testid="lead-bulk-summary">
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
                    {nameOf(item.id)}: {describeProblem(item.problem!)}
                  </li>
                ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
