// The dashboard's charts (uPlot, loaded only on this route): a bar series per day or per stage with a
// second series as a line. Each chart is an image with a name; its figures are in a table next to it
// (visible, or for screen readers only), so nothing is only in the picture.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

const HEIGHT = 240;
const BAR = { stroke: "#4f46e5", fill: "rgba(79,70,229,0.75)" };
const LINE = { stroke: "#b91c1c" };

interface Series {
  label: string;
  values: number[];
}

/** Draws the plot into the holder, redrawn when `deps` change and resized with the window. */
function usePlot(make: (element: HTMLDivElement) => uPlot, deps: unknown[]) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const plot = make(element);
    const resize = () => plot.setSize({ width: element.clientWidth, height: HEIGHT });
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      plot.destroy();
    };
    // The caller names what the chart depends on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return holder;
}

/** Per UTC day (x: seconds at midnight): the bars and, when given, a line. Counts, so whole ticks. */
export function DayChart({ label, x, bars, line }: { label: string; x: number[]; bars: Series; line?: Series }) {
  const holder = usePlot(
    (element) => {
      const paths = uPlot.paths.bars!({ size: [0.5, 40], align: 0 });
      return new uPlot(
        {
          width: element.clientWidth || 700,
          height: HEIGHT,
          tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
          // Half a day of room each side so the first and last bars are whole.
          scales: { x: { time: true, range: (_u, min, max) => [min - 43_200, max + 43_200] }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] } },
          axes: [{ stroke: "#475569", grid: { show: false } }, { stroke: "#475569", grid: { stroke: "#e2e8f0" }, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }],
          series: [
            {},
            { label: bars.label, ...BAR, paths, points: { show: false } },
            ...(line ? [{ label: line.label, ...LINE, width: 2, points: { show: true, size: 5 } }] : []),
          ],
        },
        [x, bars.values, ...(line ? [line.values] : [])],
        element,
      );
    },
    [x, bars, line],
  );
  return <div ref={holder} className="chart" role="img" aria-label={label} />;
}

/** Per stage (in board order): the value as bars and the weighted value as a line, in major units. */
export function StageChart({ label, names, value, weighted }: { label: string; names: string[]; value: Series; weighted: Series }) {
  const holder = usePlot(
    (element) =>
      new uPlot(
        {
          width: element.clientWidth || 700,
          height: HEIGHT,
          scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] } },
          axes: [
            { stroke: "#475569", grid: { show: false }, values: (_u, ticks) => ticks.map((tick) => names[tick] ?? ""), splits: () => names.map((_, index) => index) },
            { stroke: "#475569", grid: { stroke: "#e2e8f0" }, size: 70 },
          ],
          series: [
            {},
            { label: value.label, ...BAR, paths: uPlot.paths.bars!({ size: [0.5, 60] }), points: { show: false } },
            { label: weighted.label, stroke: "#0f766e", width: 2, points: { show: true, size: 6 } },
          ],
        },
        [names.map((_, index) => index), value.values, weighted.values],
        element,
      ),
    [names, value, weighted],
  );
  return <div ref={holder} className="chart" role="img" aria-label={label} />;
}
