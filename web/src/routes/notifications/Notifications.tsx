// The notification centre: the signed-in member's notifications, newest first (all or unread), each
// leading to its record and marked read on the way; mark all read; which kinds to get; and browser
// notifications while the tab is hidden, once allowed (docs/notifications.md).
import { useState } from "react";
import { Link } from "react-router";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { markAllRead, markRead, notificationsQuery, preferencesQuery, setPreference, type Notification } from "../../api/queries/notifications";
import { invalidateNotifications } from "../../api/queries/invalidate";
import { useDirectory } from "../../api/queries/directory";
import { describeNotification, KIND_NAMES, notificationLink } from "../../lib/notifications";
import { relativeTime } from "../../lib/format";
import { Empty, ErrorState, InlineError, Loading } from "../../ui/states";

export function Component() {
  const queries = useQueryClient();
  const directory = useDirectory();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const list = useInfiniteQuery(notificationsQuery(unreadOnly));
  const read = useMutation({ mutationFn: (notification: Notification) => markRead(notification.id), onSettled: () => invalidateNotifications(queries) });
  const readAll = useMutation({ mutationFn: markAllRead, onSettled: () => invalidateNotifications(queries) });
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  const unread = list.data?.pages[0]?.unread ?? 0;
  return (
    <div className="page narrow">
      <h1>Notifications</h1>
      <div className="row">
        <div className="row tight" role="tablist" aria-label="Which notifications">
          {([false, true] as const).map((choice) => (
            <button key={String(choice)} type="button" role="tab" aria-selected={unreadOnly === choice} className={unreadOnly === choice ? "button" : "button secondary"} onClick={() => setUnreadOnly(choice)}>
              {choice ? "Unread" : "All"}
            </button>
          ))}
        </div>
        <span className="muted" data-testid="unread-count">
          {unread} unread
        </span>
        <button type="button" className="button secondary" disabled={unread === 0 || readAll.isPending} onClick={() => readAll.mutate()}>
          Mark all read
        </button>
      </div>
      <InlineError error={read.error ?? readAll.error} />
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <Empty title={unreadOnly ? "All read" : "Nothing yet"}>Assignments, replies on your tickets, mentions, SLA warnings, leads and deals show up here.</Empty>
      ) : (
        <ul className="notes card" data-testid="notifications">
          {items.map((notification) => (
            <li key={notification.id} className={notification.read_at ? "notification-read" : "notification-unread"}>
              <Link to={notificationLink(notification)} onClick={() => !notification.read_at && read.mutate(notification)}>
                {describeNotification(notification, directory.name)}
              </Link>
              {!notification.read_at && <span className="sr-only"> (unread)</span>}
              <p className="muted small">
                <time dateTime={notification.at}>{relativeTime(notification.at)}</time>
                {!notification.read_at && (
                  <>
                    {" · "}
                    <button type="button" className="link" onClick={() => read.mutate(notification)} disabled={read.isPending}>
                      Mark read
                    </button>
                  </>
                )}
              </p>
            </li>
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <button type="button" className="button secondary" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? "Loading…" : "Show more"}
        </button>
      )}
      <Preferences />
    </div>
  );
}

function Preferences() {
  const queries = useQueryClient();
  const preferences = useQuery(preferencesQuery());
  // The box follows the click at once (a discrete event renders before the request returns); what the
  // server saved replaces it, and a refusal puts back what was saved.
  const [shown, setShown] = useState<Record<string, boolean>>({});
  const save = useMutation({
    mutationFn: ({ kind, enabled }: { kind: string; enabled: boolean }) => setPreference(kind, enabled),
    onSuccess: (saved) => queries.setQueryData(preferencesQuery().queryKey, saved),
    onSettled: (_saved, _error, { kind }) =>
      setShown((current) => Object.fromEntries(Object.entries(current).filter(([shownKind]) => shownKind !== kind))),
  });
  const change = (kind: string, enabled: boolean) => {
    setShown((current) => ({ ...current, [kind]: enabled }));
    save.mutate({ kind, enabled });
  };
  const supported = typeof window !== "undefined" && "Notification" in window;
  const [permission, setPermission] = useState(() => (supported ? window.Notification.permission : "denied"));
  return (
    <section className="card" aria-labelledby="notification-preferences">
      <h2 id="notification-preferences">What to notify me of</h2>
      {preferences.isPending ? (
        <Loading />
      ) : preferences.isError ? (
        <ErrorState error={preferences.error} retry={() => void preferences.refetch()} />
      ) : (
        <ul className="plain" data-testid="notification-preferences">
          {preferences.data.kinds.map((preference) => (
            <li key={preference.kind}>
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={shown[preference.kind] ?? preference.enabled}
                  onChange={(event) => change(preference.kind, event.target.checked)}
                />
                {KIND_NAMES[preference.kind as keyof typeof KIND_NAMES] ?? preference.kind}
              </label>
            </li>
          ))}
        </ul>
      )}
      <InlineError error={save.error} />
      <p className="muted small">
        {!supported
          ? "This browser does not show notifications."
          : permission === "granted"
            ? "Your browser shows new notifications while this tab is in the background."
            : permission === "denied"
              ? "Your browser blocks notifications from Switchboard; allow them in its site settings."
              : "Your browser can show new notifications while this tab is in the background."}{" "}
        {supported && permission === "default" && (
          <button type="button" className="button small" onClick={() => void window.Notification.requestPermission().then(setPermission)}>
            Allow browser notifications
          </button>
        )}
      </p>
    </section>
  );
}
