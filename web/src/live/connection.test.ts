import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoffDelay, LiveConnection, type LiveStatus, type ServerFrame, type SocketLike } from "./connection";

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  onopen: SocketLike["onopen"] = null;
  onclose: SocketLike["onclose"] = null;
  onerror: SocketLike["onerror"] = null;
  onmessage: SocketLike["onmessage"] = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
  push(frame: object) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

function setup(token: string | null = "t1") {
  const sockets: FakeSocket[] = [];
  const frames: ServerFrame[] = [];
  const statuses: LiveStatus[] = [];
  const gaps = { count: 0 };
  const connection = new LiveConnection({
    url: async () => (token ? `ws://host/ws?token=${token}` : null),
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    onFrame: (frame) => frames.push(frame),
    onGap: () => gaps.count++,
    onStatus: (status) => statuses.push(status),
    random: () => 0,
    baseDelayMs: 1000,
    maxDelayMs: 8000,
  });
  return { connection, sockets, frames, statuses, gaps };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

describe("LiveConnection", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("subscribes on open what views asked for before the socket was up", async () => {
    const { connection, sockets, statuses } = setup();
    const unsubscribe = connection.subscribe("ticket-1");
    connection.start();
    await flush();
    expect(sockets[0].url).toBe("ws://host/ws?token=t1");
    sockets[0].open();
    expect(statuses.at(-1)).toBe("live");
    expect(sockets[0].sent).toEqual([{ action: "hello" }, { action: "subscribe", ticket_id: "ticket-1" }]);
    unsubscribe();
    expect(sockets[0].sent.at(-1)).toEqual({ action: "unsubscribe", ticket_id: "ticket-1" });
  });

  it("shares one subscription between two views", async () => {
    const { connection, sockets } = setup();
    connection.start();
    await flush();
    sockets[0].open();
    const first = connection.subscribe("t");
    const second = connection.subscribe("t");
    first();
    expect(sockets[0].sent).toEqual([{ action: "hello" }, { action: "subscribe", ticket_id: "t" }]);
    second();
    expect(sockets[0].sent.at(-1)).toEqual({ action: "unsubscribe", ticket_id: "t" });
  });

  it("reconnects with backoff, resubscribes, and asks for a refetch of what was missed", async () => {
    const { connection, sockets, statuses, gaps } = setup();
    connection.subscribe("ticket-1");
    connection.start();
    await flush();
    sockets[0].open();
    expect(gaps.count).toBe(0);
    sockets[0].drop();
    expect(statuses.at(-1)).toBe("offline");
    await vi.advanceTimersByTimeAsync(499);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    sockets[1].open();
    expect(sockets[1].sent).toEqual([{ action: "hello" }, { action: "subscribe", ticket_id: "ticket-1" }]);
    expect(gaps.count).toBe(1);
  });

  it("stays offline without errors while the server has no endpoint, retrying ever more slowly", async () => {
    const { connection, sockets, statuses } = setup();
    connection.start();
    await flush();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      sockets.at(-1)!.drop();
      const before = sockets.length;
      let waited = 0;
      while (sockets.length === before) {
        await vi.advanceTimersByTimeAsync(100);
        waited += 100;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
    expect(statuses).not.toContain("live");
    connection.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(7);
  });

  it("waits for a session before connecting", async () => {
    const { connection, sockets, statuses } = setup(null);
    connection.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets).toHaveLength(0);
    expect(statuses).toEqual(["connecting", "offline"]);
    connection.stop();
  });

  it("drops repeated events and asks for a refetch when a ticket skips versions", async () => {
    const { connection, sockets, frames, gaps } = setup();
    connection.subscribe("t");
    connection.start();
    await flush();
    sockets[0].open();
    sockets[0].push({ type: "subscribed", ticket_id: "t", ticket_version: 3, viewers: [], typing: [], claim: null });
    sockets[0].push({ type: "ticket.event", ticket_id: "t", ticket_version: 4, event_id: "e4" });
    // A reply that also changes the status: two events of one commit share a version.
    sockets[0].push({ type: "ticket.event", ticket_id: "t", ticket_version: 4, event_id: "e4b" });
    expect(gaps.count).toBe(0);
    sockets[0].push({ type: "ticket.event", ticket_id: "t", ticket_version: 4, event_id: "e4" });
    expect(frames.filter((f) => f.type === "ticket.event")).toHaveLength(2);
    sockets[0].push({ type: "ticket.event", ticket_id: "t", ticket_version: 6, event_id: "e6" });
    expect(gaps.count).toBe(1);
    // The detail a view loaded also sets the base.
    connection.noteVersion("u", 10);
    sockets[0].push({ type: "ticket.event", ticket_id: "u", ticket_version: 11, event_id: "u11" });
    expect(gaps.count).toBe(1);
    sockets[0].push({ type: "ticket.event", ticket_id: "u", ticket_version: 13, event_id: "u13" });
    expect(gaps.count).toBe(2);
  });

  it("heartbeats at the pace the server's welcome sets", async () => {
    const { connection, sockets } = setup();
    connection.start();
    await flush();
    sockets[0].open();
    sockets[0].push({ type: "welcome", heartbeat_seconds: 5, online: [] });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets[0].sent.filter((f) => (f as { action: string }).action === "heartbeat")).toHaveLength(2);
    sockets[0].drop();
    await vi.advanceTimersByTimeAsync(400);
    expect(sockets[0].sent.filter((f) => (f as { action: string }).action === "heartbeat")).toHaveLength(2);
    connection.stop();
  });

  it("reconnects when the server has forgotten the connection", async () => {
    const { connection, sockets } = setup();
    connection.start();
    await flush();
    sockets[0].open();
    sockets[0].push({ type: "error", code: "connection_unknown", message: "reconnect" });
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets).toHaveLength(2);
    connection.stop();
  });

  it("ignores frames that are not JSON objects with a type", async () => {
    const { connection, sockets, frames } = setup();
    connection.start();
    await flush();
    sockets[0].open();
    sockets[0].onmessage?.({ data: "not json" });
    sockets[0].onmessage?.({ data: JSON.stringify({ message: "Internal server error" }) });
    sockets[0].onmessage?.({ data: "null" });
    expect(frames).toHaveLength(0);
  });

  it("does not send while disconnected", () => {
    const { connection } = setup();
    expect(connection.send({ action: "typing", ticket_id: "t" })).toBe(false);
  });
});

describe("backoffDelay", () => {
  it("doubles from the base up to the cap, with at most half of it random", () => {
    expect(backoffDelay(0, 0)).toBe(500);
    expect(backoffDelay(0, 1)).toBe(1000);
    expect(backoffDelay(3, 0.5)).toBe(6000);
    expect(backoffDelay(20, 1)).toBe(30_000);
    expect(backoffDelay(20, 0)).toBe(15_000);
  });
});
