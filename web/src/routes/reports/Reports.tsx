// Daily ticket report: totals for the range and a chart of created vs solved per day.
import { useEffect, useMemo, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { dailyReportQuery, slaReportQuery } from "../../api/queries/reports";
import type { Schemas } from "../../api/types";
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
              <Chart days={report.data.days} />
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

function Chart({ days }: { days: Day[] }) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const x = days.map((day) => Date.parse(`${day.date}T00:00:00Z`) / 1000);
    const bars = uPlot.paths.bars!({ size: [0.4, 40], align: 0 });
    const plot = new uPlot(
      {
        width: element.clientWidth || 700,
        height: 260,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
        // Half a day of room each side so the first and last bars are whole.
        scales: { x: { time: true, range: (_u, min, max) => [min - 43_200, max + 43_200] }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] } },
        axes: [{ stroke: "#475569", grid: { show: false } }, { stroke: "#475569", grid: { stroke: "#e2e8f0" } }],
        series: [
          {},
          { label: "Created", stroke: "#4f46e5", fill: "rgba(79,70,229,0.75)", paths: bars, points: { show: false } },
          { label: "Solved", stroke: "#0f766e", width: 2, points: { show: true, size: 5 } },
        ],
      },
      [x, days.map((day) => day.tickets_created), days.map((day) => day.tickets_solved)],
      element,
    );
    const resize = () => plot.setSize({ width: element.clientWidth, height: 260 });
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      plot.destroy();
    };
  }, [days]);
  return (
    <>
      <div ref={holder} className="chart" role="img" aria-label="Bar chart of tickets created per day, with tickets solved as a line" />
      <div className="sr-only">
      <table>
        <caption>Tickets per day</caption>
        <thead>
          <tr>
            <th>Day</th>
            <th>Created</th>
            <th>Solved</th>
          </tr>
        </thead>
        <tbody>
          {days.map((day) => (
            <tr key={day.date}>
              <td>{day.date}</td>
              <td>{day.tickets_created}</td>
              <td>{day.tickets_solved}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </>
  );
}
