// The shared inbox: views with exact counts, filters, sort, keyboard navigation (j/k/Enter, n for new).
import { useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useMe } from "../../api/queries/members";
import { useDirectory } from "../../api/queries/directory";
import { useCategories } from "../../api/queries/settings";
import { api, call } from "../../api/client";
import type { InboxParams } from "../../api/queries/keys";
import { inboxQuery, useCounts } from "../../api/queries/tickets";
import { label, oneOf, PRIORITIES, STATUSES } from "../../lib/format";
import { useListKeyboard } from "../../lib/useListKeyboard";
import { StatusBadge } from "../../ui/Badges";
import { Empty, ErrorState, Loading } from "../../ui/states";
import { ListSearch } from "../../ui/ListSearch";
import { useLiveStatus } from "../../live/live";
import { SavedViews, type ViewFilters } from "./SavedViews";
import { BulkBar } from "./BulkBar";
import { TicketRow, type InboxRow } from "./TicketRow";
import { ExportButton } from "../../ui/ExportButton";

const VIEWS = [
  { id: "open", name: "All open" },
  { id: "unassigned", name: "Unassigned" },
  { id: "mine", name: "Mine" },
  { id: "solved", name: "Solved & closed" },
] as const;
type View = InboxParams["view"];

const VIEW_STATUSES: Record<View, readonly string[]> = {
  open: ["new", "open", "pending", "on_hold"],
  unassigned: ["new", "open", "pending", "on_hold"],
  mine: ["new", "open", "pending", "on_hold"],
  solved: ["solved", "closed"],
};

