// Wires the live connection into React (protocol: docs/realtime.md): its status for the header, who
// is online, per-ticket viewers, typing and soft claim, and cache refreshes when events arrive.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useSyncExternalStore, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { LiveConnection, type LiveStatus, type SocketLike } from "./connection";
import { applyFrame, LiveState } from "./state";
import { invalidateEverything } from "../api/queries/invalidate";
import { memberKeys } from "../api/queries/keys";
import type { DirectoryMember } from "../api/types";
import { notifyBrowser } from "../lib/notifications";
import { sessions } from "../auth";
import { api, call } from "../api/client";
import { config } from "../config";

export type { Claim } from "./state";

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
      // The handshake takes a one-minute socket token (never the access token: a URL may be logged),
      // fetched afresh for every connection attempt.
      url: async () => {
        if (!(await sessions.accessToken())) return null;
        const { token } = await call(api.POST("/api/v1/me/socket-token"));
        return `${config().wsUrl}?token=${encodeURIComponent(token)}`;
      },
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      onFrame: (frame) => {
        applyFrame(frame, state, queries);
        if (frame.type === "notification" && frame.notification) {
          // While the tab is hidden (and the member allowed it), the browser says it too.
          const members = queries.getQueryData<DirectoryMember[]>(memberKeys.directory()) ?? [];
          const nameOf = (id: string) => members.find((member) => member.id === id)?.name ?? "A teammate";
          notifyBrowser(frame.notification as Parameters<typeof notifyBrowser>[0], nameOf);
        }
      },
      onGap: () => invalidateEverything(queries),
      onStatus: (status) => {
        state.status = status;
        if (status !== "live") state.reset();
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

/** Who is online in the workspace (empty while not live). */
export function useOnline(): ReadonlySet<string> {
  const { state } = useLive();
  return useSyncExternalStore(state.subscribe, () => state.online);
}

/** Watches one ticket while mounted: who else views it, who types, who holds a claim. */
export function useTicketLive(ticketId: string, version: number | undefined) {
  const { connection, state } = useLive();
  useEffect(() => connection.subscribe(ticketId), [connection, ticketId]);
  useEffect(() => {
    if (version !== undefined) connection.noteVersion(ticketId, version);
  }, [connection, ticketId, version]);
  const live = useSyncExternalStore(state.subscribe, () => state.ticket(ticketId));
  const status = useSyncExternalStore(state.subscribe, () => state.status);
  const lastTyping = useRef(0);
  const typing = useCallback(
    (active: boolean) => {
      const now = Date.now();
      // The server keeps a typing mark 8 s: repeat it every 3 s while typing, clear it once.
      if (active && now - lastTyping.current < 3_000) return;
      if (!active && lastTyping.current === 0) return;
      lastTyping.current = active ? now : 0;
      connection.send({ action: "typing", ticket_id: ticketId, typing: active });
    },
    [connection, ticketId],
  );
  return {
    viewers: live.viewers,
    typingUsers: live.typing,
    heldBy: live.claim,
    live: status === "live",
    sendTyping: typing,
    claim: (minutes = 15) => connection.send({ action: "claim", ticket_id: ticketId, minutes }),
    release: () => connection.send({ action: "release", ticket_id: ticketId }),
  };
}
