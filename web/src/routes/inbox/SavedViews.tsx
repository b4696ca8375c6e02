// Saved views in the inbox's side bar: the member's own and the team's, with live counts; the
// current filters can be saved as a new view (shared ones for admins).
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { useSavedViews } from "../../api/queries/desk";
import { ticketKeys } from "../../api/queries/keys";
import type { SavedView } from "../../api/types";
import { InlineError } from "../../ui/states";

export type ViewFilters = SavedView["filters"];

/** Whether the inbox's current filters are those of a saved view. */
function same(a: ViewFilters, b: ViewFilters) {
  const keys = ["view", "sort", "status", "priority", "category", "tag", "assignee"] as const;
  const norm = (filters: ViewFilters, key: (typeof keys)[number]) =>
    filters[key] || (key === "view" ? "open" : key === "sort" ? "updated" : "");
  return keys.every((key) => norm(a, key) === norm(b, key));
}

export function SavedViews({ current, apply, canShare }: { current: ViewFilters; apply: (filters: ViewFilters) => void; canShare: boolean }) {
  const views = useSavedViews();
  const queries = useQueryClient();
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState("");
  const [shared, setShared] = useState(false);
  const save = useMutation({
    mutationFn: () => call(api.POST("/api/v1/views", { body: { name, filters: current, shared } })),
    onSuccess: () => {
      setNaming(false);
      setName("");
      void queries.invalidateQueries({ queryKey: ticketKeys.views() });
    },
  });
  const items = views.data?.items ?? [];
  return (
    <section aria-labelledby="saved-views-title">
      <h2 className="views-subtitle" id="saved-views-title">
        Saved views
      </h2>
      <ul data-testid="saved-views">
        {items.map((view) => (
          <li key={view.id}>
            <button type="button" className={`view ${same(view.filters, current) ? "active" : ""}`} onClick={() => apply(view.filters)}>
              <span>
                {view.name}
                {view.shared && <span className="muted small"> · team</span>}
              </span>
              <span className="count">{view.count}</span>
            </button>
          </li>
        ))}
        {views.isSuccess && items.length === 0 && <li className="muted small">None yet: filter the inbox, then save the view.</li>}
      </ul>
      {naming ? (
        <form
          className="save-view"
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate();
          }}
        >
          <label className="field">
            <span>View name</span>
            <input value={name} maxLength={60} onChange={(e) => setName(e.target.value)} autoFocus />
            <span className="muted small">{name.length}/60</span>
          </label>
          {canShare && (
            <label className="check">
              <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} /> Share with the team
            </label>
          )}
          <button type="submit" className="button primary" disabled={save.isPending || !name.trim()}>
            Save view
          </button>
          <button type="button" className="button" onClick={() => setNaming(false)}>
            Cancel
          </button>
          {save.isError && <InlineError error={save.error} />}
        </form>
      ) : (
        <button type="button" className="button small" onClick={() => setNaming(true)}>
          Save these filters as a view
        </button>
      )}
    </section>
  );
}
