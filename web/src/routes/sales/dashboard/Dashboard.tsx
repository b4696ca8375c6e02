// Sales dashboard: the open pipeline from the board's counters (exact, kept by the deal transactions):
// open deals, value and weighted value per currency, and a chart of value per stage (uPlot, loaded
// only on this route); and the activities logged and done per rep over the last 30 days, from the
// sales report (daily counters the outbox keeps).
import { useEffect, useMemo, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { api, call } from "../../../api/client";
import { useDirectory } from "../../../api/queries/directory";
import { boardQuery, pipelinesQuery } from "../../../api/queries/deals";
import type { Board } from "../../../api/types";
import { boardTotals } from "../../../lib/board";
import { label } from "../../../lib/format";
import { currencyDigits, money } from "../../../lib/money";
import { Empty, ErrorState, Loading } from "../../../ui/states";

export function Component() {
  const pipelines = useQuery(pipelinesQuery());
  const [params, setParams] = useSearchParams();
  const pipeline = pipelines.data?.items.find((candidate) => candidate.id === params.get("pipeline")) ?? pipelines.data?.items[0];
  return (
    <div className="page">
      <header className="page-head">
        <h1>Sales dashboard</h1>
        {pipelines.data && pipelines.data.items.length > 1 && pipeline && (
          <label className="inline-label">
            Pipeline{" "}
            <select value={pipeline.id} onChange={(event) => setParams({ pipeline: event.target.value })}>
              {pipelines.data.items.map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </header>
      {pipelines.isPending ? (
        <Loading label="Loading the pipelines…" />
      ) : pipelines.isError ? (
        <ErrorState error={pipelines.error} retry={() => void pipelines.refetch()} />
      ) : !pipeline ? (
        <Empty title="No pipeline yet" />
      ) : (
        <>
          <PipelineTotals pipelineId={pipeline.id} />
          <ActivitiesPerRep pipelineId={pipeline.id} />
        </>
      )}
    </div>
  );
}

/** Calls, meetings, tasks and e-mails per rep: logged, and done (ticked, or logged as done). */
function ActivitiesPerRep({ pipelineId }: { pipelineId: string }) {
  const directory = useDirectory();
  const report = useQuery({
    queryKey: ["reports", "sales", pipelineId],
    queryFn: () => call(api.GET("/api/v1/reports/sales", { params: { query: { pipeline_id: pipelineId } } })),
  });
  return (
    <section className="card" aria-labelledby="activities-per-rep-title">
      <h2 id="activities-per-rep-title" className="card-title">
        Activities per rep (last 30 days)
      </h2>
      {report.isPending ? (
        <Loading />
      ) : report.isError ? (
        <ErrorState error={report.error} retry={() => void report.refetch()} />
      ) : report.data.activities.by_rep.length === 0 ? (
        <Empty title="No activities logged in the last 30 days" />
      ) : (
        <table className="table compact" data-testid="activities-per-rep">
          <thead>
            <tr>
              <th scope="col">Rep</th>
              <th scope="col">Logged</th>
              <th scope="col">Done</th>
              {report.data.activities.by_kind.map((kind) => (
                <th scope="col" key={kind.kind}>
                  {label(kind.kind)}s
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {report.data.activities.by_rep.map((rep) => (
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

function PipelineTotals({ pipelineId }: { pipelineId: string }) {
  const query = useQuery(boardQuery(pipelineId));
  const summary = useMemo(() => (query.data ? boardTotals(query.data) : null), [query.data]);
  const [chosen, setChosen] = useState<string | null>(null);
  if (query.isPending) return <Loading label="Loading the pipeline…" />;
  if (query.isError) return <ErrorState error={query.error} retry={() => void query.refetch()} />;
  const currencies = summary!.totals.map((total) => total.currency);
  const currency = chosen && currencies.includes(chosen) ? chosen : currencies[0];
  return (
    <>
      <div className="stats" data-testid="pipeline-totals">
        <div className="stat">
          <div className="stat-value">{summary!.count}</div>
          <div className="muted small">Open deals</div>
        </div>
        {summary!.totals.map((total) => (
          <div className="stat" key={total.currency}>
            <div className="stat-value">{money(total.value, total.currency)}</div>
            <div className="muted small">Open value · weighted {money(total.weighted_value, total.currency)}</div>
          </div>
        ))}
      </div>
      <section className="card" aria-labelledby="by-stage-title">
        <header className="page-head">
          <h2 id="by-stage-title" className="card-title">
            Open value per stage{currency ? ` (${currency})` : ""}
          </h2>
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
        {!currency ? <Empty title="No open deals in this pipeline yet" /> : <StageChart board={query.data} currency={currency} />}
      </section>
    </>
  );
}

function StageChart({ board, currency }: { board: Board; currency: string }) {
  const holder = useRef<HTMLDivElement>(null);
  const rows = useMemo(
    () =>
      board.columns.map((column) => {
        const total = column.totals.find((candidate) => candidate.currency === currency);
        return { name: column.stage.name, count: column.count, value: total?.value ?? 0, weighted: total?.weighted_value ?? 0 };
      }),
    [board, currency],
  );
  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const scale = 10 ** currencyDigits(currency);
    const bars = uPlot.paths.bars!({ size: [0.5, 60] });
    const plot = new uPlot(
      {
        width: element.clientWidth || 700,
        height: 260,
        scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] } },
        axes: [
          { stroke: "#475569", grid: { show: false }, values: (_u, ticks) => ticks.map((tick) => rows[tick]?.name ?? ""), splits: () => rows.map((_, index) => index) },
          { stroke: "#475569", grid: { stroke: "#e2e8f0" }, size: 70 },
        ],
        series: [
          {},
          { label: `Value (${currency})`, stroke: "#4f46e5", fill: "rgba(79,70,229,0.75)", paths: bars, points: { show: false } },
          { label: `Weighted (${currency})`, stroke: "#0f766e", width: 2, points: { show: true, size: 6 } },
        ],
      },
      [rows.map((_, index) => index), rows.map((row) => row.value / scale), rows.map((row) => row.weighted / scale)],
      element,
    );
    const resize = () => plot.setSize({ width: element.clientWidth, height: 260 });
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      plot.destroy();
    };
  }, [rows, currency]);
  return (
    <>
      <div ref={holder} className="chart" role="img" aria-label={`Bar chart of open deal value per stage in ${currency}, with the weighted value as a line`} />
      <table className="table compact" data-testid="stage-totals">
        <caption className="left">Per stage ({currency})</caption>
        <thead>
          <tr>
            <th scope="col">Stage</th>
            <th scope="col">Open deals</th>
            <th scope="col">Value</th>
            <th scope="col">Weighted</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.name}>
              <td>{row.name}</td>
              <td>{row.count}</td>
              <td>{money(row.value, currency)}</td>
              <td>{money(row.weighted, currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
