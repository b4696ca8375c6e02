// The leads list: counts per status, filters (status, owner, source, tag, created range) kept in the
// address bar, newest-first or score order, cursor paging, keyboard navigation as in the inbox (j/k
// move, x selects, Enter opens, n new lead) and bulk changes when the API offers them.
import { useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useMe } from "../../../api/queries/members";
import { useDirectory } from "../../../api/queries/directory";
import { leadCountsQuery, leadsQuery, leadStatusesQuery, type Lead } from "../../../api/queries/sales";
import { filtersFrom, filtersToParams, isFiltered, LEAD_SOURCES, leadQuery, withFilter, type LeadFilters } from "../../../lib/leadFilters";
import { relativeTime } from "../../../lib/format";
import { useListKeyboard } from "../../../lib/useListKeyboard";
import { Empty, ErrorState, Loading } from "../../../ui/states";
import { LeadBulkBar } from "./LeadBulkBar";
import { LeadStatusBadge, sourceLabel } from "./LeadBadges";
import { ListSearch } from "../../../ui/ListSearch";
import { ExportButton } from "../../../ui/ExportButton";

export function Component() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const filters = filtersFrom(params);
  const query = leadQuery(filters);
  const counts = useQuery(leadCountsQuery());
  const statuses = useQuery(leadStatusesQuery());
  const me = useMe();
  const directory = useDirectory();
  const sellers = directory.workers();
  const canWrite = me.data?.permissions.includes("sales:write") ?? false;

  const list = useInfiniteQuery(leadsQuery(query));
  const leads: Lead[] = useMemo(() => list.data?.pages.flatMap((page) => page.items) ?? [], [list.data]);
  // Filtered pages can be short while more exist: keep reading until the screen has enough.
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && leads.length < 25) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, leads.length]);

  // Rows picked for a bulk action, by id; kept while the list refreshes underneath.
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setPicked((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const bulk = canWrite;
  const keyboard = useListKeyboard(leads, {
    open: (lead) => navigate(`/sales/leads/${lead.id}`),
    resetOn: JSON.stringify(query),
    shortcuts: {
      n: () => canWrite && navigate("/sales/leads/new"),
      x: () => {
        const lead = leads[keyboard.selected] as Lead | undefined;
        if (bulk && lead) toggle(lead.id);
      },
    },
  });
  const selected = leads.filter((lead) => picked.has(lead.id));

  const set = (key: keyof LeadFilters, value: string) => setParams(filtersToParams(withFilter(filters, key, value)), { replace: true });
  const youId = me.data?.user.id;
  const ownerName = (id: string | null | undefined) => (id ? directory.nameOrYou(id) : "Nobody");

  return (
    <div className="inbox">
      <aside className="views" aria-label="Lead counts">
        <div className="views-head">
          <h1 className="views-title">Leads</h1>
          <ExportButton kind="leads" filters={{ ...query }} what="these leads" />
        </div>
        <ul>
          <li>
            <button type="button" className={`view ${filters.status === "" ? "active" : ""}`} aria-current={filters.status === "" ? "page" : undefined} onClick={() => set("status", "")} data-testid="lead-status-all">
              <span>All leads</span>
              <span className="count">{counts.data?.total ?? "–"}</span>
            </button>
          </li>
          {statuses.data?.statuses.map((status) => (
            <li key={status.key}>
              <button
                type="button"
                className={`view ${filters.status === status.key ? "active" : ""}`}
                aria-current={filters.status === status.key ? "page" : undefined}
                onClick={() => set("status", status.key)}
                data-testid={`lead-status-${status.key}`}
              >
                <span>{status.label}</span>
                <span className="count">{counts.data?.by_status[status.key] ?? 0}</span>
              </button>
            </li>
          ))}
        </ul>
        <p className="muted small kbd-help">
          <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>x</kbd> select · <kbd>Enter</kbd> open · <kbd>n</kbd> new lead
        </p>
      </aside>
      <section className="list-pane" aria-label="Leads">
        <header className="toolbar">
          <div className="filters wrap">
            <select value={filters.owner} onChange={(e) => set("owner", e.target.value)} aria-label="Owner filter">
              <option value="">Any owner</option>
              <option value="me">Mine</option>
              <option value="none">Nobody</option>
              {sellers
                .filter((member) => member.id !== youId)
                .map((member) => (
                  <option key={member.id} value={member.id}>
                    {member.name}
                  </option>
                ))}
            </select>
            <select value={filters.source} onChange={(e) => set("source", e.target.value)} aria-label="Source filter">
              <option value="">Any source</option>
              {LEAD_SOURCES.map((source) => (
                <option key={source} value={source}>
                  {sourceLabel(source)}
                </option>
              ))}
            </select>
            <TagFilter key={filters.tag} value={filters.tag} onChange={(tag) => set("tag", tag)} />
            <label className="select-label">
              <span className="muted small">Created from</span>
              <input type="date" value={filters.from} max={filters.to || undefined} onChange={(e) => set("from", e.target.value)} aria-label="Created from" />
            </label>
            <label className="select-label">
              <span className="muted small">to</span>
              <input type="date" value={filters.to} min={filters.from || undefined} onChange={(e) => set("to", e.target.value)} aria-label="Created to" />
            </label>
            <select value={filters.sort} onChange={(e) => set("sort", e.target.value)} aria-label="Sort">
              <option value="newest">Newest first</option>
              <option value="score">Highest score</option>
            </select>
          </div>
          {canWrite && (
            <Link className="button primary" to="/sales/leads/new">
              New lead
            </Link>
          )}
        </header>
        {bulk && selected.length > 0 && <LeadBulkBar selected={selected} statuses={statuses.data?.statuses ?? []} members={sellers} myId={youId} clear={() => setPicked(new Set())} />}
        <ListSearch type="leads" label="Search leads" filters={{ status: filters.status, owner: filters.owner }}>
        {list.isPending ? (
          <Loading label="Loading leads…" />
        ) : list.isError ? (
          <ErrorState error={list.error} retry={() => void list.refetch()} />
        ) : leads.length === 0 && !list.hasNextPage ? (
          <Empty
            title="No leads here"
            action={
              canWrite && (
                <Link className="button" to="/sales/leads/new">
                  Add a lead
                </Link>
              )
            }
          >
            {isFiltered(filters) ? "No lead matches these filters." : "Leads from forms, imports and your team show up here."}
          </Empty>
        ) : (
          <>
            <ul className="ticket-list" data-testid="lead-list">
              {leads.map((lead, index) => {
                const selectedRow = index === keyboard.selected;
                return (
                  <li key={lead.id} className="ticket-item">
                    {bulk && <input type="checkbox" className="row-check" aria-label={`Select ${lead.name}`} checked={picked.has(lead.id)} onChange={() => toggle(lead.id)} />}
                    <div className={`ticket-row lead-row ${selectedRow ? "selected" : ""}`} data-testid="lead-row">
                      <span className="ticket-main">
                        <span className="ticket-line">
                          <Link {...keyboard.row(index)} to={`/sales/leads/${lead.id}`} className="ticket-subject row-link" aria-current={selectedRow ? "true" : undefined}>
                            {lead.name}
                          </Link>
                        </span>
                        <span className="ticket-preview muted">{[lead.title, lead.company, lead.email].filter(Boolean).join(" · ") || "No details yet"}</span>
                        <span className="ticket-meta">
                          {lead.tags.map((tag) => (
                            <button key={tag} type="button" className="tag" onClick={() => set("tag", tag)} aria-label={`Show leads tagged ${tag}`}>
                              #{tag}
                            </button>
                          ))}
                          <span className="muted">via {sourceLabel(lead.source)}</span>
                        </span>
                      </span>
                      <span className="row-state">
                        <LeadStatusBadge status={lead.status} statuses={statuses.data?.statuses} />
                        {typeof lead.score === "number" && <span className="muted small">Score {lead.score}</span>}
                      </span>
                      <span className="assignee">{ownerName(lead.owner_id)}</span>
                      <time className="muted small" dateTime={lead.created_at}>
                        {relativeTime(lead.created_at)}
                      </time>
                    </div>
                  </li>
                );
              })}
            </ul>
            {list.hasNextPage && (
              <div className="load-more">
                <button type="button" className="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                  {list.isFetchingNextPage ? "Loading…" : "Load more"}
                </button>
              </div>
            )}
          </>
        )}
        </ListSearch>
      </section>
    </div>
  );
}

/** The tag being typed, applied on Enter or when leaving the field; keyed by the applied tag. */
function TagFilter({ value, onChange }: { value: string; onChange: (tag: string) => void }) {
  const [text, setText] = useState(value);
  return (
    <form
      className="tag-filter"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        onChange(text.trim());
      }}
    >
      <input type="search" placeholder="Tag" aria-label="Tag filter" value={text} onChange={(e) => setText(e.target.value)} onBlur={() => text.trim() !== value && onChange(text.trim())} />
    </form>
  );
}
