// Wires the live connection into React: its status for the header, per-ticket presence and typing,
// and cache invalidation when the server says something changed.
import { createContext, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from "react";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { LiveConnection, type LiveStatus, type ServerFrame, type SocketLike } from "./connection";
import { sessions } from "../auth";
import { config } from "../config";

export interface Viewer {
  user_id: string;
  name?: string;
  typing?: boolean;
}

class LiveState {
  status: LiveStatus = "offline";
  presence = new Map<string, Viewer[]>();
  private listeners = new Set<() => void>();
  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  emit() {
    for (const listener of this.listeners) listener();
  }
}

function viewersOf(frame: ServerFrame): Viewer[] | null {
  const list = frame.viewers ?? frame.users ?? frame.members;
  if (!Array.isArray(list)) return null;
  return list
    .map((entry): Viewer | null => {
      if (typeof entry === "string") return { user_id: entry };
      if (entry && typeof entry === "object" && typeof (entry as Viewer).user_id === "string") return entry as Viewer;
      return null;
    })
    .filter((viewer): viewer is Viewer => viewer !== null);
}

export function applyFrame(frame: ServerFrame, state: LiveState, queries: QueryClient) {
  const ticketId = frame.ticket_id;
  if (frame.type === "presence" && ticketId) {
    const viewers = viewersOf(frame);
    if (viewers) state.presence.set(ticketId, viewers);
    state.emit();
    return;
  }
  if (frame.type === "typing" && ticketId && typeof frame.user_id === "string") {
    const viewers = state.presence.get(ticketId) ?? [];
    const typing = frame.typing !== false;
    const found = viewers.some((viewer) => viewer.user_id === frame.user_id);
    state.presence.set(
      ticketId,
      found
        ? viewers.map((viewer) => (viewer.user_id === frame.user_id ? { ...viewer, typing } : viewer))
        : [...viewers, { user_id: frame.user_id as string, typing }],
    );
    state.emit();
    return;
  }
  // Anything else about a ticket (an event, a change, a message): refetch what shows it.
  if (ticketId) void queries.invalidateQueries({ queryKey: ["ticket", ticketId] });
  if (ticketId || frame.type.startsWith("ticket") || frame.type.startsWith("message") || frame.type === "event") {
    void queries.invalidateQueries({ queryKey: ["inbox"] });
    void queries.invalidateQueries({ queryKey: ["counts"] });
  }
}

interface LiveContextValue {
  connection: LiveConnection;
  state: LiveState;
}

const LiveContext = createContext<LiveContextValue | null>(null);

export function LiveProvider({ children }: { children: ReactNode }) {
  const queries = useQueryClient();
  const value = useMemo<LiveContextValue>(() => {
    const state = new LiveState();
    const connection = new LiveConnection({
      url: async () => {
        const token = await sessions.accessToken();
        return token ? `${config().wsUrl}?token=${encodeURIComponent(token)}` : null;
      },
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      onFrame: (frame) => applyFrame(frame, state, queries),
      onGap: () => void queries.invalidateQueries(),
      onStatus: (status) => {
        state.status = status;
        if (status !== "live") state.presence.clear();
        state.emit();
      },
    });
    return { connection, state };
  }, [queries]);

  useEffect(() => {
    const { connection } = value;
    connection.start();
    const online = () => connection.retryNow();
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      connection.stop();
    };
  }, [value]);

  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

function useLive(): LiveContextValue {
  const value = useContext(LiveContext);
  if (!value) throw new Error("useLive outside LiveProvider");
  return value;
}

export function useLiveStatus(): LiveStatus {
  const { state } = useLive();
  return useSyncExternalStore(state.subscribe, () => state.status);
}

/** Watches one ticket while mounted: who else is looking at it and who is typing. */
export function useTicketLive(ticketId: string) {
  const { connection, state } = useLive();
  useEffect(() => connection.subscribe(ticketId), [connection, ticketId]);
  const viewers = useSyncExternalStore(state.subscribe, () => state.presence.get(ticketId) ?? EMPTY);
  const [typingSent, setTypingSent] = useState(0);
  return {
    viewers,
    /** Tells the others this user is typing (at most every 3 s). */
    typing: () => {
      const now = Date.now();
      if (now - typingSent < 3000) return;
      setTypingSent(now);
      connection.send({ action: "typing", ticket_id: ticketId });
    },
  };
}

const EMPTY: Viewer[] = [];
