// The category taxonomy: everyone sees it, owners and admins edit it.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { ApiError } from "../../api/problem";
import { invalidateCategories } from "../../api/queries/invalidate";
import { usePermission } from "../../api/queries/members";
import { settingsKeys } from "../../api/queries/keys";
import { useCategories } from "../../api/queries/settings";
import { ErrorState, InlineError, Loading } from "../../ui/states";

interface Row {
  name: string;
  subcategories: string;
}

export function Component() {
  const categories = useCategories();
  const canManage = usePermission("settings:manage") ?? false;
  const queries = useQueryClient();
  const [rows, setRows] = useState<Row[]>([]);
  const [saved, setSaved] = useState(false);
  // The form starts over from the server's taxonomy each time it is (re)loaded.
  const [rowsOf, setRowsOf] = useState<typeof categories.data>(undefined);
  if (categories.data && categories.data !== rowsOf) {
    setRowsOf(categories.data);
    setRows(categories.data.categories.map((c) => ({ name: c.name, subcategories: (c.subcategories ?? []).join(", ") })));
  }
  const save = useMutation({
    mutationFn: () =>
      call(
        api.PUT("/api/v1/settings/categories", {
          body: {
            version: categories.data?.version ?? 0,
            categories: rows
              .filter((row) => row.name.trim())
              .map((row) => ({ name: row.name, subcategories: row.subcategories.split(",").map((s) => s.trim()).filter(Boolean) })),
          },
        }),
      ),
    onSuccess: (view) => {
      queries.setQueryData(settingsKeys.categories(), view);
      setSaved(true);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.slug === "version-conflict") invalidateCategories(queries);
    },
  });
  if (categories.isPending) return <Loading />;
  if (categories.isError) return <ErrorState error={categories.error} retry={() => void categories.refetch()} />;
  const edit = (index: number, change: Partial<Row>) => {
    setSaved(false);
    setRows((current) => current.map((row, i) => (i === index ? { ...row, ...change } : row)));
  };
  return (
    <section aria-labelledby="categories-title">
      <h2 id="categories-title">Categories</h2>
      <p className="muted">
        {rows.length === 0
          ? "No taxonomy: ticket categories are free labels. Add categories to make agents choose from a list."
          : "Tickets must use these categories and their subcategories."}
        {!canManage && " Only owners and admins can change them."}
      </p>
      <div className="card">
        {rows.map((row, index) => (
          <div className="category-row" key={index}>
            <label>
              <span className="sr-only">Category {index + 1}</span>
              <input value={row.name} placeholder="Category" readOnly={!canManage} onChange={(e) => edit(index, { name: e.target.value })} />
            </label>
            <label className="grow">
              <span className="sr-only">Subcategories of {row.name || `category ${index + 1}`}</span>
              <input
                value={row.subcategories}
                placeholder="Subcategories, separated by commas"
                readOnly={!canManage}
                onChange={(e) => edit(index, { subcategories: e.target.value })}
              />
            </label>
            {canManage && (
              <button type="button" className="button ghost small" onClick={() => setRows(rows.filter((_, i) => i !== index))} aria-label={`Remove ${row.name || "category"}`}>
                Remove
              </button>
            )}
          </div>
        ))}
        {canManage && (
          <div className="row">
            <button type="button" className="button" onClick={() => setRows([...rows, { name: "", subcategories: "" }])}>
              Add category
            </button>
            <button type="button" className="button primary" onClick={() => save.mutate()} disabled={save.isPending}>
              Save categories
            </button>
            {saved && (
              <span className="muted small" role="status">
                Saved.
              </span>
            )}
          </div>
        )}
        <InlineError error={save.error} />
      </div>
    </section>
  );
}
