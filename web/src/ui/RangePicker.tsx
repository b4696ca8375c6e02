// A report's range: presets ending today, or two days picked by hand (checked before they are asked for).
import { useState, type FormEvent } from "react";
import { MAX_RANGE_DAYS, RANGE_PRESETS, daysBetween, type DashboardRange } from "../lib/salesReport";

export function RangePicker({
  range,
  pick,
  maxDays = MAX_RANGE_DAYS,
}: {
  range: DashboardRange;
  pick: (range: { days: number } | { from: string; to: string }) => void;
  /** The longest range the report allows. */
  maxDays?: number;
}) {
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  const [shown, setShown] = useState(range);
  // A preset or the address bar changed the range: the date fields follow it.
  if (shown.from !== range.from || shown.to !== range.to) {
    setShown(range);
    setFrom(range.from);
    setTo(range.to);
  }
  const length = from && to ? daysBetween(from, to) : 0;
  const problem = !from || !to ? "Pick both days" : length < 1 ? "The first day must not be after the last" : length > maxDays ? `At most ${maxDays} days` : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!problem) pick({ from, to });
  };
  return (
    <form className="row range-picker" aria-label="Range" onSubmit={submit} noValidate>
      <div className="segmented" role="radiogroup" aria-label="Last days">
        {RANGE_PRESETS.map((days) => (
          <button key={days} type="button" role="radio" aria-checked={range.preset === days} className={range.preset === days ? "active" : ""} onClick={() => pick({ days })}>
            {days === 365 ? "1 year" : `${days} days`}
          </button>
        ))}
      </div>
      <label className="inline-label">
        From <input type="date" value={from} max={to || undefined} onChange={(event) => setFrom(event.target.value)} aria-invalid={problem ? true : undefined} aria-describedby={problem ? "range-problem" : undefined} />
      </label>
      <label className="inline-label">
        to <input type="date" value={to} min={from || undefined} onChange={(event) => setTo(event.target.value)} aria-invalid={problem ? true : undefined} aria-describedby={problem ? "range-problem" : undefined} />
      </label>
      <button type="submit" className="button small" disabled={Boolean(problem) || (from === range.from && to === range.to)}>
        Show
      </button>
      {problem && (
        <span id="range-problem" className="field-error small" role="alert">
          {problem}
        </span>
      )}
    </form>
  );
}

