// Daily ticket report: totals for the range and a chart of created vs solved per day.
import { useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { dailyReportQuery, slaReportQuery } from "../../api/queries/reports";
import type { Schemas } from "../../api/types";
import { DailyTicketsChart } from "../../ui/DailyTicketsChart";
import { Empty, ErrorState, Loading } from "../../ui/states";

type Day = Schemas["DayStats"];

const RANGES = [7, 30, 90] as const;

function isoDay(date: Date) {
  return date.toISOString().slice(0, 10);
}

export function Component() {
  const [days, setDays] = useState<(typeof RANGES)[number]>(30);
  const { from, to } = useMemo(() => {
    const end = new Date();
    const start = new Date(end.getTime() - (days - 1) * 86_400_000);
    return { from: isoDay(start), to: isoDay(end) };
  }, [days]);
  const report = useQuery(dailyReportQuery(from, to));
  const totals = useMemo(() => {
    const sum = (key: keyof Day) => report.data?.days.reduce((n, day) => n + (day[key] as number), 0) ?? 0;
    return {
      created: sum("tickets_created"),
      solved: sum("tickets_solved"),
      reopened: sum("tickets_reopened"),
      replies: sum("agent_replies"),
      notes: sum("internal_notes"),
      customers: sum("customers_created"),
    };
  }, [report.data]);
  return (
    <div className="page">
      <header className="page-head">
        <h1>Reports</h1>
        <div className="segmented" role="radiogroup" aria-label="Range">
          {RANGES.map((range) => (
            <button key={range} type="button" role="radio" aria-checked={days === range} className={days === range ? "active" : ""} onClick={() => setDays(range)}>
              {range} days
            </button>
          ))}
        </div>
      </header>
      {report.isPending ? (
        <Loading label="Loading the report…" />
      ) : report.isError ? (
        <ErrorState error={report.error} retry={() => void report.refetch()} />
      ) : (
        <>
          <div className="stats">
            <Stat label="Tickets created" value={totals.created} />
            <Stat label="Tickets solved" value={totals.solved} />
            <Stat label="Reopened" value={totals.reopened} />
            <Stat label="Agent replies" value={totals.replies} />
            <Stat label="Internal notes" value={totals.notes} />
            <Stat label="New customers" value={totals.customers} />
          </div>
          <section className="card" aria-labelledby="chart-title">
            <h2 id="chart-title" className="card-title">
              Created and solved per day (UTC)
            </h2>
            {totals.created + totals.solved === 0 ? (
              <Empty title="Nothing happened in this range yet">Counts appear a few seconds after tickets are created or solved.</Empty>
            ) : (
              <DailyTicketsChart days={report.data.days} />
            )}
          </section>
          <SlaCompliance from={from} to={to} />
        </>
      )}
    </div>
  );
}

type Compliance = Schemas["ClockCompliance"];

function share(compliance: Compliance) {
  return compliance.compliance === null || compliance.compliance === undefined ? "—" : `${Math.round(compliance.compliance * 100)}%`;
}

function SlaCompliance({ from, to }: { from: string; to: string }) {
  const report = useQuery(slaReportQuery(from, to));
  return (
    <section className="card" aria-labelledby="sla-compliance-title">
      <h2 id="sla-compliance-title" className="card-title">
        SLA compliance
      </h2>
      {report.isPending ? (
        <Loading />
      ) : report.isError ? (
        <ErrorState error={report.error} retry={() => void report.refetch()} />
      ) : (
        <div className="compliance">
          {(
            [
              ["First response", report.data.first_response],
              ["Resolution", report.data.resolution],
            ] as const
          ).map(([name, clock]) => (
            <div key={name}>
              <div className="big">{share(clock)}</div>
              <div className="muted small">
                {name}: {clock.overall.met} met in time, {clock.overall.breached} breached
              </div>
              <table className="table compact">
                <caption className="left">By priority</caption>
                <thead>
                  <tr>
                    <th scope="col">Priority</th>
                    <th scope="col">Met</th>
                    <th scope="col">Breached</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(clock.by_priority).length === 0 ? (
                    <tr>
                      <td colSpan={3} className="muted">
                        No clock met or breached in this range.
                      </td>
                    </tr>
                  ) : (
                    Object.entries(clock.by_priority).map(([priority, counts]) => (
                      <tr key={priority}>
                        <td>{priority.charAt(0).toUpperCase() + priority.slice(1)}</td>
                        <td>{counts.met}</td>
                        <td>{counts.breached}</td>
                      </tr>
                    ))
                  )}
                </tbody>
              </table>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div className="stat">
      <div className="stat-value">{value}</div>
      <div className="muted small">{label}</div>
    </div>
  );
}

