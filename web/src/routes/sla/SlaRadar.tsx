// The SLA radar: what needs attention first — breached, at risk, and due soon — least time left first.
import { useMemo } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { radarQuery } from "../../api/queries/sla";
import { usePermission } from "../../api/queries/members";
import { useDirectory } from "../../api/queries/directory";
import { dateTime, duration, label, oneOf, PRIORITIES } from "../../lib/format";
import { useListKeyboard } from "../../lib/useListKeyboard";
import { PriorityBadge, StatusBadge } from "../../ui/Badges";
import { Empty, ErrorState, Forbidden, Loading } from "../../ui/states";

const HORIZONS = [
  { minutes: 60, name: "1 hour" },
  { minutes: 240, name: "4 hours" },
  { minutes: 1440, name: "1 day" },
];

const STATE_NAMES: Record<string, string> = { breached: "Breached", at_risk: "At risk", on_track: "Due soon" };

export function Component() {
  const allowed = usePermission("reports:read");
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const directory = useDirectory();
  const within = Number(params.get("within") ?? 240);
  const priority = oneOf(PRIORITIES, params.get("priority"));
  const assignee = params.get("assignee") ?? "";
  const radar = useQuery({ ...radarQuery({ within, priority, assignee }), enabled: allowed === true });
  const tickets = useMemo(() => radar.data?.tickets ?? [], [radar.data]);
  const keyboard = useListKeyboard(tickets, { open: (ticket) => navigate(`/tickets/${ticket.ticket_id}`) });

  if (allowed === false) return <Forbidden />;
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const counts = radar.data?.counts;
  const more = counts && !counts.exact ? "+" : "";
  return (
    <div className="page">
      <header className="page-head">
        <h1>SLA radar</h1>
        <div className="filters">
          <select aria-label="Priority filter" value={priority} onChange={(e) => set("priority", e.target.value)}>
            <option value="">Any priority</option>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {label(p)}
              </option>
            ))}
          </select>
          <select aria-label="Assignee filter" value={assignee} onChange={(e) => set("assignee", e.target.value)}>
            <option value="">Anyone</option>
            <option value="me">Me</option>
            <option value="none">Unassigned</option>
          </select>
          <select aria-label="Due within" value={within} onChange={(e) => set("within", e.target.value === "240" ? "" : e.target.value)}>
            {HORIZONS.map((h) => (
              <option key={h.minutes} value={h.minutes}>
                Due within {h.name}
              </option>
            ))}
          </select>
        </div>
      </header>
      <div className="stats stats-3">
        <div className="stat stat-breached">
          <div className="stat-value">{counts ? `${counts.breached}${more}` : "–"}</div>
          <div className="muted small">Breached</div>
        </div>
        <div className="stat stat-risk">
          <div className="stat-value">{counts ? `${counts.at_risk}${more}` : "–"}</div>
          <div className="muted small">At risk</div>
        </div>
        <div className="stat">
          <div className="stat-value">{counts ? `${counts.due_soon}${more}` : "–"}</div>
          <div className="muted small">Due soon</div>
        </div>
      </div>
      {radar.isPending ? (
        <Loading label="Loading the radar…" />
      ) : radar.isError ? (
        <ErrorState error={radar.error} retry={() => void radar.refetch()} />
      ) : tickets.length === 0 ? (
        <Empty title="Nothing on the radar">
          No ticket is breached, at risk, or due in the next {HORIZONS.find((h) => h.minutes === within)?.name ?? `${within} minutes`}.
          Tickets appear here once an <Link to="/settings/sla">SLA policy</Link> sets targets.
        </Empty>
      ) : (
        <ul className="ticket-list card flush" data-testid="radar-list">
          {tickets.map((ticket, index) => (
            <li key={ticket.ticket_id}>
              <Link
                {...keyboard.row(index)}
                to={`/tickets/${ticket.ticket_id}`}
                className={`ticket-row radar-row ${index === keyboard.selected ? "selected" : ""}`}
              >
                <span className={`badge radar-${ticket.state}`}>{STATE_NAMES[ticket.state] ?? label(ticket.state)}</span>
                <span className="ticket-main">
                  <span className="ticket-subject">{ticket.subject}</span>
                  <span className="ticket-meta">
                    <PriorityBadge priority={ticket.priority} />
                    <span>{ticket.clock === "first_response" ? "First response" : "Resolution"}</span>
                    {ticket.category && <span>{ticket.category}</span>}
                    <span>{ticket.assignee_id ? directory.nameOrYou(ticket.assignee_id) : "Unassigned"}</span>
                  </span>
                </span>
                <StatusBadge status={ticket.status} />
                <span className={`sla-state ${ticket.seconds_left < 0 ? "sla-breached" : ticket.state === "at_risk" ? "sla-risk" : "sla-ok"}`} title={`Due ${dateTime(ticket.due)}`}>
                  {ticket.seconds_left < 0 ? `${duration(-ticket.seconds_left)} over` : `${duration(ticket.seconds_left)} left`}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      {radar.data && <p className="muted small">As of {dateTime(radar.data.generated_at)}; refreshes every 30 seconds.</p>}
    </div>
  );
}
