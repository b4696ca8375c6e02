// One inbox row, telling the ticket's story at a glance: its number and subject, who asked (e-mail on
// hover) and the latest public message in one line, the tags (each filters the inbox), the status, the
// SLA state in its colour, the assignee's name and whether anything arrived since you last looked.
// Everything comes with the row itself (denormalised by the API): no request per row.
import { Link } from "react-router";
import type { InboxItem } from "../../api/types";
import type { Directory } from "../../lib/directory";
import { relativeTime, ticketNumber } from "../../lib/format";
import { rowSlaWording } from "../../lib/sla";
import { PriorityBadge, StatusBadge } from "../../ui/Badges";
import { Avatar } from "../../ui/Avatar";

export type InboxRow = InboxItem;

interface TicketRowProps {
  ticket: InboxRow;
  directory: Directory;
  selected: boolean;
  /** The keyboard's hold on the row's link (ref and focus). */
  linkProps: { ref: (element: HTMLElement | null) => void; onFocus: () => void };
  onTag: (tag: string) => void;
}

export function TicketRow({ ticket, directory, selected, linkProps, onTag }: TicketRowProps) {
  const number = ticketNumber(ticket.number);
  const sla = rowSlaWording(ticket.sla);
  const assignee = ticket.assignee_id ? (ticket.assignee_name ?? directory.name(ticket.assignee_id)) : null;
  const requester = ticket.requester ? (ticket.requester.name ?? ticket.requester.email) : null;
  const at = ticket.last_activity_at ?? ticket.updated_at;
  return (
    <div className={`ticket-row ${selected ? "selected" : ""} ${ticket.unread ? "is-unread" : ""}`} data-testid="ticket-row">
      <PriorityBadge priority={ticket.priority} />
      <span className="ticket-main">
        <span className="ticket-line">
          {ticket.unread && <span className="unread-dot" role="img" aria-label="New since you last looked" />}
          {number && <span className="ticket-number">{number}</span>}
          <Link {...linkProps} to={`/tickets/${ticket.id}`} className="ticket-subject row-link" aria-current={selected ? "true" : undefined}>
            {ticket.subject}
          </Link>
        </span>
        {(requester || ticket.preview) && (
          <span className="ticket-preview">
            {requester && (
              <span className="requester" title={ticket.requester?.email}>
                {requester}
              </span>
            )}
            {requester && ticket.preview && <span aria-hidden="true"> · </span>}
            {ticket.preview && <span className="muted">{ticket.preview}</span>}
          </span>
        )}
        <span className="ticket-meta">
          {ticket.category && <span>{ticket.category}</span>}
          {ticket.tags.map((tag) => (
            <button key={tag} type="button" className="tag" onClick={() => onTag(tag)} aria-label={`Show tickets tagged ${tag}`}>
              #{tag}
            </button>
          ))}
          <span className="muted">via {ticket.channel}</span>
        </span>
      </span>
      <span className="row-state">
        <StatusBadge status={ticket.status} />
        {sla && (
          <span className={`sla-chip sla-${sla.tone}`} data-testid="row-sla">
            {sla.text}
          </span>
        )}
      </span>
      <span className="assignee">
        {assignee ? (
          <>
            <Avatar name={assignee} id={ticket.assignee_id ?? undefined} size={22} />
            <span className="assignee-name">{ticket.assignee_id === directory.myId ? "You" : assignee}</span>
          </>
        ) : (
          <span className="muted small">Unassigned</span>
        )}
      </span>
      <time className="muted small" dateTime={at} title={new Date(at).toLocaleString()}>
        {relativeTime(at)}
      </time>
    </div>
  );
}
