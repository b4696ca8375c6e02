import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { activityKeys, chatKeys, customerKeys, notificationKeys, slaKeys, ticketKeys } from "../api/queries/keys";
import { applyFrame, LiveState } from "./state";

function queries() {
  const keys: unknown[][] = [];
  return { keys, client: { invalidateQueries: (filters?: { queryKey?: readonly unknown[] }) => (keys.push([...(filters?.queryKey ?? [])]), Promise.resolve()) } };
}

describe("applyFrame", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("replaces a ticket's viewers, typing and claim with what the server says", () => {
    const state = new LiveState();
    const { client } = queries();
    const claim = { ticket_id: "t", user_id: "u2", claimed_at: "2026-11-21T08:00:00Z", expires_at: "2026-11-21T08:15:00Z" };
    applyFrame({ type: "subscribed", ticket_id: "t", ticket_version: 2, viewers: ["u1", "u2"], typing: [], claim }, state, client as never);
    expect(state.ticket("t")).toEqual({ viewers: ["u1", "u2"], typing: [], claim });
    applyFrame({ type: "ticket.presence", ticket_id: "t", viewers: ["u1"], typing: ["u1"] }, state, client as never);
    expect(state.ticket("t")).toEqual({ viewers: ["u1"], typing: ["u1"], claim });
    applyFrame({ type: "ticket.claim", ticket_id: "t", claim: null }, state, client as never);
    expect(state.ticket("t").claim).toBeNull();
  });

  it("hides a typing indicator 8 s after the last frame that showed it", () => {
    const state = new LiveState();
    const { client } = queries();
    applyFrame({ type: "ticket.presence", ticket_id: "t", viewers: ["u1"], typing: ["u1"] }, state, client as never);
    vi.advanceTimersByTime(7_000);
    expect(state.ticket("t").typing).toEqual(["u1"]);
    vi.advanceTimersByTime(1_000);
    expect(state.ticket("t").typing).toEqual([]);
    expect(state.ticket("t").viewers).toEqual(["u1"]);
  });

  it("refreshes the bell and the centre when a notification arrives, and nothing else", () => {
    const state = new LiveState();
    const { client, keys } = queries();
    applyFrame({ type: "notification", event_id: "e1", notification: { id: "e1", kind: "mentioned" }, unread: 3 }, state, client as never);
    expect(keys).toEqual([[...notificationKeys.all]]);
  });

  it("keeps who is online from welcome, pong and presence", () => {
    const state = new LiveState();
    const { client } = queries();
    applyFrame({ type: "welcome", online: ["a", "b"], heartbeat_seconds: 20 }, state, client as never);
    expect([...state.online]).toEqual(["a", "b"]);
    applyFrame({ type: "presence", online: ["b"] }, state, client as never);
    expect([...state.online]).toEqual(["b"]);
  });

  it("refetches the ticket, the inbox, counts, saved views, the radar, the activity log and the customer on a ticket event", () => {
    const state = new LiveState();
    const { client, keys } = queries();
    applyFrame(
      { type: "ticket.event", event_id: "e", ticket_id: "t", ticket_version: 3, internal: false, event: { type: "message.created", customer_id: "c" } },
      state,
      client as never,
    );
    expect(keys).toEqual([ticketKeys.detail("t"), ticketKeys.lists(), ticketKeys.counts(), ticketKeys.views(), slaKeys.radars(), activityKeys.all, customerKeys.detail("c")]);
  });

  it("refetches a chat channel's history and the unread counts on a chat message", () => {
    const state = new LiveState();
    const { client, keys } = queries();
    applyFrame({ type: "chat.message.created", message: { channel_id: "c1", seq: 4 } }, state, client as never);
    expect(keys).toEqual([chatKeys.messages("c1"), chatKeys.channels()]);
  });

  it("ignores replies and unknown frames", () => {
    const state = new LiveState();
    const { client, keys } = queries();
    applyFrame({ type: "typing.ack", ticket_id: "t", typing: true, until: 1 }, state, client as never);
    applyFrame({ type: "later.feature", message: {} }, state, client as never);
    expect(keys).toEqual([]);
    expect(state.ticket("t")).toEqual({ viewers: [], typing: [], claim: null });
  });
});
