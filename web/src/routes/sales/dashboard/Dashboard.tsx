// The sales dashboard, from the sales report (GET /api/v1/reports/sales, docs/sales.md): leads now by
// status, source and owner; new leads per day; conversion per source and per owner; the open pipeline's
// value and weighted value per stage and per owner (per currency); deals won and lost per day with the
// win rate, average deal size and sales cycle, and per owner. The range and the pipeline are kept in the address bar.
import { useMemo, useState, type ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { useDirectory } from "../../../api/queries/directory";
import { pipelinesQuery } from "../../../api/queries/deals";
import { salesReportQuery } from "../../../api/queries/reports";
import type { Pipeline } from "../../../api/types";
import { leadStatusesQuery } from "../../../api/queries/sales";
import { label } from "../../../lib/format";
import { currencyDigits, money } from "../../../lib/money";
import {
  anyActivity,
  byOwnerName,
  cycleDays,
  dayStamps,
  inCurrency,
  percent,
  pipelineCurrencies,
  pipelineTotals,
  rangeFrom,
  rangeToParams,
  rangeTotals,
  statusRows,
  type DashboardRange,
  type SalesReport,
} from "../../../lib/salesReport";
import { Empty, ErrorState, Loading } from "../../../ui/states";
import { DayChart, StageChart } from "./charts";
import { RangePicker } from "../../../ui/RangePicker";
import { ExportButton } from "../../../ui/ExportButton";

export function Component() {
  const [params, setParams] = useSearchParams();
  const pipelines = useQuery(pipelinesQuery());
  const range = rangeFrom(params, new Date());
  const pipeline = pipelines.data?.items.find((candidate) => candidate.id === params.get("pipeline")) ?? pipelines.data?.items[0];
  const setPipeline = (id: string) => {
    const next = new URLSearchParams(params);
    next.set("pipeline", id);
    setParams(next, { replace: true });
  };
  return (
    <div className="page">
      <header className="page-head dashboard-head">
        <h1>Sales dashboard</h1>
        <div className="row dashboard-controls">
          <RangePicker range={range} pick={(picked) => setParams(rangeToParams(params, picked), { replace: true })} />
          <ExportButton kind="sales_report" filters={{ from: range.from, to: range.to, pipeline_id: pipeline?.id }} what="the sales report" />
        </div>
      </header>
      {pipelines.isPending ? (
        <Loading label="Loading the pipelines…" />
      ) : pipelines.isError ? (
        <ErrorState error={pipelines.error} retry={() => void pipelines.refetch()} />
      ) : (
        <Report range={range} pipelineId={pipeline?.id ?? ""} picker={<PipelinePicker pipelines={pipelines.data.items} value={pipeline?.id ?? ""} pick={setPipeline} />} />
      )}
    </div>
  );
}

/** The pipeline whose open deals the dashboard shows (the rest of the report is the whole workspace's). */
function PipelinePicker({ pipelines, value, pick }: { pipelines: readonly Pipeline[]; value: string; pick: (id: string) => void }) {
  if (pipelines.length < 2) return null;
  return (
    <label className="inline-label">
      Pipeline{" "}
      <select value={value} onChange={(event) => pick(event.target.value)}>
        {pipelines.map((candidate) => (
          <option key={candidate.id} value={candidate.id}>
            {candidate.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Presets (7 days … a year) and dates picked by hand, applied together. */
function Report({ range, pipelineId, picker }: { range: DashboardRange; pipelineId: string; picker: ReactNode }) {
  const report = useQuery(salesReportQuery(range.from, range.to, pipelineId));
  if (report.isPending) return <Loading label="Loading the sales report…" />;
  if (report.isError) return <ErrorState error={report.error} retry={() => void report.refetch()} />;
  return (
    <>
      <Headline report={report.data} />
      <div className="dashboard-grid">
        <LeadsNow report={report.data} />
        <NewLeads report={report.data} />
        <Conversion report={report.data} />
      </div>
      <OpenPipeline report={report.data} picker={picker} />
      <ClosedDeals report={report.data} />
      <ClosedPerOwner report={report.data} />
      <ActivitiesPerRep report={report.data} />
    </>
  );
}

/** Calls, meetings, tasks and e-mails per rep over the range: logged, and done (ticked, or logged as done). */
function ActivitiesPerRep({ report }: { report: SalesReport }) {
  const directory = useDirectory();
  const { activities } = report;
  return (
    <section className="card" aria-labelledby="activities-per-rep-title">
      <h2 id="activities-per-rep-title" className="card-title">
        Activities per rep
      </h2>
      {activities.by_rep.length === 0 ? (
        <Empty title="No activities logged in this range" />
      ) : (
        <table className="table compact" data-testid="activities-per-rep">
          <thead>
            <tr>
              <th scope="col">Rep</th>
              <th scope="col">Logged</th>
              <th scope="col">Done</th>
              {activities.by_kind.map((kind) => (
                <th scope="col" key={kind.kind}>
                  {label(kind.kind)}s
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {activities.by_rep.map((rep) => (
              <tr key={rep.user_id ?? "none"}>
                <td>{rep.user_id ? directory.nameOrYou(rep.user_id) : "—"}</td>
                <td>{rep.logged}</td>
                <td>{rep.done}</td>
                {rep.by_kind.map((kind) => (
                  <td key={kind.kind}>{kind.logged}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Stat({ label: name, value, testId }: { label: string; value: string | number; testId?: string }) {
  return (
    <div className="stat" data-testid={testId}>
      <div className="stat-value">{value}</div>
      <div className="muted small">{name}</div>
    </div>
  );
}

function Headline({ report }: { report: SalesReport }) {
  const totals = rangeTotals(report);
  return (
    <>
      <p className="muted small">
        From {report.from} to {report.to} (UTC days), the whole workspace: leads as they are now, the rest what happened in the range. The open pipeline below is one pipeline’s, as it is now.
      </p>
      <div className="stats" data-testid="sales-headline">
        <Stat label="New leads" value={totals.leadsCreated} testId="stat-new-leads" />
        <Stat label="Leads converted" value={totals.leadsConverted} testId="stat-converted" />
        <Stat label="Deals won" value={totals.won} testId="stat-won" />
        <Stat label="Deals lost" value={totals.lost} testId="stat-lost" />
        <Stat label="Win rate" value={percent(report.deals.win_rate)} testId="stat-win-rate" />
        <Stat label="Average sales cycle" value={cycleDays(report.deals.average_cycle_days)} testId="stat-cycle" />
      </div>
      {/* Money per currency, never added across currencies; nothing until a deal is won in the range. */}
      {totals.wonValue.length > 0 && (
        <div className="stats" data-testid="sales-money">
          {totals.wonValue.map((total) => (
            <Stat key={`won-${total.currency}`} label={`Won in ${total.currency}`} value={money(total.value, total.currency)} testId={`stat-won-${total.currency}`} />
          ))}
          {report.deals.average_won_value.map((average) => (
            <Stat key={`avg-${average.currency}`} label={`Average deal won in ${average.currency}`} value={money(average.value, average.currency)} testId={`stat-average-${average.currency}`} />
          ))}
        </div>
      )}
    </>
  );
}

/** A two-column table of counts, or a line saying there is nothing. */
function CountTable({ caption, head, rows, testId }: { caption: string; head: string; rows: { key: string; name: string; count: number }[]; testId: string }) {
  return (
    <table className="table compact" data-testid={testId}>
      <caption className="left">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{head}</th>
          <th scope="col" className="num">
            Leads
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 ? (
          <tr>
            <td colSpan={2} className="muted">
              No leads yet.
            </td>
          </tr>
        ) : (
          rows.map((row) => (
            <tr key={row.key}>
              <th scope="row">{row.name}</th>
              <td className="num">{row.count}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

function LeadsNow({ report }: { report: SalesReport }) {
  const statuses = useQuery(leadStatusesQuery());
  const directory = useDirectory();
  const leads = report.leads;
  return (
    <section className="card" aria-labelledby="leads-now-title">
      <h2 id="leads-now-title" className="card-title">
        Leads now
      </h2>
      <CountTable caption="By status" head="Status" testId="leads-by-status" rows={statusRows(leads.by_status, statuses.data?.statuses).map((row) => ({ key: row.key, name: row.label ?? label(row.key), count: row.count }))} />
      <CountTable caption="By source" head="Source" testId="leads-by-source" rows={leads.by_source.filter((row) => row.count > 0).map((row) => ({ key: row.source, name: label(row.source), count: row.count }))} />
      <CountTable
        caption="By owner"
        head="Owner"
        testId="leads-by-owner"
        rows={byOwnerName(leads.by_owner, directory.name, (row) => row.count).map((row) => ({ key: row.owner_id ?? "none", name: row.owner, count: row.count }))}
      />
    </section>
  );
}

function NewLeads({ report }: { report: SalesReport }) {
  const days = report.leads.created_per_day;
  const x = useMemo(() => dayStamps(days), [days]);
  const bars = useMemo(() => ({ label: "New leads", values: days.map((day) => day.count) }), [days]);
  return (
    <section className="card" aria-labelledby="new-leads-title">
      <h2 id="new-leads-title" className="card-title">
        New leads per day
      </h2>
      {!anyActivity(report).leads ? (
        <Empty title="No new leads in this range">Leads count here a few seconds after they are added.</Empty>
      ) : (
        <>
          <DayChart label="Bar chart of new leads per day" x={x} bars={bars} />
          <div className="sr-only">
            <table>
              <caption>New leads per day</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">New leads</th>
                </tr>
              </thead>
              <tbody>
                {days.map((day) => (
                  <tr key={day.day}>
                    <td>{day.day}</td>
                    <td>{day.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function ConversionTable({ caption, head, rows, testId }: { caption: string; head: string; rows: { key: string; name: string; created: number; converted: number; rate?: number | null }[]; testId: string }) {
  return (
    <table className="table compact" data-testid={testId}>
      <caption className="left">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{head}</th>
          <th scope="col" className="num">
            Created
          </th>
          <th scope="col" className="num">
            Converted
          </th>
          <th scope="col" className="num">
            Rate
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 ? (
          <tr>
            <td colSpan={4} className="muted">
              No lead created or converted in this range.
            </td>
          </tr>
        ) : (
          rows.map((row) => (
            <tr key={row.key}>
              <th scope="row">{row.name}</th>
              <td className="num">{row.created}</td>
              <td className="num">{row.converted}</td>
              <td className="num">{percent(row.rate)}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

function Conversion({ report }: { report: SalesReport }) {
  const directory = useDirectory();
  const bySource = report.leads.conversion_by_source.filter((row) => row.created + row.converted > 0);
  return (
    <section className="card" aria-labelledby="conversion-title">
      <h2 id="conversion-title" className="card-title">
        Conversion in the range
      </h2>
      <p className="muted small">Leads created in the range, and leads converted in it (by the owner at the time).</p>
      <ConversionTable caption="Per source" head="Source" testId="conversion-by-source" rows={bySource.map((row) => ({ ...row, key: row.source, name: label(row.source) }))} />
      <ConversionTable
        caption="Per owner"
        head="Owner"
        testId="conversion-by-owner"
        rows={byOwnerName(report.leads.conversion_by_owner, directory.name, (row) => row.created).map((row) => ({ ...row, key: row.owner_id ?? "none", name: row.owner }))}
      />
    </section>
  );
}

function OpenPipeline({ report, picker }: { report: SalesReport; picker: ReactNode }) {
  const directory = useDirectory();
  const currencies = pipelineCurrencies(report.pipeline);
  const [chosen, setChosen] = useState<string | null>(null);
  const currency = chosen && currencies.includes(chosen) ? chosen : currencies[0];
  const stages = report.pipeline.by_stage;
  const open = pipelineTotals(report.pipeline);
  const owners = byOwnerName(report.pipeline.by_owner, directory.name, (row) => (currency ? inCurrency(row.totals, currency).value : row.count));
  return (
    <section className="card" aria-labelledby="pipeline-title">
      <header className="page-head">
        <h2 id="pipeline-title" className="card-title">
          Open pipeline{currency ? ` (${currency})` : ""}
        </h2>
        {picker}
        {currencies.length > 1 && (
          <div className="segmented" role="radiogroup" aria-label="Currency">
            {currencies.map((code) => (
              <button key={code} type="button" role="radio" aria-checked={code === currency} className={code === currency ? "active" : ""} onClick={() => setChosen(code)}>
                {code}
              </button>
            ))}
          </div>
        )}
      </header>
      <div className="stats" data-testid="pipeline-totals">
        <Stat label="Open deals" value={open.count} testId="stat-open-deals" />
        {open.totals.map((total) => (
          <Stat key={total.currency} label={`Open value · weighted ${money(total.weighted_value, total.currency)}`} value={money(total.value, total.currency)} testId={`stat-open-${total.currency}`} />
        ))}
      </div>
      {!currency ? (
        <Empty title="No open deals in this pipeline yet" />
      ) : (
        <>
          <PipelineChart stages={stages} currency={currency} />
          <div className="dashboard-grid two">
            <table className="table compact" data-testid="stage-totals">
              <caption className="left">Per stage ({currency})</caption>
              <thead>
                <tr>
                  <th scope="col">Stage</th>
                  <th scope="col" className="num">
                    Open deals
                  </th>
                  <th scope="col" className="num">
                    Value
                  </th>
                  <th scope="col" className="num">
                    Weighted
                  </th>
                </tr>
              </thead>
              <tbody>
                {stages.map((stage) => {
                  const total = inCurrency(stage.totals, currency);
                  return (
                    <tr key={stage.stage_id}>
                      <th scope="row">{stage.name}</th>
                      <td className="num">{stage.count}</td>
                      <td className="num">{money(total.value, currency)}</td>
                      <td className="num">{money(total.weighted, currency)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <table className="table compact" data-testid="owner-totals">
              <caption className="left">Per owner ({currency})</caption>
              <thead>
                <tr>
                  <th scope="col">Owner</th>
                  <th scope="col" className="num">
                    Open deals
                  </th>
                  <th scope="col" className="num">
                    Value
                  </th>
                  <th scope="col" className="num">
                    Weighted
                  </th>
                </tr>
              </thead>
              <tbody>
                {owners.map((owner) => {
                  const total = inCurrency(owner.totals, currency);
                  return (
                    <tr key={owner.owner_id ?? "none"}>
                      <th scope="row">{owner.owner}</th>
                      <td className="num">{owner.count}</td>
                      <td className="num">{money(total.value, currency)}</td>
                      <td className="num">{money(total.weighted, currency)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function PipelineChart({ stages, currency }: { stages: SalesReport["pipeline"]["by_stage"]; currency: string }) {
  const series = useMemo(() => {
    const scale = 10 ** currencyDigits(currency);
    const totals = stages.map((stage) => inCurrency(stage.totals, currency));
    return {
      names: stages.map((stage) => stage.name),
      value: { label: `Value (${currency})`, values: totals.map((total) => total.value / scale) },
      weighted: { label: `Weighted (${currency})`, values: totals.map((total) => total.weighted / scale) },
    };
  }, [stages, currency]);
  return <StageChart label={`Bar chart of open deal value per stage in ${currency}, with the weighted value as a line`} {...series} />;
}

function ClosedDeals({ report }: { report: SalesReport }) {
  const days = report.deals.per_period;
  const x = useMemo(() => dayStamps(days), [days]);
  const won = useMemo(() => ({ label: "Won", values: days.map((day) => day.won) }), [days]);
  const lost = useMemo(() => ({ label: "Lost", values: days.map((day) => day.lost) }), [days]);
  return (
    <section className="card" aria-labelledby="closed-title">
      <h2 id="closed-title" className="card-title">
        Deals won and lost per day
      </h2>
      {!anyActivity(report).deals ? (
        <Empty title="No deal won or lost in this range">Won and lost deals count here a few seconds after they close.</Empty>
      ) : (
        <>
          <DayChart label="Bar chart of deals won per day, with deals lost as a line" x={x} bars={won} line={lost} />
          <div className="sr-only">
            <table>
              <caption>Deals won and lost per day</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Won</th>
                  <th scope="col">Lost</th>
                  <th scope="col">Won value</th>
                </tr>
              </thead>
              <tbody>
                {days.map((day) => (
                  <tr key={day.day}>
                    <td>{day.day}</td>
                    <td>{day.won}</td>
                    <td>{day.lost}</td>
                    <td>{day.won_value.map((total) => money(total.value, total.currency)).join(", ") || "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

/** Deals won and lost per owner over the range (the owner when the deal closed), with the win rate and the value won per currency. */
function ClosedPerOwner({ report }: { report: SalesReport }) {
  const directory = useDirectory();
  const owners = byOwnerName(report.deals.by_owner, directory.name, (row) => row.won);
  return (
    <section className="card" aria-labelledby="closed-per-owner-title">
      <h2 id="closed-per-owner-title" className="card-title">
        Deals closed per owner
      </h2>
      {owners.length === 0 ? (
        <Empty title="No deal closed by its owner in this range" />
      ) : (
        <table className="table compact" data-testid="closed-per-owner">
          <thead>
            <tr>
              <th scope="col">Owner</th>
              <th scope="col">Won</th>
              <th scope="col">Lost</th>
              <th scope="col">Win rate</th>
              <th scope="col">Won value</th>
            </tr>
          </thead>
          <tbody>
            {owners.map((row) => (
              <tr key={row.owner_id ?? "none"}>
                <td>{row.owner}</td>
                <td>{row.won}</td>
                <td>{row.lost}</td>
                <td>{percent(row.win_rate)}</td>
                <td>{row.won_value.map((total) => money(total.value, total.currency)).join(", ") || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
