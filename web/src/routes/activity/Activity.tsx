// The workspace's activity log (owners, admins, managers).
import { useInfiniteQuery } from "@tanstack/react-query";
import { activityQuery } from "../../api/queries/activity";
import { usePermission } from "../../api/queries/members";
import { useDirectory } from "../../api/queries/directory";
import { Empty, ErrorState, Forbidden, Loading } from "../../ui/states";
import { Timeline } from "../../ui/Timeline";

export function Component() {
  const allowed = usePermission("activity:read");
  const directory = useDirectory();
  const log = useInfiniteQuery({ ...activityQuery(), enabled: allowed === true });
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
        <Timeline events={events} nameOf={directory.name} links="ticket-or-customer" className="card" testId="activity" />
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
