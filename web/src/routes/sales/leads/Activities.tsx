// Calls, meetings, tasks and e-mails logged on a lead (contract A), newest first: log one (a call that
// happened is logged done), tick a task done, remove one. Shown only when the API offers activities.
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { call } from "../../../api/client";
import { leadActivitiesQuery, leadKeys } from "../../../api/queries/sales";
import { ACTIVITY_KINDS, contractApi, type ActivityKind, type ActivityView } from "../../../api/queries/salesContract";
import type { Directory } from "../../../lib/directory";
import { dateTime, label } from "../../../lib/format";
import { ErrorState, InlineError, Loading } from "../../../ui/states";

export function Activities({ leadId, canWrite, directory }: { leadId: string; canWrite: boolean; directory: Directory }) {
  const queries = useQueryClient();
  const activities = useQuery(leadActivitiesQuery(leadId, true));
  const [form, setForm] = useState({ kind: "call" as ActivityKind, subject: "", due: "", done: true });
  const refresh = () => void queries.invalidateQueries({ queryKey: leadKeys.detail(leadId) });
  const log = useMutation({
    mutationFn: () =>
      call(
        contractApi.POST("/api/v1/leads/{id}/activities", {
          params: { path: { id: leadId } },
          body: { kind: form.kind, subject: form.subject.trim(), done: form.done, ...(form.due ? { due_at: new Date(form.due).toISOString() } : {}) },
        }),
      ),
    onSuccess: () => {
      setForm((f) => ({ ...f, subject: "", due: "" }));
      refresh();
    },
  });
  const tick = useMutation({
    mutationFn: (activity: ActivityView) => call(contractApi.PATCH("/api/v1/activities/{id}", { params: { path: { id: activity.id } }, body: { version: activity.version, done: !activity.done } })),
    onSettled: refresh,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (form.subject.trim()) log.mutate();
  };
  return (
    <section className="card" aria-labelledby="lead-activities-title">
      <h2 id="lead-activities-title" className="card-title">
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
        <ul className="notes" data-testid="lead-activities">
          {activities.data.items.map((activity) => (
            <li key={activity.id}>
              <label className="checkbox">
                <input type="checkbox" checked={activity.done} disabled={!canWrite || tick.isPending} onChange={() => tick.mutate(activity)} aria-label={`${activity.subject}: done`} />
                <strong>{label(activity.kind)}</strong> {activity.subject}
              </label>
              <p className="muted small">
                {activity.assignee_id ? directory.nameOrYou(activity.assignee_id) : "Nobody"}
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
