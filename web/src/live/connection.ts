// One WebSocket per tab for live updates (protocol: docs/realtime.md). It says hello and heartbeats,
// reconnects with capped, jittered exponential backoff, resubscribes to what the views watch, drops
// repeated events, and reports gaps — a reconnect after being live, or a ticket event more than one
// version ahead of the last one seen — so the views refetch instead of trusting a stream that skipped
// events. While the server has no WebSocket endpoint the connection stays "offline" and keeps retrying
// slowly.

export type LiveStatus = "connecting" | "live" | "offline";

/** A frame from the server: `{type, ...}`. Unknown types and fields are passed on untouched. */
export interface ServerFrame {
  type: string;
  ticket_id?: string;
  event_id?: string;
  ticket_version?: number;
  [key: string]: unknown;
}

export interface SocketLike {
  readyState: number;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface LiveOptions {
  /** The URL to connect to (with a fresh token), or null when nobody is logged in. */
  url: () => Promise<string | null>;
  createSocket: (url: string) => SocketLike;
  onFrame: (frame: ServerFrame) => void;
  /** Events may have been missed: refetch what is on screen. */
  onGap: () => void;
  onStatus: (status: LiveStatus) => void;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Heartbeat period until the server's `welcome` says otherwise. */
  heartbeatMs?: number;
}

const OPEN = 1;
/** How many event ids to remember for dropping repeats (delivery is at least once). */
const SEEN_EVENTS = 500;

export function backoffDelay(attempt: number, random: number, base = 1000, max = 30_000): number {
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 16));
  // "Equal jitter": never less than half the ceiling, so a flapping server is not hammered.
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

export class LiveConnection {
  private socket: SocketLike | null = null;
  private status: LiveStatus = "offline";
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  private everLive = false;
  private subscriptions = new Map<string, number>();
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private heartbeatMs: number;
  /** The last ticket version seen per ticket, for gap detection. */
  private versions = new Map<string, number>();
  private seen = new Set<string>();

  constructor(private options: LiveOptions) {
    this.heartbeatMs = options.heartbeatMs ?? 20_000;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.stopHeartbeat();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = socket.onerror = socket.onmessage = socket.onopen = null;
      socket.close(1000, "bye");
    }
    this.setStatus("offline");
  }

  /** Connect now instead of waiting out the backoff (the browser came back online, a new login). */
  retryNow() {
    if (this.stopped || this.status === "live" || this.socket) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.attempt = 0;
    void this.connect();
  }

  getStatus(): LiveStatus {
    return this.status;
  }

  /** The ticket's version as a view read it (its detail), the base for spotting missed events. */
  noteVersion(ticketId: string, version: number) {
    this.versions.set(ticketId, Math.max(this.versions.get(ticketId) ?? version, version));
  }

  /** Watch a ticket; the returned function stops watching. Counted, so two views can share one. */
  subscribe(ticketId: string): () => void {
    const count = this.subscriptions.get(ticketId) ?? 0;
    this.subscriptions.set(ticketId, count + 1);
    if (count === 0) this.send({ action: "subscribe", ticket_id: ticketId });
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.subscriptions.get(ticketId) ?? 1) - 1;
      if (left > 0) {
        this.subscriptions.set(ticketId, left);
      } else {
        this.subscriptions.delete(ticketId);
        this.versions.delete(ticketId);
        this.send({ action: "unsubscribe", ticket_id: ticketId });
      }
    };
  }

  /** Sends a frame if connected; returns whether it went out (live features are best effort). */
  send(frame: { action: string; [key: string]: unknown }): boolean {
    if (!this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private setStatus(status: LiveStatus) {
    if (status === this.status) return;
    this.status = status;
    this.options.onStatus(status);
  }

  private async connect() {
    if (this.stopped) return;
    // "Connecting" only for the very first attempt; a retry after a failure is shown as offline.
    this.setStatus(this.everLive || this.attempt > 0 ? "offline" : "connecting");
    let url: string | null;
    try {
      url = await this.options.url();
    } catch {
      url = null;
    }
    if (this.stopped) return;
    if (!url) {
      this.scheduleReconnect();
      return;
    }
    let socket: SocketLike;
    try {
      socket = this.options.createSocket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      const wasLive = this.everLive;
      this.attempt = 0;
      this.everLive = true;
      this.setStatus("live");
      this.send({ action: "hello" });
      this.startHeartbeat();
      for (const ticketId of this.subscriptions.keys()) this.send({ action: "subscribe", ticket_id: ticketId });
      // Whatever happened while we were away was not pushed to us.
      if (wasLive) this.options.onGap();
    };
    socket.onmessage = (message) => this.receive(message.data);
    socket.onerror = () => {
      // onclose follows and schedules the retry.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.stopHeartbeat();
      this.setStatus("offline");
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect() {
    if (this.stopped || this.timer) return;
    const delay = backoffDelay(
      this.attempt++,
      (this.options.random ?? Math.random)(),
      this.options.baseDelayMs,
      this.options.maxDelayMs,
    );
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }

  private startHeartbeat() {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => this.send({ action: "heartbeat" }), this.heartbeatMs);
  }

  private stopHeartbeat() {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private receive(data: unknown) {
    if (typeof data !== "string") return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data) as ServerFrame;
    } catch {
      return;
    }
    if (!frame || typeof frame !== "object" || typeof frame.type !== "string") return;
    if (frame.type === "welcome" && typeof frame.heartbeat_seconds === "number" && frame.heartbeat_seconds > 0) {
      this.heartbeatMs = frame.heartbeat_seconds * 1000;
      this.startHeartbeat();
    }
    if (frame.type === "error" && frame.code === "connection_unknown") {
      // The server forgot this connection (swept while silent): start over.
      this.socket?.close(4000, "reconnect");
      this.socket?.onclose?.({});
      return;
    }
    if (typeof frame.event_id === "string") {
      if (this.seen.has(frame.event_id)) return; // delivered again
      this.seen.add(frame.event_id);
      if (this.seen.size > SEEN_EVENTS) this.seen.delete(this.seen.values().next().value as string);
    }
    const ticketId = typeof frame.ticket_id === "string" ? frame.ticket_id : undefined;
    let gap = false;
    if (ticketId && typeof frame.ticket_version === "number") {
      const last = this.versions.get(ticketId);
      if (frame.type === "ticket.event" && last !== undefined && frame.ticket_version > last + 1) gap = true;
      this.versions.set(ticketId, Math.max(last ?? frame.ticket_version, frame.ticket_version));
    }
    if (gap) this.options.onGap();
    this.options.onFrame(frame);
  }
}
