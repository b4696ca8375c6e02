// Macros from the composer: pick one (press m to get here), read and edit its filled-in text, see
// what it will change, then apply it (Ctrl+Enter): the reply and the changes land as one version.
import { useEffect, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { ApiError } from "../../api/problem";
import { macroPreviewQuery, useMacros } from "../../api/queries/desk";
import { invalidateTicket } from "../../api/queries/invalidate";
import { ticketKeys } from "../../api/queries/keys";
import type { TicketDetail } from "../../api/types";
import { isTyping } from "../../lib/keyboard";
import { label } from "../../lib/format";
import { InlineError } from "../../ui/states";

const MAX_BODY = 20_000;

export function MacroPicker({ ticketId, customerId, version, nameOf }: { ticketId: string; customerId: string; version: number; nameOf: (id: string) => string }) {
  const macros = useMacros(true);
  const [macroId, setMacroId] = useState("");
  const [text, setText] = useState<string | null>(null);
  const picker = useRef<HTMLSelectElement>(null);
  const preview = useQuery({ ...macroPreviewQuery(ticketId, macroId), enabled: macroId !== "" });
  const queries = useQueryClient();
  const body = text ?? preview.data?.body ?? "";
  const apply = useMutation({
    mutationFn: () =>
      call(api.POST("/api/v1/tickets/{id}/macros/{macro_id}", { params: { path: { id: ticketId, macro_id: macroId } }, body: { version, body } })),
    onSuccess: (applied) => {
      queries.setQueryData<TicketDetail>(ticketKeys.detail(ticketId), (current) => (current ? { ...current, ticket: applied.ticket } : current));
      invalidateTicket(queries, { id: ticketId, customerId });
      setMacroId("");
      setText(null);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.slug === "version-conflict") invalidateTicket(queries, { id: ticketId });
    },
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target)) return;
      if (event.key === "m") {
        event.preventDefault();
        picker.current?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  const items = macros.data?.items ?? [];
  const actions = preview.data?.actions;
  const changes = actions
    ? [
        actions.status && `status ${label(actions.status)}`,
        actions.priority && `priority ${label(actions.priority)}`,
        actions.add_tags.length > 0 && `tags ${actions.add_tags.map((tag) => `#${tag}`).join(" ")}`,
        actions.assignee && `assign to ${actions.assignee === "me" ? "you" : actions.assignee === "nobody" ? "nobody" : nameOf(actions.assignee)}`,
      ].filter(Boolean)
    : [];
  return (
    <section className="macro-picker" aria-label="Macros">
      <label className="select-label">
        <span>Macro</span>
        <select
          ref={picker}
          aria-label="Macro"
          aria-keyshortcuts="m"
          value={macroId}
          onChange={(e) => {
            setMacroId(e.target.value);
            setText(null);
          }}
        >
          <option value="">{items.length ? "Pick a macro…" : "No macros yet"}</option>
          {items.map((macro) => (
            <option key={macro.id} value={macro.id}>
              {macro.name}
              {macro.shared ? " (team)" : ""}
            </option>
          ))}
        </select>
      </label>
      {macroId && preview.isSuccess && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            apply.mutate();
          }}
        >
          <label className="field">
            <span>{preview.data.internal ? "Macro text, added as an internal note" : "Macro text, sent to the customer"}</span>
            <textarea
              rows={5}
              value={body}
              maxLength={MAX_BODY}
              onChange={(e) => setText(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  apply.mutate();
                }
              }}
            />
            <span className="muted small">
              {body.length.toLocaleString()}/{MAX_BODY.toLocaleString()}
            </span>
          </label>
          {changes.length > 0 && <p className="muted small">Also sets: {changes.join(", ")}.</p>}
          <button type="submit" className="button primary" disabled={apply.isPending || !body.trim()}>
            Apply macro
          </button>
          {apply.isError && <InlineError error={apply.error} />}
        </form>
      )}
      {preview.isError && <InlineError error={preview.error} />}
    </section>
  );
}