export function Component() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const view = (VIEWS.some((v) => v.id === params.get("view")) ? params.get("view") : "open") as View;
  const filters = {
    status: oneOf(STATUSES, params.get("status")),
    priority: oneOf(PRIORITIES, params.get("priority")),
    tag: params.get("tag") ?? "",
    category: params.get("category") ?? "",
    assignee: params.get("assignee") ?? "",
    sort: params.get("sort") ?? "updated",
  };
  // The API takes an assignee filter in the open and solved views only.
  const assigneeFilter = view === "open" || view === "solved" ? filters.assignee : "";
  // The search field honours the view and the status and assignee filters as the list does.
  const searchFilters = {
    status: filters.status || VIEW_STATUSES[view],
    owner: view === "mine" ? "me" : view === "unassigned" ? "none" : assigneeFilter,
  };
  const counts = useCounts();
  const categories = useCategories();
  const me = useMe();
  const directory = useDirectory();
  const workers = directory.workers();

  // Live updates keep the list current; without them, poll.
  const live = useLiveStatus() === "live";
  const inbox = useInfiniteQuery({
    ...inboxQuery({ view, sort: filters.sort, status: filters.status, priority: filters.priority, tag: filters.tag, category: filters.category, assignee: assigneeFilter }),
    refetchInterval: live ? false : 30_000,
  });
  const tickets: InboxRow[] = useMemo(() => inbox.data?.pages.flatMap((page) => page.items) ?? [], [inbox.data]);

  // Filtered pages can be short or empty while more exist: keep reading until the screen has enough.
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = inbox;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && tickets.length < 25) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, tickets.length]);

  const keyboard = useListKeyboard(tickets, {
    open: (ticket) => navigate(`/tickets/${ticket.id}`),
    resetOn: JSON.stringify([view, filters.status, filters.priority, filters.tag, filters.category, assigneeFilter, filters.sort]),
    shortcuts: { n: () => navigate("/tickets/new") },
  });

  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    if (key === "view") next.delete("status");
    setParams(next, { replace: true });
  };
  const countOf = (id: View) =>
    id === "solved"
      ? (counts.data?.by_status.solved ?? 0) + (counts.data?.by_status.closed ?? 0)
      : counts.data?.[id];

  const youId = me.data?.user.id;
  // Rows picked for a bulk action, by id; kept while the list refreshes underneath.
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [moreViews, setMoreViews] = useState(false);
  const selected = tickets.filter((ticket) => picked.has(ticket.id));
  const toggle = (id: string) =>
    setPicked((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const canWrite = me.data?.permissions.includes("tickets:write") ?? false;
  const currentFilters: ViewFilters = { view, sort: filters.sort, status: filters.status || null, priority: filters.priority || null, category: filters.category || null, tag: filters.tag || null, assignee: assigneeFilter || null };
  const applyView = (saved: ViewFilters) => {
    const next = new URLSearchParams();
    for (const [key, value] of Object.entries(saved)) {
      if (value && !(key === "view" && value === "open") && !(key === "sort" && value === "updated")) next.set(key, value);
    }
    setParams(next, { replace: true });
  };
  // The order of this list is the order "next ticket" follows from a ticket page.
  useEffect(() => {
    sessionStorage.setItem("inbox-order", JSON.stringify(tickets.map((ticket) => ticket.id)));
  }, [tickets]);
  return (
    <div className="inbox">
      <aside className={`views ${moreViews ? "expanded" : ""}`} aria-label="Views">
        <div className="views-head">
          <h1 className="views-title">Inbox</h1>
          {/* On a phone only the views show until asked: the tickets come first. */}
          <button type="button" className="button ghost small views-more" aria-expanded={moreViews} aria-controls="views-more" onClick={() => setMoreViews(!moreViews)}>
            {moreViews ? "Fewer views" : "Saved views & counts"}
          </button>
        </div>
        <ul>
          {VIEWS.map((v) => (
            <li key={v.id}>
              <button
                type="button"
                className={`view ${v.id === view ? "active" : ""}`}
                aria-current={v.id === view ? "page" : undefined}
                onClick={() => setFilter("view", v.id === "open" ? "" : v.id)}
                data-testid={`view-${v.id}`}
              >
                <span>{v.name}</span>
                <span className="count">{countOf(v.id) ?? "–"}</span>
              </button>
            </li>
          ))}
        </ul>
        <div id="views-more" className="views-extra">
          <h2 className="views-subtitle">By status</h2>
          <ul className="status-counts">
            {STATUSES.map((status) => (
              <li key={status}>
                <StatusBadge status={status} />
                <span className="muted">{counts.data?.by_status[status] ?? 0}</span>
              </li>
            ))}
          </ul>
          <SavedViews current={currentFilters} apply={applyView} canShare={me.data?.permissions.includes("settings:manage") ?? false} />
          <p className="muted small kbd-help">
            <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>n</kbd> new ticket
          </p>
        </div>
      </aside>
      <section className="list-pane" aria-label="Tickets">
        <header className="toolbar">
          <div className="filters">
            <label className="select-label">
              <span className="sr-only">Status</span>
              <select value={filters.status} onChange={(e) => setFilter("status", e.target.value)} aria-label="Status filter">
                <option value="">Any status</option>
                {VIEW_STATUSES[view].map((status) => (
                  <option key={status} value={status}>
                    {label(status)}
                  </option>
                ))}
              </select>
            </label>
            <select value={filters.priority} onChange={(e) => setFilter("priority", e.target.value)} aria-label="Priority filter">
              <option value="">Any priority</option>
              {PRIORITIES.map((priority) => (
                <option key={priority} value={priority}>
                  {label(priority)}
                </option>
              ))}
            </select>
            {(categories.data?.categories.length ?? 0) > 0 && (
              <select value={filters.category} onChange={(e) => setFilter("category", e.target.value)} aria-label="Category filter">
                <option value="">Any category</option>
                {categories.data?.categories.map((category) => (
                  <option key={category.name} value={category.name}>
                    {category.name}
                  </option>
                ))}
              </select>
            )}
            {workers.length > 0 && (view === "open" || view === "solved") && (
              <select value={filters.assignee} onChange={(e) => setFilter("assignee", e.target.value)} aria-label="Assignee filter">
                <option value="">Anyone</option>
                {workers.map((member) => (
                    <option key={member.id} value={member.id}>
                      {member.id === youId ? `${member.name} (you)` : member.name}
                    </option>
                  ))}
              </select>
            )}
            <TagFilter key={filters.tag} value={filters.tag} onChange={(tag) => setFilter("tag", tag)} />
            <select value={filters.sort} onChange={(e) => setFilter("sort", e.target.value === "updated" ? "" : e.target.value)} aria-label="Sort">
              <option value="updated">Newest update</option>
              <option value="priority">Priority first</option>
            </select>
          </div>
          <div className="toolbar-actions">
            <ExportButton
              kind="tickets"
              filters={{ view, sort: filters.sort === "updated" ? "" : filters.sort, status: filters.status, priority: filters.priority, tag: filters.tag, category: filters.category, assignee: assigneeFilter }}
              what="these tickets"
            />
            <Link className="button primary" to="/tickets/new">
              New ticket
            </Link>
          </div>
        </header>
        {canWrite && selected.length > 0 && <BulkBar selected={selected} members={workers} myId={youId} clear={() => setPicked(new Set())} />}
        <ListSearch type="tickets" label="Search tickets" filters={searchFilters}>
        {inbox.isPending ? (
          <Loading label="Loading tickets…" />
        ) : inbox.isError ? (
          <ErrorState error={inbox.error} retry={() => void inbox.refetch()} />
        ) : tickets.length === 0 && !inbox.hasNextPage ? (
          <Empty
            title={view === "mine" ? "Nothing assigned to you" : view === "unassigned" ? "Every ticket has an owner" : "No tickets here"}
            action={
              <Link className="button" to="/tickets/new">
                Create a ticket
              </Link>
            }
          >
            {filters.status || filters.priority || filters.tag || filters.category || assigneeFilter ? "No ticket matches these filters." : "New tickets show up here as they arrive."}
          </Empty>
        ) : (
          <>
            <ul className="ticket-list" data-testid="ticket-list">
              {tickets.map((ticket, index) => (
                <li key={ticket.id} className="ticket-item">
                  {canWrite && (
                    <input
                      type="checkbox"
                      className="row-check"
                      aria-label={`Select “${ticket.subject}”`}
                      checked={picked.has(ticket.id)}
                      onChange={() => toggle(ticket.id)}
                    />
                  )}
                  <TicketRow ticket={ticket} directory={directory} selected={index === keyboard.selected} linkProps={keyboard.row(index)} onTag={(tag) => setFilter("tag", tag)} />
                </li>
              ))}
            </ul>
            {inbox.hasNextPage && (
              <div className="load-more">
                <button type="button" className="button" onClick={() => void inbox.fetchNextPage()} disabled={inbox.isFetchingNextPage}>
                  {inbox.isFetchingNextPage ? "Loading…" : "Load more"}
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

/** A ticket number as people type it: "#1042" (or "1042"). */
const TICKET_NUMBER = /^#\s*(\d{1,9})$/;

/** The tag being typed, or a ticket number ("#1042") that opens that ticket; keyed by the applied tag, so
 * it starts over when the tag changes elsewhere. */
function TagFilter({ value, onChange }: { value: string; onChange: (tag: string) => void }) {
  const [text, setText] = useState(value);
  const [notFound, setNotFound] = useState<string | null>(null);
  const navigate = useNavigate();
  const isNumber = TICKET_NUMBER.test(text.trim());
  return (
    <form
      className="tag-filter"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        const number = TICKET_NUMBER.exec(text.trim())?.[1];
        if (!number) return onChange(text.trim());
        call(api.GET("/api/v1/tickets/by-number/{number}", { params: { path: { number: Number(number) } } }))
          .then((found) => navigate(`/tickets/${found.ticket.id}`))
          .catch(() => setNotFound(`No ticket #${number} in this workspace`));
      }}
    >
      <input
        id="inbox-search"
        type="search"
        placeholder="Tag or #number"
        aria-label="Tag filter, or a ticket number to open"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setNotFound(null);
        }}
        onBlur={() => !isNumber && text.trim() !== value && onChange(text.trim())}
      />
      {notFound && (
        <span role="alert" className="field-error">
          {notFound}
        </span>
      )}
    </form>
  );
}
