// The signed-in member's notifications (docs/notifications.md): the centre's pages, the bell's unread
// count (carried by every page), reading them, and the preferences per kind.
import { infiniteQueryOptions, queryOptions, useQuery } from "@tanstack/react-query";
import { api, call } from "../client";
import { notificationKeys } from "./keys";
import type { Schemas } from "../types";

export type Notification = Schemas["NotificationView"];
export type NotificationPreference = Schemas["NotificationPreference"];

/** The centre: newest first, all or only the unread ones. */
export const notificationsQuery = (unreadOnly: boolean) =>
  infiniteQueryOptions({
    queryKey: notificationKeys.list(unreadOnly),
    queryFn: ({ pageParam }) =>
      call(api.GET("/api/v1/me/notifications", { params: { query: { unread: unreadOnly, cursor: pageParam, limit: 20 } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

/** The bell: the unread count, from a one-item page (refreshed by live frames, and now and then). */
export function useUnreadCount(): number | undefined {
  const count = useQuery({
    queryKey: [...notificationKeys.all, "count"],
    queryFn: () => call(api.GET("/api/v1/me/notifications", { params: { query: { unread: true, limit: 1 } } })),
    refetchInterval: 60_000,
  });
  return count.data?.unread;
}

export const markRead = (id: string) => call(api.POST("/api/v1/me/notifications/{id}/read", { params: { path: { id } } }));

export const markAllRead = () => call(api.POST("/api/v1/me/notifications/read-all"));

export const preferencesQuery = () =>
  queryOptions({ queryKey: notificationKeys.preferences(), queryFn: () => call(api.GET("/api/v1/me/notification-preferences")) });

export const setPreference = (kind: string, enabled: boolean) =>
  call(api.PUT("/api/v1/me/notification-preferences", { body: { kinds: [{ kind, enabled }] } }));
