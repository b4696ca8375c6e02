// A list of events, oldest or newest first as given: what happened, when, and where it happened.
// The ticket page, the customer page and the activity log show their events with it.
import { Link } from "react-router";
import type { EventView } from "../api/types";
import { describeEvent } from "../lib/events";
import { dateTime } from "../lib/format";

interface TimelineProps {
  events: readonly EventView[];
  /** Names members in the descriptions and says who acted (or "System"); without it, nobody is named. */
  nameOf?: (userId: string) => string;
  /** Which record each entry links to: its ticket, or its customer when it concerns no ticket. */
  links?: "ticket" | "ticket-or-customer";
  className?: string;
  testId?: string;
}

export function Timeline({ events, nameOf, links, className, testId }: TimelineProps) {
  return (
    <ol className={className ? `timeline ${className}` : "timeline"} data-testid={testId}>
      {events.map((event) => (
        <li key={event.id}>
          <span className="timeline-dot" aria-hidden="true" />
          <div>
            <div>{describeEvent(event, nameOf)}</div>
            <div className="muted small">
              {nameOf && <>{event.actor ? nameOf(event.actor) : "System"} · </>}
              <time dateTime={event.at}>{dateTime(event.at)}</time>
              {links && event.ticket_id && (
                <>
                  {" · "}
                  <Link to={`/tickets/${event.ticket_id}`}>ticket</Link>
                </>
              )}
              {links === "ticket-or-customer" && event.customer_id && !event.ticket_id && (
                <>
                  {" · "}
                  <Link to={`/customers/${event.customer_id}`}>customer</Link>
                </>
              )}
            </div>
          </div>
        </li>
      ))}
    </ol>
  );
}
