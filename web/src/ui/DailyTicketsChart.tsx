// Tickets created (bars) and solved (a line) per UTC day, drawn with uPlot, with the same numbers as a
// table for screen readers. The reports screen and the platform console's workspace page use it.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Schemas } from "../api/types";

type Day = Schemas["DayStats"];

export function DailyTicketsChart({ days }: { days: Day[] }) {
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
