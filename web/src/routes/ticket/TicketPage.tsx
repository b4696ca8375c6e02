// One ticket: the conversation (public replies and internal notes look different on purpose), the
// composer, attachments, the timeline, and the properties panel with SLA clocks.
import { useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { isTyping } from "../../lib/keyboard";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { invalidateSeen } from "../../api/queries/invalidate";
import { customerQuery } from "../../api/queries/customers";
import { ticketQuery } from "../../api/queries/tickets";
import { useMe } from "../../api/queries/members";
import { useDirectory } from "../../api/queries/directory";
import { WithMentions } from "../../ui/Mentions";
import type { TicketDetail } from "../../api/types";
import { dateTime, relativeTime, ticketNumber } from "../../lib/format";
import { useLiveStatus, useOnline, useTicketLive } from "../../live/live";
import { ClaimBanner } from "./ClaimBanner";
import { Avatar } from "../../ui/Avatar";
import { PriorityBadge, StatusBadge } from "../../ui/Badges";
import { ErrorState, Loading } from "../../ui/states";
import { Timeline } from "../../ui/Timeline";
import { Attachments } from "./Attachments";
import { DeliveryBadge } from "./DeliveryBadge";
import { Composer } from "./Composer";
import { Properties } from "./Properties";
import { SlaClocks } from "./SlaClocks";
import { MacroPicker } from "./MacroPicker";
import { MergeTicket } from "./MergeTicket";

/** The ticket after `id` in the inbox list last shown (the current view, in its order). */
function nextInView(id: string): string | undefined {
  try {
    const order: string[] = JSON.parse(sessionStorage.getItem("inbox-order") ?? "[]");
    const at = order.indexOf(id);
    return at >= 0 ? order[at + 1] : undefined;
  } catch {
    return undefined;
  }
}

export function Component() {
  const { id = "" } = useParams();
  // Live updates refetch the ticket when it changes; without them, poll.
  const liveStatus = useLiveStatus();
  const ticket = useQuery({ ...ticketQuery(id), refetchInterval: liveStatus === "live" ? false : 20_000 });
  const me = useMe();
  const directory = useDirectory();
  const live = useTicketLive(id, ticket.data?.ticket.version);
  const online = useOnline();
  // The requester, for the customer's messages and the customer card (one cached query for both).
  const customer = useQuery({ ...customerQuery(ticket.data?.ticket.customer_id ?? ""), enabled: ticket.isSuccess });
  const [tab, setTab] = useState<"conversation" | "timeline">("conversation");
  const navigate = useNavigate();
  // Opening the ticket marks it seen: its inbox row is no longer unread for me until the next message.
  const queries = useQueryClient();
  useEffect(() => {
    if (!id) return;
    void call(api.POST("/api/v1/tickets/{id}/seen", { params: { path: { id } } }))
      .then(() => invalidateSeen(queries))
      // Only the unread dot depends on it: the page works the same without.
      .catch(() => undefined);
  }, [id, queries]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target)) return;
      if (event.key === "u") {
        event.preventDefault();
        navigate("/inbox");
      }
      if (event.key === "]") {
        const next = nextInView(id);
        if (next) {
          event.preventDefault();
          navigate(`/tickets/${next}`);
        }
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [navigate, id]);

  if (ticket.isPending) return <Loading label="Loading ticket…" />;
  if (ticket.isError) return <ErrorState error={ticket.error} retry={() => void ticket.refetch()} />;
  const detail: TicketDetail = ticket.data;
  const t = detail.ticket;
  const myId = me.data?.user.id;
  const nameOf = (userId: string | null | undefined) => (!userId ? "Someone" : directory.nameOrYou(userId));
  const others = live.viewers.filter((userId) => userId !== myId);
  const typing = live.typingUsers.filter((userId) => userId !== myId);
  const canWrite = me.data?.permissions.includes("tickets:write") ?? false;
  const next = nextInView(t.id);
  const customerName = customer.data ? (customer.data.name ?? customer.data.email) : undefined;

  return (
    <div className="ticket-page">
      <section className="ticket-body" aria-label="Conversation">
        <header className="ticket-header">
          <nav aria-label="Breadcrumb" className="crumbs">
            <Link to="/inbox">Inbox</Link> <span aria-hidden="true">/</span> <span className="muted" data-testid="ticket-number" title={`Ticket id ${t.id}`}>
              {ticketNumber(t.number) ?? t.id}
            </span>
          </nav>
          <h1 data-testid="ticket-subject">{t.subject}</h1>
          <div className="ticket-header-meta">
            <StatusBadge status={t.status} />
            <PriorityBadge priority={t.priority} />
            <span className="muted small">
              Opened {relativeTime(t.created_at)} via {t.channel}
            </span>
            {next && (
              <Link to={`/tickets/${next}`} className={`button small ${t.status === "solved" ? "primary" : ""}`} data-testid="next-ticket" aria-keyshortcuts="]">
                {t.status === "solved" ? "Solved · next ticket" : "Next ticket"}
              </Link>
            )}
            <span className="presence" role="group" aria-label="Also viewing" data-testid="presence">
              {others.map((userId) => (
                <Avatar key={userId} name={directory.name(userId)} id={userId} size={26} online={online.has(userId)} />
              ))}
              {others.length > 0 && <span className="muted small">also viewing</span>}
            </span>
          </div>
        </header>
        {live.live && (
          <ClaimBanner
            claim={live.heldBy}
            myId={myId}
            nameOf={nameOf}
            canClaim={canWrite && t.status !== "closed"}
            onClaim={() => live.claim()}
            onRelease={() => live.release()}
          />
        )}
        {detail.handoff && (
          <aside className="handoff-note" aria-label="Handoff note" data-testid="handoff-note">
            <div className="note-label">Handoff · internal</div>
            <p>
              <strong>{detail.handoff.from ? nameOf(detail.handoff.from) : "Someone"}</strong> handed this ticket to{" "}
              <strong>{detail.handoff.to === myId ? "you" : nameOf(detail.handoff.to)}</strong> {relativeTime(detail.handoff.at)}.
            </p>
            <p className="pre">{detail.handoff.context}</p>
            <p>
              <span className="strong">Next step:</span> {detail.handoff.next_step}
            </p>
          </aside>
        )}
        <div className="tabs" role="tablist" aria-label="Ticket sections">
          <button type="button" role="tab" aria-selected={tab === "conversation"} className={tab === "conversation" ? "active" : ""} onClick={() => setTab("conversation")}>
            Conversation <span className="count">{detail.messages.length}</span>
          </button>
          <button type="button" role="tab" aria-selected={tab === "timeline"} className={tab === "timeline" ? "active" : ""} onClick={() => setTab("timeline")}>
            Timeline <span className="count">{detail.timeline.length}</span>
          </button>
        </div>
        {tab === "conversation" ? (
          <>
            <ol className="messages" data-testid="messages">
              {detail.messages.map((message) => {
                const kind = message.internal ? "note" : message.author === "customer" ? "customer" : "reply";
                const author =
                  message.author === "customer"
                    ? (message.author_name ?? customerName ?? "Customer")
                    : message.author_id === myId
                      ? "You"
                      : (message.author_name ?? nameOf(message.author_id));
                return (
                  <li key={message.id} className={`message message-${kind}`} data-kind={kind}>
                    <div className="message-head">
                      <Avatar name={message.author === "customer" || author !== "You" ? author : directory.name(message.author_id)} id={message.author_id} size={28} />
                      <strong>{author}</strong>
                      {kind === "note" && <span className="note-label">Internal note · team only</span>}
                      {kind === "reply" && <span className="reply-label">Reply to customer</span>}
                      {message.delivery && <DeliveryBadge delivery={message.delivery} />}
                      <time className="muted small" dateTime={message.created_at} title={dateTime(message.created_at)}>
                        {relativeTime(message.created_at)}
                      </time>
                    </div>
                    <div className="message-body">{message.internal ? <WithMentions body={message.body} nameOf={(id) => directory.member(id)?.name} /> : message.body}</div>
                  </li>
                );
              })}
            </ol>
            {typing.length > 0 && (
              <p className="typing muted small" aria-live="polite">
                {typing.map(nameOf).join(", ")} {typing.length > 1 ? "are" : "is"} typing…
              </p>
            )}
            {canWrite && t.status !== "closed" ? (
              <>
                <Composer ticketId={t.id} version={t.version} nameOf={nameOf} onTyping={live.sendTyping} />
                <MacroPicker ticketId={t.id} customerId={t.customer_id} version={t.version} nameOf={nameOf} />
              </>
            ) : (
              <p className="muted composer-closed">{t.status === "closed" ? "This ticket is closed and takes no more messages." : "Your role can read tickets but not answer them."}</p>
            )}
          </>
        ) : (
          <Timeline events={detail.timeline} nameOf={nameOf} testId="timeline" />
        )}
      </section>
      <aside className="ticket-side" aria-label="Ticket details">
        <Properties detail={detail} canWrite={canWrite} />
        <CustomerCard customerId={t.customer_id} />
        <SlaClocks sla={detail.sla ?? null} />
        <MergeTicket ticket={t} canWrite={canWrite} />
        <Attachments ticketId={t.id} attachments={detail.attachments} canWrite={canWrite && t.status !== "closed"} />
      </aside>
    </div>
  );
}

function CustomerCard({ customerId }: { customerId: string }) {
  const customer = useQuery(customerQuery(customerId));
  return (
    <section className="card" aria-labelledby="customer-card-title">
      <h2 id="customer-card-title" className="card-title">
        Customer
      </h2>
      {customer.isPending ? (
        <Loading />
      ) : customer.isError ? (
        <p className="muted small">The customer could not be loaded.</p>
      ) : (
        <Link to={`/customers/${customerId}`} className="customer-link" data-testid="customer-link">
          <Avatar name={customer.data.name ?? customer.data.email} id={customerId} size={32} />
          <span>
            <span className="strong">{customer.data.name ?? customer.data.email}</span>
            <span className="muted small block">{customer.data.email}</span>
          </span>
        </Link>
      )}
    </section>
  );
}
