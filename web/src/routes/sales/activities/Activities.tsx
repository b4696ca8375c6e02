// Calls, meetings, tasks and e-mails logged on a lead, customer or deal, newest first: log one (a call
// that happened is logged done; a task gets a due date and an assignee), tick one done or reopen it.
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ACTIVITY_KINDS, changeActivity, invalidateActivities, logActivity, recordActivitiesQuery, type Activity, type ActivityKind, type ActivityRecord } from "../../../api/queries/activities";
import type { Directory } from "../../../lib/directory";
import { dateTime, label } from "../../../lib/format";
import { ErrorState, InlineError, Loading } from "../../../ui/states";

interface Props {
  record: ActivityRecord;
  canWrite: boolean;
  directory: Directory;
  /** Also refresh what the record's page shows of them (its timeline). */
  onChange?: () => void;
}

export function Activities({ record, canWrite, directory, onChange }: Props) {
  const queries = useQueryClient();
  const activities = useQuery(recordActivitiesQuery(record));
  const [form, setForm] = useState({ kind: "call" as ActivityKind, subject: "", due: "", done: true, assignee: "" });
  const refresh = () => {
    invalidateActivities(queries);
    onChange?.();
  };
  const log = useMutation({
    mutationFn: () =>
      logActivity(record, {
        kind: form.kind,
        subject: form.subject.trim(),
        done: form.done,
        ...(form.due ? { due_at: new Date(form.due).toISOString() } : {}),
        ...(form.assignee ? { assignee_id: form.assignee } : {}),
      }),
    onSuccess: () => {
      setForm((f) => ({ ...f, subject: "", due: "" }));
      refresh();
    },
  });
  const tick = useMutation({
    mutationFn: (activity: Activity) => changeActivity(activity, { done: !activity.done }),
    onSettled: refresh,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (form.subject.trim()) log.mutate();
  };
  const titleId = `${record.kind}-activities-title`;
  return (
    <section className="card" aria-labelledby={titleId}>
      <h2 id={titleId} className="card-title">
        Activities
      </h2>
      {canWrite && (
        <form className="form" onSubmit={submit} aria-label="Log an activity">
          <div className="grid-2">
            <label className="field">
              <span>Kind</span>
              <select value={form.kind} onChange={(e) => setForm((f) => ({ ...f, kind: e.target.value as ActivityKind, done: e.target.value !== "task" }))}>
                {ACTIVITY_KINDS.map((kind) => (
                  <option key={kind} value={kind}>
                    {label(kind)}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Subject</span>
              <input value={form.subject} maxLength={200} onChange={(e) => setForm((f) => ({ ...f, subject: e.target.value }))} />
            </label>
            <label className="field">
              <span>Due</span>
              <input type="datetime-local" value={form.due} onChange={(e) => setForm((f) => ({ ...f, due: e.target.value }))} />
            </label>
            <label className="field">
              <span>Assignee</span>
              <select value={form.assignee} onChange={(e) => setForm((f) => ({ ...f, assignee: e.target.value }))}>
                <option value="">You</option>
                {directory
                  .workers()
                  .filter((member) => member.id !== directory.myId)
                  .map((member) => (
                    <option key={member.id} value={member.id}>
                      {member.name}
                    </option>
                  ))}
              </select>
            </label>
            <label className="checkbox">
              <input type="checkbox" checked={form.done} onChange={(e) => setForm((f) => ({ ...f, done: e.target.checked }))} /> Already done
            </label>
          </div>
          <InlineError error={log.error} />
          <div className="row end">
            <button type="submit" className="button" disabled={log.isPending || !form.subject.trim()}>
              Log activity
            </button>
          </div>
        </form>
      )}
      <InlineError error={tick.error} />
      {activities.isPending ? (
        <Loading />
      ) : activities.isError ? (
        <ErrorState error={activities.error} />
      ) : activities.data.items.length === 0 ? (
        <p className="muted">No calls, meetings or tasks logged yet.</p>
      ) : (
        <ul className="notes" data-testid={`${record.kind}-activities`}>
          {activities.data.items.map((activity) => (
            <li key={activity.id}>
              <label className="checkbox">
                <input type="checkbox" checked={activity.done} disabled={!canWrite || tick.isPending} onChange={() => tick.mutate(activity)} aria-label={`${activity.subject}: done`} />
                <strong>{label(activity.kind)}</strong> {activity.subject}
              </label>
              <p className="muted small">
                {directory.nameOrYou(activity.assignee_id)}
                {activity.due_at && ` · due ${dateTime(activity.due_at)}`}
                {activity.done_at && ` · done ${dateTime(activity.done_at)}`}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
