// One workspace in the platform console: its usage against its limits (the plan's and what staff
// granted beyond it), tickets and API calls per day over a chosen range, and the form that grants extras.
import { useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { platformKeys } from "../../api/queries/keys";
import { setLimitExtras, workspaceQuery } from "../../api/queries/platform";
import type { Schemas } from "../../api/types";
import { bytes, label, relativeTime } from "../../lib/format";
import { parseExtras, type ExtrasForm, type LimitExtras } from "../../lib/platformHealth";
import { TicketsPerDayChart } from "../../ui/TicketsPerDayChart";
import { ErrorState, InlineError, Loading } from "../../ui/states";
import { PlatformShell } from "./Shell";

const RANGES = [7, 30, 90] as const;
const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const limit = (value: number | null | undefined, format: (n: number) => string = String) => (value === null || value === undefined ? "unlimited" : format(value));

type Detail = Schemas["WorkspaceDetailView"];

function UsageTable({ detail }: { detail: Detail }) {
  const rows: [string, number, keyof Detail["limits"], (n: number) => string][] = [
    ["Seats", detail.usage.seats, "seats", String],
    [`Tickets (${detail.usage.month})`, detail.usage.tickets, "tickets_per_month", String],
    ["Storage", detail.usage.storage_bytes, "storage_bytes", bytes],
    ["Webhooks", detail.usage.webhooks, "webhooks", String],
  ];
  return (
    <table className="table" aria-label="Usage against limits">
      <thead>
        <tr>
          <th scope="col">Limit</th>
          <th scope="col">Used</th>
          <th scope="col">Plan</th>
          <th scope="col">Extra</th>
          <th scope="col">Applies</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([name, used, key, format]) => {
          const applies = detail.limits[key] as number | null | undefined;
          const extra = detail.limit_extras[key as keyof LimitExtras];
          return (
            <tr key={key} className={applies !== null && applies !== undefined && used >= applies ? "over-limit" : undefined}>
              <td>{name}</td>
              <td>{format(used)}</td>
              <td>{limit(detail.plan_limits[key] as number | null | undefined, format)}</td>
              <td>{extra ? `+${format(extra)}` : ""}</td>
              <td className="strong">{limit(applies, format)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The days of the range that had API calls, newest first, with the range's and the month's totals. */
function ApiCalls({ detail }: { detail: Detail }) {
  const busy = detail.api_calls.days.filter((day) => day.calls > 0).reverse();
  return (
    <>
      <p className="muted">
        {detail.api_calls.total} in {detail.api_calls.from} – {detail.api_calls.to} · {detail.usage.api_calls} this month ({detail.usage.month})
      </p>
      {busy.length === 0 ? (
        <p className="muted">No API calls in this range.</p>
      ) : (
        <table className="table" aria-label="API calls per day">
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col">Calls</th>
            </tr>
          </thead>
          <tbody>
            {busy.map((day) => (
              <tr key={day.date}>
                <td>{day.date}</td>
                <td>{day.calls}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function ExtrasEditor({ detail }: { detail: Detail }) {
  const queries = useQueryClient();
  const toForm = (extras: Schemas["LimitExtras"]): ExtrasForm => ({
    seats: String(extras.seats ?? 0),
    tickets_per_month: String(extras.tickets_per_month ?? 0),
    storage_bytes: String(extras.storage_bytes ?? 0),
    webhooks: String(extras.webhooks ?? 0),
  });
  const [form, setForm] = useState<ExtrasForm>(toForm(detail.limit_extras));
  const [invalid, setInvalid] = useState<string[]>([]);
  const save = useMutation({
    mutationFn: (extras: LimitExtras) => setLimitExtras(detail.workspace.id, extras),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: platformKeys.workspaces() });
      void queries.invalidateQueries({ queryKey: platformKeys.audit() });
    },
  });
  const fields: [keyof LimitExtras, string][] = [
    ["seats", "Extra seats"],
    ["tickets_per_month", "Extra tickets per month"],
    ["storage_bytes", "Extra storage (bytes)"],
    ["webhooks", "Extra webhooks"],
  ];
  return (
    <form
      className="extras-form"
      aria-label="Grant beyond the plan"
      onSubmit={(event) => {
        event.preventDefault();
        const parsed = parseExtras(form);
        if ("errors" in parsed) return setInvalid(parsed.errors);
        setInvalid([]);
        save.mutate(parsed.value);
      }}
    >
      {fields.map(([key, text]) => (
        <label key={key}>
          {text}
          <input inputMode="numeric" value={form[key]} aria-invalid={invalid.includes(key)} onChange={(event) => setForm({ ...form, [key]: event.target.value })} />
        </label>
      ))}
      {invalid.length > 0 && <p className="error">Whole numbers of 0 or more only.</p>}
      <InlineError error={save.error} />
      <button type="submit" className="button primary" disabled={save.isPending}>
        Save extras
      </button>
      {save.isSuccess && <span className="muted">Saved: applies from the next request.</span>}
    </form>
  );
}

// The workspace's tickets per day (its report days, in its report time zone).
function ActivityChart({ activity }: { activity: Schemas["DailyTicketReport"] }) {
  const days = useMemo(
    () => activity.days.map((day) => ({ date: day.date, created: day.tickets_created, solved: day.tickets_solved })),
    [activity.days],
  );
  return <TicketsPerDayChart days={days} timeZone={activity.time_zone} />;
}

export function Component() {
  const { id = "" } = useParams();
  const [days, setDays] = useState<(typeof RANGES)[number]>(30);
  const { from, to } = useMemo(() => {
    const end = new Date();
    return { from: isoDay(new Date(end.getTime() - (days - 1) * 86_400_000)), to: isoDay(end) };
  }, [days]);
  const detail = useQuery(workspaceQuery(id, from, to));
  return (
    <PlatformShell>
      <p>
        <Link to="/platform">← Workspaces</Link>
      </p>
      {detail.isPending ? (
        <Loading />
      ) : detail.isError ? (
        <ErrorState error={detail.error} retry={() => void detail.refetch()} />
      ) : (
        <>
          <h1>{detail.data.workspace.name}</h1>
          <p className="muted">
            {label(detail.data.workspace.plan)} plan · created {relativeTime(detail.data.workspace.created_at)} · subscription{" "}
            {detail.data.workspace.subscription_status ? label(detail.data.workspace.subscription_status) : "none"} · <code>{detail.data.workspace.id}</code>
          </p>
          <h2>Usage</h2>
          <UsageTable detail={detail.data} />
          <h2>Tickets per day</h2>
          <div role="group" aria-label="Range" className="segmented">
            {RANGES.map((range) => (
              <button key={range} type="button" className={range === days ? "button small active" : "button small ghost"} aria-pressed={range === days} onClick={() => setDays(range)}>
                {range} days
              </button>
            ))}
          </div>
          <ActivityChart activity={detail.data.activity} />
          <h2>API calls per day</h2>
          <ApiCalls detail={detail.data} />
          <h2>Beyond the plan</h2>
          <p className="muted">Added to the plan's limits for this workspace only; kept when its plan changes.</p>
          <ExtrasEditor key={JSON.stringify(detail.data.limit_extras)} detail={detail.data} />
        </>
      )}
    </PlatformShell>
  );
}
