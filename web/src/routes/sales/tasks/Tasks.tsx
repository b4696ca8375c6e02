// My tasks: the activities assigned to the signed-in member on any lead, customer or deal. Open ones by
// due date, overdue first and undated last (the API's order); done ones latest first. Tick one done, or
// reopen a done one.
import { useState } from "react";
import { Link } from "react-router";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { changeActivity, invalidateActivities, myTasksQuery, recordLink, type Activity, type TaskStatus } from "../../../api/queries/activities";
import { dateTime, label } from "../../../lib/format";
import { Empty, ErrorState, InlineError, Loading } from "../../../ui/states";

export function Component() {
  const queries = useQueryClient();
  const [status, setStatus] = useState<TaskStatus>("open");
  const tasks = useInfiniteQuery(myTasksQuery(status));
  const tick = useMutation({
    mutationFn: (task: Activity) => changeActivity(task, { done: !task.done }),
    onSettled: () => invalidateActivities(queries),
  });
  const items = tasks.data?.pages.flatMap((page) => page.items) ?? [];
  // Overdue as of when the list was read.
  const now = tasks.dataUpdatedAt;
  return (
    <div className="page narrow">
      <h1>My tasks</h1>
      <div className="row" role="tablist" aria-label="Which tasks">
        {(["open", "done"] as const).map((choice) => (
          <button key={choice} type="button" role="tab" aria-selected={status === choice} className={status === choice ? "button" : "button secondary"} onClick={() => setStatus(choice)}>
            {choice === "open" ? "Open" : "Done"}
          </button>
        ))}
      </div>
      <InlineError error={tick.error} />
      {tasks.isPending ? (
        <Loading />
      ) : tasks.isError ? (
        <ErrorState error={tasks.error} retry={() => void tasks.refetch()} />
      ) : items.length === 0 ? (
        <Empty title={status === "open" ? "Nothing open" : "Nothing done yet"}>Tasks you log or are given on leads, customers and deals show up here.</Empty>
      ) : (
        <ul className="notes card" data-testid="my-tasks">
          {items.map((task) => {
            const overdue = !task.done && task.due_at != null && Date.parse(task.due_at) < now;
            return (
              <li key={task.id}>
                <label className="checkbox">
                  <input type="checkbox" checked={task.done} disabled={tick.isPending} onChange={() => tick.mutate(task)} aria-label={`${task.subject}: done`} />
                  <strong>{label(task.kind)}</strong> {task.subject}
                </label>
                <p className="muted small">
                  <Link to={recordLink(task)}>{task.record_name}</Link>
                  {task.due_at && (
                    <span className={overdue ? "field-error" : undefined}>
                      {" "}
                      · due {dateTime(task.due_at)}
                      {overdue && " (overdue)"}
                    </span>
                  )}
                  {task.done_at && ` · done ${dateTime(task.done_at)}`}
                </p>
              </li>
            );
          })}
        </ul>
      )}
      {tasks.hasNextPage && (
        <div className="load-more">
          <button type="button" className="button" onClick={() => void tasks.fetchNextPage()} disabled={tasks.isFetchingNextPage}>
            Load more
          </button>
        </div>
      )}
    </div>
  );
}
