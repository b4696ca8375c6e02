// SLA policy: time zone, business hours (split shifts), holidays and targets per priority.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { invalidateSlaPolicy } from "../../api/queries/invalidate";
import { slaKeys } from "../../api/queries/keys";
import { slaPolicyQuery } from "../../api/queries/sla";
import { ApiError } from "../../api/problem";
import { usePermission } from "../../api/queries/members";
import { label, PRIORITIES } from "../../lib/format";
import { ErrorState, InlineError, Loading } from "../../ui/states";
import { fromPolicy, toPolicy, WEEKDAYS, type PolicyForm } from "./slaForm";

export function Component() {
  const canManage = usePermission("settings:manage") ?? false;
  const queries = useQueryClient();
  const policy = useQuery(slaPolicyQuery());
  const [form, setForm] = useState<PolicyForm | null>(null);
  const [saved, setSaved] = useState(false);
  // The form starts over from the server's policy each time it is (re)loaded.
  const [formOf, setFormOf] = useState<typeof policy.data>(undefined);
  if (policy.data && policy.data !== formOf) {
    setFormOf(policy.data);
    setForm(fromPolicy(policy.data.policy as Record<string, unknown> | null));
  }
  const save = useMutation({
    mutationFn: () =>
      call(
        api.PUT("/api/v1/sla/policy", {
          // The policy is free-form JSON in the spec; the server validates it field by field.
          body: toPolicy(form!) as never,
          headers: { "If-Match": `"${policy.data?.version ?? 0}"` },
        }),
      ),
    onSuccess: (view) => {
      queries.setQueryData(slaKeys.policy(), view);
      invalidateSlaPolicy(queries);
      setSaved(true);
    },
    onError: (error) => {
      // The save sends the version read as If-Match: a stale one is a failed precondition.
      if (error instanceof ApiError && error.slug === "precondition-failed") invalidateSlaPolicy(queries);
    },
  });
  if (policy.isError) return <ErrorState error={policy.error} retry={() => void policy.refetch()} />;
  if (policy.isPending || !form) return <Loading />;
  const change = (next: Partial<PolicyForm>) => {
    setSaved(false);
    setForm({ ...form, ...next });
  };
  const error = save.error instanceof ApiError ? save.error : null;
  const fieldError = (field: string) => error?.problem.errors?.find((e) => e.field === field || e.field.startsWith(`${field}.`) || e.field.startsWith(`${field}[`))?.message;
  return (
    <section aria-labelledby="sla-policy-title">
      <h2 id="sla-policy-title">SLA policy &amp; business hours</h2>
      <p className="muted">
        {policy.data.policy ? `Version ${policy.data.version}.` : "No policy yet: tickets have no SLA clocks."}
        {!canManage && " Only owners and admins can change it."}
      </p>
      <form
        className="card form"
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate();
        }}
      >
        <fieldset disabled={!canManage}>
          <div className="grid-2">
            <div className="field">
              <label htmlFor="sla-tz">Time zone</label>
              <input id="sla-tz" value={form.timeZone} onChange={(e) => change({ timeZone: e.target.value })} placeholder="Europe/Paris" aria-invalid={Boolean(fieldError("time_zone"))} />
              {fieldError("time_zone") && <p className="field-error">{fieldError("time_zone")}</p>}
            </div>
            <div className="field">
              <label htmlFor="sla-holidays">Holidays</label>
              <input id="sla-holidays" value={form.holidays} onChange={(e) => change({ holidays: e.target.value })} placeholder="2026-12-25, 2027-01-01" />
              {fieldError("holidays") && <p className="field-error">{fieldError("holidays")}</p>}
            </div>
          </div>
          <div className="field">
            <label className="checkbox">
              <input type="checkbox" checked={form.aroundTheClock} onChange={(e) => change({ aroundTheClock: e.target.checked })} /> Around the clock (no business hours)
            </label>
          </div>
          {!form.aroundTheClock && (
            <table className="table compact">
              <caption className="left">Business hours — shifts like 09:00-12:00, 13:00-17:00; empty for a day off</caption>
              <tbody>
                {WEEKDAYS.map((day) => (
                  <tr key={day}>
                    <th scope="row">{label(day)}</th>
                    <td>
                      <input
                        aria-label={`${label(day)} hours`}
                        value={form.hours[day]}
                        onChange={(e) => change({ hours: { ...form.hours, [day]: e.target.value } })}
                        aria-invalid={Boolean(fieldError(`business_hours.${day}`))}
                      />
                      {fieldError(`business_hours.${day}`) && <p className="field-error">{fieldError(`business_hours.${day}`)}</p>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <table className="table compact">
            <caption className="left">Targets in business minutes (empty: no target)</caption>
            <thead>
              <tr>
                <th scope="col">Priority</th>
                <th scope="col">First response</th>
                <th scope="col">Resolution</th>
              </tr>
            </thead>
            <tbody>
              {PRIORITIES.map((priority) => (
                <tr key={priority}>
                  <th scope="row">{label(priority)}</th>
                  <td>
                    <input
                      type="number"
                      min={1}
                      aria-label={`${label(priority)} first response minutes`}
                      value={form.targets[priority].first}
                      onChange={(e) => change({ targets: { ...form.targets, [priority]: { ...form.targets[priority], first: e.target.value } } })}
                    />
                  </td>
                  <td>
                    <input
                      type="number"
                      min={1}
                      aria-label={`${label(priority)} resolution minutes`}
                      value={form.targets[priority].resolution}
                      onChange={(e) => change({ targets: { ...form.targets, [priority]: { ...form.targets[priority], resolution: e.target.value } } })}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {error && (
            <p className="inline-error" role="alert">
              {error.message}
            </p>
          )}
          {!error && <InlineError error={save.error} />}
          {canManage && (
            <div className="row">
              <button type="submit" className="button primary" disabled={save.isPending}>
                Save policy
              </button>
              {saved && (
                <span className="muted small" role="status">
                  Saved. Every ticket's clocks now follow this policy.
                </span>
              )}
            </div>
          )}
        </fieldset>
      </form>
    </section>
  );
}
