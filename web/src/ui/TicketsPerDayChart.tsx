// Tickets created (bars), solved (a line) and, where known, the backlog (a dashed line) per report day,
// drawn with uPlot, with the same numbers as a table for screen readers. The support reports and the
// platform console's workspace page both draw their days with it.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export type TicketDay = { date: string; created: number; solved: number; backlog?: number };

const HEIGHT = 260;

export function TicketsPerDayChart({ days, timeZone }: { days: TicketDay[]; timeZone: string }) {
  const holder = useRef<HTMLDivElement>(null);
  const withBacklog = days.some((day) => day.backlog !== undefined);
  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const x = days.map((day) => Date.parse(`${day.date}T00:00:00Z`) / 1000);
    const bars = uPlot.paths.bars!({ size: [0.4, 40], align: 0 });
    const series: uPlot.Series[] = [
      {},
      { label: "Created", stroke: "#4f46e5", fill: "rgba(79,70,229,0.75)", paths: bars, points: { show: false } },
      { label: "Solved", stroke: "#0f766e", width: 2, points: { show: true, size: 5 } },
    ];
    const data: uPlot.AlignedData = [x, days.map((day) => day.created), days.map((day) => day.solved)];
    if (withBacklog) {
      series.push({ label: "Backlog", stroke: "#b45309", width: 2, dash: [6, 4], points: { show: false } });
      data.push(days.map((day) => day.backlog ?? null));
    }
    const plot = new uPlot(
      {
        width: element.clientWidth || 700,
        height: HEIGHT,
        // Report days are dates in the report time zone: shown as such, not shifted to the browser's.
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
        // Half a day of room each side so the first and last bars are whole.
        scales: { x: { time: true, range: (_u, min, max) => [min - 43_200, max + 43_200] }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] } },
        axes: [{ stroke: "#475569", grid: { show: false } }, { stroke: "#475569", grid: { stroke: "#e2e8f0" } }],
        series,
      },
      data,
      element,
    );
    const resize = () => plot.setSize({ width: element.clientWidth, height: HEIGHT });
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      plot.destroy();
    };
  }, [days, withBacklog]);
  const label = withBacklog
    ? `Tickets created per day as bars, solved and the backlog as lines (days in ${timeZone})`
    : `Tickets created per day as bars, with tickets solved as a line (days in ${timeZone})`;
  return (
    <>
      <div ref={holder} className="chart" role="img" aria-label={label} />
      <div className="sr-only">
        <table>
          <caption>Tickets per day</caption>
          <thead>
            <tr>
              <th>Day</th>
              <th>Created</th>
              <th>Solved</th>
              {withBacklog && <th>Backlog</th>}
            </tr>
          </thead>
          <tbody>
            {days.map((day) => (
              <tr key={day.date}>
                <td>{day.date}</td>
                <td>{day.created}</td>
                <td>{day.solved}</td>
                {withBacklog && <td>{day.backlog}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
