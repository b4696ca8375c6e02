// The search palette's rules, kept pure so they are tested without a browser: where a result leads,
// how the keys move through the results, and the recent searches kept in this browser.

export type SearchKind = "tickets" | "customers" | "companies" | "leads" | "deals";

/** The page a result opens. */
export function resultPath(kind: string, id: string): string {
  switch (kind as SearchKind) {
    case "tickets":
      return `/tickets/${id}`;
    case "customers":
      return `/customers/${id}`;
    case "companies":
      return `/sales/companies/${id}`;
    case "leads":
      return `/sales/leads/${id}`;
    case "deals":
      return `/sales/deals/${id}`;
    default:
      return "/";
  }
}

/** What a result's type reads as. */
export const KIND_LABELS: Record<SearchKind, string> = {
  tickets: "Ticket",
  customers: "Customer",
  companies: "Company",
  leads: "Lead",
  deals: "Deal",
};

export type PaletteAction = { kind: "move"; index: number } | { kind: "open"; index: number } | { kind: "close" } | { kind: "none" };

/** A key pressed in the palette's field: arrows move (wrapping), Enter opens, Escape closes. */
export function paletteKey(key: string, index: number, length: number): PaletteAction {
  switch (key) {
    case "ArrowDown":
      return length === 0 ? { kind: "none" } : { kind: "move", index: index + 1 >= length ? 0 : index + 1 };
    case "ArrowUp":
      return length === 0 ? { kind: "none" } : { kind: "move", index: index <= 0 ? length - 1 : index - 1 };
    case "Enter":
      return index >= 0 && index < length ? { kind: "open", index } : { kind: "none" };
    case "Escape":
      return { kind: "close" };
    default:
      return { kind: "none" };
  }
}

/** Whether a key opens the palette: Ctrl-K or Cmd-K anywhere, "/" outside a text field. */
export function opensPalette(event: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean }, typing: boolean): boolean {
  if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") return true;
  return event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing;
}

const RECENT_KEY = "switchboard.recent-searches";
const RECENT_MAX = 5;

/** The recent searches with `query` first, without repeats (case-insensitive), at most five. */
export function withRecent(recent: readonly string[], query: string): string[] {
  const q = query.trim();
  if (!q) return [...recent];
  return [q, ...recent.filter((r) => r.toLowerCase() !== q.toLowerCase())].slice(0, RECENT_MAX);
}

export function loadRecent(storage: Pick<Storage, "getItem"> = localStorage): string[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(RECENT_KEY) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === "string").slice(0, RECENT_MAX) : [];
  } catch {
    return [];
  }
}

export function saveRecent(recent: readonly string[], storage: Pick<Storage, "setItem"> = localStorage) {
  storage.setItem(RECENT_KEY, JSON.stringify(recent.slice(0, RECENT_MAX)));
}
