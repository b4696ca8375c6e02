// The search field of a list (inbox, leads, deals, customers, companies): what it asks GET /api/v1/search
// for, kept pure so it is tested without a browser. The list's own filters narrow the search the same
// way they narrow the list.
import type { SearchKind } from "./search";

/** The list's filters a search honours: status (one or any of several) and owner (`me`, `none`, a member id). */
export interface ListSearchFilters {
  status?: string | readonly string[] | null;
  owner?: string | null;
}

/** Results a list's search shows at most. */
export const LIST_SEARCH_LIMIT = 25;

/** The query string of a list's search, or null while there is nothing to search for. */
export function listSearchParams(type: SearchKind, text: string, filters: ListSearchFilters = {}) {
  const q = text.trim();
  if (!q) return null;
  const status = typeof filters.status === "string" ? filters.status.trim() : (filters.status ?? []).filter(Boolean).join(",");
  const owner = filters.owner?.trim() ?? "";
  return {
    q,
    types: type,
    limit: LIST_SEARCH_LIMIT,
    ...(status ? { status } : {}),
    ...(owner ? { owner } : {}),
  };
}

export type ListSearchAction = { kind: "move"; index: number } | { kind: "open"; index: number } | { kind: "clear" } | { kind: "none" };

/** A key pressed in a list's search field: arrows move through the results (wrapping), Enter opens the
 * selected one, Escape clears the field (and the list comes back). */
export function listSearchKey(key: string, index: number, length: number, text: string): ListSearchAction {
  switch (key) {
    case "ArrowDown":
      return length === 0 ? { kind: "none" } : { kind: "move", index: index + 1 >= length ? 0 : index + 1 };
    case "ArrowUp":
      return length === 0 ? { kind: "none" } : { kind: "move", index: index <= 0 ? length - 1 : index - 1 };
    case "Enter":
      return index >= 0 && index < length ? { kind: "open", index } : { kind: "none" };
    case "Escape":
      return text ? { kind: "clear" } : { kind: "none" };
    default:
      return { kind: "none" };
  }
}
