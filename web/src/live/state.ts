// Live state of the workspace as the server pushes it (docs/realtime.md), and what each frame changes.
import { invalidateChat, invalidateDeal, invalidateNotifications, invalidateTicket, type Invalidates } from "../api/queries/invalidate";
import type { LiveStatus, ServerFrame } from "./connection";
import { applyDealEvent, type BoardCache } from "../lib/board";

export interface Claim {
  ticket_id: string;
  user_id: string;
  claimed_at: string;
  expires_at: string;
}

export interface TicketLive {
  viewers: string[];
  typing: string[];
  claim: Claim | null;
}

/** A typing indicator is hidden this long after the last frame that showed it. */
const TYPING_TTL_MS = 8_000;
const NOBODY: TicketLive = { viewers: [], typing: [], claim: null };

export class LiveState {
  status: LiveStatus = "offline";
  online: ReadonlySet<string> = new Set();
  tickets = new Map<string, TicketLive>();
  private typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private listeners = new Set<() => void>();

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  ticket(ticketId: string): TicketLive {
    return this.tickets.get(ticketId) ?? NOBODY;
  }

  update(ticketId: string, change: Partial<TicketLive>) {
    this.tickets.set(ticketId, { ...this.ticket(ticketId), ...change });
    if (change.typing?.length) {
      clearTimeout(this.typingTimers.get(ticketId));
      this.typingTimers.set(
        ticketId,
        setTimeout(() => this.update(ticketId, { typing: [] }), TYPING_TTL_MS),
      );
    }
    this.emit();
  }

  reset() {
    this.tickets = new Map();
    this.online = new Set();
    this.emit();
  }

  emit() {
    for (const listener of this.listeners) listener();
  }
}

const ids = (value: unknown): string[] => (Array.isArray(value) ? value.filter((id): id is string => typeof id === "string") : []);
const claimOf = (value: unknown): Claim | null =>
  value && typeof value === "object" && typeof (value as Claim).user_id === "string" ? (value as Claim) : null;

/** What one server frame changes: live state, and which cached queries must be refetched. */
export function applyFrame(frame: ServerFrame, state: LiveState, queries: Invalidates & Partial<BoardCache>) {
  const ticketId = frame.ticket_id;
  switch (frame.type) {
    case "welcome":
    case "pong":
    case "presence":
      if (Array.isArray(frame.online)) {
        state.online = new Set(ids(frame.online));
        state.emit();
      }
      return;
    case "subscribed":
      if (ticketId) state.update(ticketId, { viewers: ids(frame.viewers), typing: ids(frame.typing), claim: claimOf(frame.claim) });
      return;
    case "ticket.presence":
      if (ticketId) state.update(ticketId, { viewers: ids(frame.viewers), typing: ids(frame.typing) });
      return;
    case "ticket.claim":
    case "claimed":
      if (ticketId) state.update(ticketId, { claim: claimOf(frame.claim) });
      return;
    case "released":
      if (ticketId) state.update(ticketId, { claim: null });
      return;
    case "ticket.event": {
      const event = frame.event as { customer_id?: string } | undefined;
      invalidateTicket(queries, { id: ticketId, customerId: event?.customer_id });
      return;
    }
    case "deal.event": {
      // A teammate's kanban follows: the board in the cache takes the change (or is refetched).
      const event = frame.event as { type?: string; deal_id?: string | null; after?: unknown } | undefined;
      if (queries.getQueriesData && queries.setQueryData) applyDealEvent(queries as BoardCache, { ...event, deal_id: event?.deal_id ?? (frame.deal_id as string | undefined) });
      else invalidateDeal(queries, frame.deal_id as string | undefined);
      return;
    }
    case "chat.channel":
    case "chat.message.created":
    case "chat.message.edited":
    case "chat.message.deleted": {
      // The history is the record: refetch it (and the unread counts) rather than patch it.
      const message = frame.message as { channel_id?: string } | undefined;
      invalidateChat(queries, message?.channel_id);
      return;
    }
    case "notification":
      // The bell and the centre refetch: the count in the frame is the server's, the list is the record.
      invalidateNotifications(queries);
      return;
    default:
      // Replies (unsubscribed, typing.ack), errors and frames of later features: nothing to show.
      return;
  }
}
