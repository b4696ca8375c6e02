// The leads list's filters: read from the address bar (so a filtered list can be shared and survives a
// reload), written back to it, and turned into the API's query parameters. Dates are the member's own
// calendar days: "from" starts at local midnight, "to" ends at the last millisecond of that day.
// The API orders by score without a creation range (422), so the score sort drops the range.

export const LEAD_SOURCES = ["web_form", "typeform", "zapier", "import", "manual", "referral", "other"] as const;
export const LEAD_SORTS = ["newest", "score"] as const;

export interface LeadFilters {
  status: string;
  /** A member id, `me` or `none`; empty for anyone. */
  owner: string;
  source: string;
  tag: string;
  /** YYYY-MM-DD, inclusive. */
  from: string;
  /** YYYY-MM-DD, inclusive. */
  to: string;
  sort: (typeof LEAD_SORTS)[number];
}

export interface LeadQuery {
  status?: string;
  owner?: string;
  source?: string;
  tag?: string;
  created_from?: string;
  created_to?: string;
  sort?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const KEYS = ["status", "owner", "source", "tag", "from", "to"] as const;

/** The filters named in the address bar; anything malformed reads as "any". */
export function filtersFrom(params: URLSearchParams): LeadFilters {
  const text = (key: string) => params.get(key)?.trim() ?? "";
  const day = (key: string) => (DAY.test(text(key)) && !Number.isNaN(localDay(text(key)).getTime()) ? text(key) : "");
  const source = text("source");
  return {
    status: text("status"),
    owner: text("owner"),
    source: (LEAD_SOURCES as readonly string[]).includes(source) ? source : "",
    tag: text("tag").toLowerCase(),
    from: day("from"),
    to: day("to"),
    sort: text("sort") === "score" ? "score" : "newest",
  };
}

/** The address bar's parameters for these filters: only what narrows or reorders the list. */
export function filtersToParams(filters: LeadFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of KEYS) if (filters[key]) params.set(key, filters[key]);
  if (filters.sort !== "newest") params.set("sort", filters.sort);
  return params;
}

/** One filter changed: the score sort and a creation range exclude each other, the later choice wins. */
export function withFilter(filters: LeadFilters, key: keyof LeadFilters, value: string): LeadFilters {
  const next = { ...filters, [key]: value } as LeadFilters;
  if (key === "sort" && value === "score") return { ...next, from: "", to: "" };
  if ((key === "from" || key === "to") && value) return { ...next, sort: "newest" };
  return next;
}

/** What `GET /api/v1/leads` is asked. */
export function leadQuery(filters: LeadFilters): LeadQuery {
  const query: LeadQuery = {};
  if (filters.status) query.status = filters.status;
  if (filters.owner) query.owner = filters.owner;
  if (filters.source) query.source = filters.source;
  if (filters.tag) query.tag = filters.tag;
  if (filters.sort === "score") {
    query.sort = "score";
    return query;
  }
  if (filters.from) query.created_from = localDay(filters.from).toISOString();
  if (filters.to) query.created_to = new Date(localDay(filters.to).getTime() + 86_400_000 - 1).toISOString();
  return query;
}

/** Whether any filter narrows the list (for the empty state's wording). */
export function isFiltered(filters: LeadFilters): boolean {
  return KEYS.some((key) => filters[key] !== "");
}

function localDay(day: string): Date {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(year, month - 1, date);
}
