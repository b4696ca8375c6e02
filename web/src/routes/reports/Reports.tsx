// The support reports (GET /api/v1/reports/support and /agents, docs/reports.md): volume, backlog, rates
// and the time metrics over a range with the period before it for comparison, a chart per day, an
// optional breakdown, the agent leaderboard and SLA compliance per priority. The range and the
// breakdown are kept in the address bar.
import { useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { useDirectory } from "../../api/queries/directory";
import { agentReportQuery, slaReportQuery, supportReportQuery } from "../../api/queries/reports";
import type { Schemas } from "../../api/types";
import { rangeFrom, rangeToParams } from "../../lib/salesReport";
import { TicketsPerDayChart } from "../../ui/TicketsPerDayChart";
import {
  BREAKDOWNS,
  SUPPORT_MAX_DAYS,
  TIME_METRICS,
  breakdownLabel,
  change,
  formatDuration,
  hasBusinessTime,
  percent,
  sortLeaderboard,
  statsOn,
  agentCompliance,
  type AgentPerformance,
  type Change,
  type LeaderboardColumn,
  type SupportFigures,
  type SupportReport,
} from "../../lib/supportReport";
import { RangePicker } from "../../ui/RangePicker";
import { ExportButton } from "../../ui/ExportButton";
import { Empty, ErrorState, Loading } from "../../ui/states";

export function Component() {
  const [params, setParams] = useSearchParams();
  const range = rangeFrom(params, new Date(), SUPPORT_MAX_DAYS);
  const breakdown = BREAKDOWNS.find((option) => option.value === params.get("breakdown"))?.value ?? "";
  const report = useQuery(supportReportQuery(range.from, range.to, breakdown));
  const setBreakdown = (value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set("breakdown", value);
    else next.delete("breakdown");
    setParams(next, { replace: true });
  };
  return (
    <div className="page">
      <header className="page-head">
        <h1>Reports</h1>
        <div className="row">
          <RangePicker range={range} maxDays={SUPPORT_MAX_DAYS} pick={(picked) => setParams(rangeToParams(params, picked), { replace: true })} />
          <label className="inline-label">
            Breakdown{" "}
            <select value={breakdown} onChange={(event) => setBreakdown(event.target.value)}>
              {BREAKDOWNS.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </label>
          <ExportButton kind="support_report" filters={{ from: range.from, to: range.to, breakdown }} what="the support report" />
        </div>
      </header>
      {report.isPending ? (
        <Loading label="Loading the report…" />
      ) : report.isError ? (
        <ErrorState error={report.error} retry={() => void report.refetch()} />
      ) : (
        <>
          <Headline report={report.data} />
          <section className="card" aria-labelledby="chart-title">
            <h2 id="chart-title" className="card-title">
              Created and solved per day, and the backlog ({report.data.time_zone})
            </h2>
            {report.data.totals.created + report.data.totals.solved === 0 && report.data.backlog_end === 0 ? (
              <Empty title="Nothing happened in this range yet">Counts appear a few seconds after tickets are created or solved.</Empty>
            ) : (
              <SupportDaysChart report={report.data} />
            )}
          </section>
          <Times report={report.data} />
          {report.data.breakdown && <Breakdown breakdown={report.data.breakdown} />}
        </>
      )}
      <Leaderboard from={range.from} to={range.to} />
      <SlaCompliance from={range.from} to={range.to} />
    </div>
  );
}

function Headline({ report }: { report: SupportReport }) {
  const now = report.totals;
  const before = report.previous?.totals;
  const compliance = (figures: SupportFigures | undefined) => figures?.sla_first_response.compliance;
  return (
    <div className="stats">
      <Stat label="Tickets created" value={String(now.created)} change={change(now.created, before?.created, true)} neutral />
      <Stat label="Tickets solved" value={String(now.solved)} change={change(now.solved, before?.solved, true)} />
      <Stat label="Backlog at the end" value={String(report.backlog_end)} change={change(report.backlog_end, report.previous?.backlog_end, false)} />
      <Stat label="One-touch resolution" value={percent(now.one_touch_rate)} change={change(now.one_touch_rate, before?.one_touch_rate, true)} />
      <Stat label="Reopen rate" value={percent(now.reopen_rate)} change={change(now.reopen_rate, before?.reopen_rate, false)} />
      <Stat
        label="Median first reply"
        value={formatDuration(now.times.first_reply.calendar.median_seconds)}
        change={change(now.times.first_reply.calendar.median_seconds, before?.times.first_reply.calendar.median_seconds, false)}
      />
      <Stat label="First response SLA" value={percent(compliance(now))} change={change(compliance(now), compliance(before), true)} />
    </div>
  );
}

function Stat({ label, value, change, neutral }: { label: string; value: string; change: Change; neutral?: boolean }) {
  const tone = neutral || change.better === null ? "muted" : change.better ? "good" : "bad";
  return (
    <div className="stat">
      <div className="stat-value">{value}</div>
      <div className="muted small">{label}</div>
      {change.text && (
        <div className={`small stat-change ${tone}`} title="Compared with the period of the same length before">
          {change.text} vs before
        </div>
      )}
    </div>
  );
}

function Times({ report }: { report: SupportReport }) {
  const business = hasBusinessTime(report);
  return (
    <section className="card" aria-labelledby="times-title">
      <h2 id="times-title" className="card-title">
        Response and resolution times
      </h2>
      <table className="table compact">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col">Tickets</th>
            <th scope="col">Average</th>
            <th scope="col">Median</th>
            <th scope="col">90th percentile</th>
            {business && <th scope="col">Median, business hours</th>}
            <th scope="col">Median before</th>
          </tr>
        </thead>
        <tbody>
          {TIME_METRICS.map(({ key, label }) => {
            const calendar = statsOn(report.totals, key, "calendar");
            const inBusiness = statsOn(report.totals, key, "business");
            const before = report.previous ? statsOn(report.previous.totals, key, "calendar") : null;
            return (
              <tr key={key}>
                <th scope="row">{label}</th>
                <td>{calendar?.count ?? 0}</td>
                <td>{formatDuration(calendar?.average_seconds)}</td>
                <td>{formatDuration(calendar?.median_seconds)}</td>
                <td>{formatDuration(calendar?.p90_seconds)}</td>
                {business && <td>{formatDuration(inBusiness?.median_seconds)}</td>}
                <td>{formatDuration(before?.median_seconds)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted small">
        Medians and percentiles are within 1% of the exact value.{" "}
        {business ? "Business hours come from the SLA policy." : "Set an SLA policy to see business-hours times too."}
      </p>
    </section>
  );
}

function Breakdown({ breakdown }: { breakdown: Schemas["SupportBreakdown"] }) {
  const directory = useDirectory();
  const nameOf = (id: string) => directory.member(id)?.name;
  const title = BREAKDOWNS.find((option) => option.value === breakdown.dimension)?.label ?? breakdown.dimension;
  return (
    <section className="card" aria-labelledby="breakdown-title">
      <h2 id="breakdown-title" className="card-title">
        By {title.toLowerCase()}
      </h2>
      {breakdown.rows.length === 0 ? (
        <Empty title="Nothing in this range" />
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th scope="col">{title}</th>
              <th scope="col">Created</th>
              <th scope="col">Solved</th>
              <th scope="col">Reopened</th>
              <th scope="col">One-touch</th>
              <th scope="col">Median first reply</th>
              <th scope="col">Median full resolution</th>
            </tr>
          </thead>
          <tbody>
            {breakdown.rows.map((row) => (
              <tr key={row.value}>
                <th scope="row">{breakdownLabel(breakdown.dimension, row.value, nameOf)}</th>
                <td>{row.figures.created}</td>
                <td>{row.figures.solved}</td>
                <td>{row.figures.reopened}</td>
                <td>{percent(row.figures.one_touch_rate)}</td>
                <td>{formatDuration(row.figures.times.first_reply.calendar.median_seconds)}</td>
                <td>{formatDuration(row.figures.times.full_resolution.calendar.median_seconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const COLUMNS: { key: LeaderboardColumn; label: string }[] = [
  { key: "solved", label: "Solved" },
  { key: "replies", label: "Replies" },
  { key: "one_touch", label: "One-touch" },
  { key: "first_reply", label: "Median first reply" },
  { key: "full_resolution", label: "Median resolution" },
  { key: "sla", label: "SLA met" },
  { key: "online_seconds", label: "Online" },
];

function cell(agent: AgentPerformance, column: LeaderboardColumn): string {
  switch (column) {
    case "first_reply":
    case "full_resolution":
      return formatDuration(agent[column].calendar.median_seconds);
    case "sla":
      return percent(agentCompliance(agent));
    case "online_seconds":
      return formatDuration(agent.online_seconds);
    default:
      return String(agent[column]);
  }
}

function Leaderboard({ from, to }: { from: string; to: string }) {
  const report = useQuery(agentReportQuery(from, to));
  const [column, setColumn] = useState<LeaderboardColumn>("solved");
  return (
    <section className="card" aria-labelledby="leaderboard-title">
      <h2 id="leaderboard-title" className="card-title">
        Agents
      </h2>
      <ExportButton kind="agent_report" filters={{ from, to }} what="agent performance" />
      {report.isPending ? (
        <Loading />
      ) : report.isError ? (
        <ErrorState error={report.error} retry={() => void report.refetch()} />
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th scope="col">Agent</th>
              {COLUMNS.map(({ key, label }) => (
                <th key={key} scope="col" aria-sort={column === key ? "descending" : undefined}>
                  <button type="button" className="link-button" onClick={() => setColumn(key)}>
                    {label}
                  </button>
                </th>
              ))}
              <th scope="col">Reopens</th>
              <th scope="col">Open now</th>
            </tr>
          </thead>
          <tbody>
            {sortLeaderboard(report.data.agents, column).map((agent) => (
              <tr key={agent.user_id}>
                <th scope="row">
                  <span role="img" className={agent.online ? "presence-dot online" : "presence-dot"} aria-label={agent.online ? "online" : "offline"} /> {agent.name ?? "Former member"}
                </th>
                {COLUMNS.map(({ key }) => (
                  <td key={key}>{cell(agent, key)}</td>
                ))}
                <td>{agent.reopened}</td>
                <td>{agent.open_assigned}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
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
        SLA compliance by priority
      </h2>
      <ExportButton kind="sla_report" filters={{ from, to }} what="SLA compliance" />
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

function SupportDaysChart({ report }: { report: SupportReport }) {
  const days = useMemo(
    () => report.days.map((day) => ({ date: day.date, created: day.figures.created, solved: day.figures.solved, backlog: day.backlog })),
    [report.days],
  );
  return <TicketsPerDayChart days={days} timeZone={report.time_zone} />;
}
