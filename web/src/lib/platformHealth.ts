// The platform console's health overview: each reading as a signal a person can scan (ok, watch,
// act), with the thresholds in one place. The alarms in docs/operations.md fire on the same signs.
import type { Schemas } from "../api/types";

export type Readings = Schemas["HealthReadings"];
export type SignalState = "ok" | "warn" | "alert";
export interface Signal {
  label: string;
  value: string;
  state: SignalState;
  /** What the state means for the person reading it. */
  hint: string;
}

export function percent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return "no traffic";
  if (rate === 0) return "0%";
  if (rate < 0.001) return "<0.1%";
  return `${(rate * 100).toFixed(rate < 0.1 ? 1 : 0)}%`;
}

const worst = (...states: SignalState[]): SignalState => (states.includes("alert") ? "alert" : states.includes("warn") ? "warn" : "ok");

/** The SLA scan runs every minute: two missed runs mean it stopped. */
export const SLA_LAG_ALERT_SECS = 150;

export function healthSignals(readings: Readings): Signal[] {
  const signals: Signal[] = [];
  for (const queue of readings.dead_letter_queues) {
    signals.push({
      label: `Dead letters: ${queue.name}`,
      value: String(queue.depth),
      state: queue.depth > 0 ? "alert" : "ok",
      hint: queue.depth > 0 ? "Messages gave up: follow the dead-letter runbook." : "Empty.",
    });
  }
  const webhookRate = readings.webhooks.failure_rate ?? null;
  signals.push({
    label: "Webhook attempt failures",
    value: percent(webhookRate),
    state: webhookRate === null ? "ok" : webhookRate > 0.5 ? "alert" : webhookRate > 0.2 ? "warn" : "ok",
    hint: `${readings.webhooks.failed_attempts} failed of ${readings.webhooks.delivered + readings.webhooks.failed_attempts} attempts (receivers' failures are retried).`,
  });
  const lag = readings.sla_scan.lag_seconds ?? null;
  signals.push({
    label: "SLA scan",
    value: lag === null ? "no run" : `${lag} s since last run`,
    state: worst(lag === null || lag > SLA_LAG_ALERT_SECS ? "alert" : "ok", readings.sla_scan.failures > 0 ? "warn" : "ok"),
    hint: `${readings.sla_scan.runs} runs, ${readings.sla_scan.failures} failed in the window.`,
  });
  const errors = readings.api.server_error_rate ?? null;
  signals.push({
    label: "API 5xx",
    value: percent(errors),
    state: errors === null || errors === 0 ? "ok" : errors > 0.01 ? "alert" : "warn",
    hint: `${readings.api.server_errors} of ${readings.api.requests} requests. A 500 is a bug.`,
  });
  const throttled = readings.api.throttle_rate ?? null;
  signals.push({
    label: "API throttled (429)",
    value: percent(throttled),
    state: throttled !== null && throttled > 0.05 ? "warn" : "ok",
    hint: `${readings.api.throttled} of ${readings.api.requests} requests over a plan's rate.`,
  });
  const age = readings.stream_iterator_age_ms ?? null;
  signals.push({
    label: "Outbox stream iterator age",
    value: age === null ? "idle" : age < 1000 ? `${age} ms` : `${(age / 1000).toFixed(1)} s`,
    state: age === null ? "ok" : age > 300_000 ? "alert" : age > 60_000 ? "warn" : "ok",
    hint: "How far behind the table's changes the outbox consumer is.",
  });
  return signals;
}

/** The overall state: the worst signal's. */
export function overall(signals: Signal[]): SignalState {
  return worst(...signals.map((signal) => signal.state));
}

export type LimitExtras = Schemas["LimitExtrasRequest"];
export type ExtrasForm = Record<keyof LimitExtras, string>;

/** The extras form's text fields as the request, or the fields that are not whole numbers ≥ 0. */
export function parseExtras(form: ExtrasForm): { value: LimitExtras } | { errors: (keyof LimitExtras)[] } {
  const errors: (keyof LimitExtras)[] = [];
  const value = {} as LimitExtras;
  for (const key of Object.keys(form) as (keyof LimitExtras)[]) {
    const text = form[key].trim() === "" ? "0" : form[key].trim();
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) errors.push(key);
    else value[key] = Number(text);
  }
  return errors.length ? { errors } : { value };
}
