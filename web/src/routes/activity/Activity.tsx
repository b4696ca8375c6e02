// The workspace's activity log (owners, admins, managers).
import { Link } from "react-router";
import { useInfiniteQuery } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { usePermission } from "../../api/queries";
import { dateTime, describeEvent } from "../../lib/format";
import { Empty, ErrorState, Forbidden, Loading } from "../../ui/states";

export function Component() {
  const allowed = usePermission("activity:read");
  const log = useInfiniteQuery({
    queryKey: ["activity"],
    enabled: allowed === true,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => call(api.GET("/api/v1/activity", { params: { query: { limit: 50, cursor: pageParam } } })),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  if (allowed === false) return <Forbidden detail="The activity log is for owners, admins and managers." />;
  if (allowed === undefined || log.isPending) return <Loading label="Loading activity…" />;
  if (log.isError) return <ErrorState error={log.error} retry={() => void log.refetch()} />;
  const events = log.data.pages.flatMap((page) => page.items);
  return (
    <div className="page">
      <h1>Activity</h1>
      {events.length === 0 ? (
        <Empty title="No activity yet" />
      ) : (
        <ol className="timeline card">
          {events.map((event) => (
            <li key={event.id}>
              <span className="timeline-dot" aria-hidden="true" />
              <div>
                <div>{describeEvent(event)}</div>
                <div className="muted small">
                  <time dateTime={event.at}>{dateTime(event.at)}</time>
                  {event.ticket_id && (
                    <>
                      {" · "}
                      <Link to={`/tickets/${event.ticket_id}`}>ticket</Link>
                    </>
                  )}
                  {event.customer_id && !event.ticket_id && (
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
      )}
      {log.hasNextPage && (
        <div className="load-more">
          <button type="button" className="button" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>
            Load more
          </button>
        </div>
      )}
    </div>
  );
}
