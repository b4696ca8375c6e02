// My tasks: the signed-in member's activities (contract A), open first by due date, overdue first;
// tick one done. Until the API offers activities, the screen says so.
import { Link } from "react-router";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { call } from "../../../api/client";
import { contractApi, useSalesFeatures, type ActivityView } from "../../../api/queries/salesContract";
import { dateTime, label } from "../../../lib/format";
import { Empty, ErrorState, InlineError, Loading } from "../../../ui/states";
import { Placeholder } from "../../placeholders/Placeholder";

const tasksKey = ["leads", "my-tasks"] as const;

export function Component() {
  const features = useSalesFeatures();
  if (!features.myTasks) {
    return (
      <Placeholder title="My tasks">
        Calls, meetings and tasks with due dates arrive with the next API release; notes on <Link to="/sales/leads">leads</Link> work today.
      </Placeholder>
    );
  }
  return <MyTasks />;
}

function MyTasks() {
  const queries = useQueryClient();
  const tasks = useInfiniteQuery({
    queryKey: tasksKey,
    queryFn: ({ pageParam }) => call(contractApi.GET("/api/v1/me/tasks", { params: { query: { status: "open", cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  const tick = useMutation({
    mutationFn: (task: ActivityView) => call(contractApi.PATCH("/api/v1/activities/{id}", { params: { path: { id: task.id } }, body: { version: task.version, done: true } })),
    onSettled: () => void queries.invalidateQueries({ queryKey: tasksKey }),
  });
  const items = tasks.data?.pages.flatMap((page) => page.items) ?? [];
  // Overdue as of when the list was read.
  const now = tasks.dataUpdatedAt;
  const link = (task: ActivityView) => (task.record_kind === "lead" ? `/sales/leads/${task.record_id}` : task.record_kind === "customer" ? `/customers/${task.record_id}` : `/sales/deals/${task.record_id}`);
  return (
    <div className="page narrow">
      <h1>My tasks</h1>
      <InlineError error={tick.error} />
      {tasks.isPending ? (
        <Loading />
      ) : tasks.isError ? (
        <ErrorState error={tasks.error} retry={() => void tasks.refetch()} />
      ) : items.length === 0 ? (
        <Empty title="Nothing open">Tasks you log or are given on leads, customers and deals show up here.</Empty>
      ) : (
        <ul className="notes card" data-testid="my-tasks">
          {items.map((task) => (
            <li key={task.id}>
              <label className="checkbox">
                <input type="checkbox" checked={task.done} disabled={tick.isPending} onChange={() => tick.mutate(task)} aria-label={`${task.subject}: done`} />
                <strong>{label(task.kind)}</strong> {task.subject}
              </label>
              <p className="muted small">
                <Link to={link(task)}>{task.record_name}</Link>
                {task.due_at && (
                  <span className={Date.parse(task.due_at) < now ? "field-error" : undefined}>
                    {" "}
                    · due {dateTime(task.due_at)}
                    {Date.parse(task.due_at) < now && " (overdue)"}
                  </span>
                )}
              </p>
            </li>
          ))}
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
