import { describe, expect, it } from "vitest";
import { healthSignals, overall, parseExtras, percent, type Readings } from "./platformHealth";

const quiet: Readings = {
  window_minutes: 60,
  source: "local",
  read_at: "2026-12-07T12:00:00Z",
  dead_letter_queues: [
    { name: "webhook", depth: 0 },
    { name: "email", depth: 0 },
  ],
  api: { requests: 1000, server_errors: 0, throttled: 3, server_error_rate: 0, throttle_rate: 0.003 },
  webhooks: { delivered: 90, failed_attempts: 10, failure_rate: 0.1 },
  sla_scan: { runs: 60, failures: 0, lag_seconds: 30 },
  stream_iterator_age_ms: 250,
};

const stateOf = (readings: Readings, label: string) => healthSignals(readings).find((signal) => signal.label === label)?.state;

describe("the health overview", () => {
  it("shows a quiet system as all ok", () => {
    expect(overall(healthSignals(quiet))).toBe("ok");
    expect(healthSignals(quiet).map((signal) => signal.value)).toEqual(["0", "0", "10%", "30 s since last run", "0%", "0.3%", "250 ms"]);
  });

  it("calls for action on a dead letter, a stopped scan or a 5xx burst", () => {
    const dead = { ...quiet, dead_letter_queues: [{ name: "webhook", depth: 2 }] };
    expect(stateOf(dead, "Dead letters: webhook")).toBe("alert");
    expect(overall(healthSignals(dead))).toBe("alert");
    expect(stateOf({ ...quiet, sla_scan: { runs: 0, failures: 0, lag_seconds: null } }, "SLA scan")).toBe("alert");
    expect(stateOf({ ...quiet, sla_scan: { runs: 50, failures: 1, lag_seconds: 200 } }, "SLA scan")).toBe("alert");
    expect(stateOf({ ...quiet, sla_scan: { runs: 60, failures: 2, lag_seconds: 20 } }, "SLA scan")).toBe("warn");
    const errors = (rate: number) => ({ ...quiet, api: { ...quiet.api, server_error_rate: rate } });
    expect(stateOf(errors(0.005), "API 5xx")).toBe("warn");
    expect(stateOf(errors(0.02), "API 5xx")).toBe("alert");
  });

  it("grades webhook failures, throttling and a lagging stream", () => {
    const webhooks = (rate: number | null) => ({ ...quiet, webhooks: { delivered: 1, failed_attempts: 1, failure_rate: rate } });
    expect(stateOf(webhooks(0.3), "Webhook attempt failures")).toBe("warn");
    expect(stateOf(webhooks(0.6), "Webhook attempt failures")).toBe("alert");
    expect(stateOf(webhooks(null), "Webhook attempt failures")).toBe("ok");
    expect(stateOf({ ...quiet, api: { ...quiet.api, throttle_rate: 0.2 } }, "API throttled (429)")).toBe("warn");
    expect(stateOf({ ...quiet, stream_iterator_age_ms: 90_000 }, "Outbox stream iterator age")).toBe("warn");
    expect(stateOf({ ...quiet, stream_iterator_age_ms: 400_000 }, "Outbox stream iterator age")).toBe("alert");
    expect(healthSignals({ ...quiet, stream_iterator_age_ms: null }).at(-1)?.value).toBe("idle");
  });

  it("writes rates as people read them", () => {
    expect([percent(null), percent(0), percent(0.0004), percent(0.05), percent(0.25)]).toEqual(["no traffic", "0%", "<0.1%", "5.0%", "25%"]);
  });
});

describe("the extras form", () => {
  it("reads whole numbers, blanks as 0, and names every field that is not one", () => {
    expect(parseExtras({ seats: "2", tickets_per_month: "", storage_bytes: "0", webhooks: " 5 " })).toEqual({
      value: { seats: 2, tickets_per_month: 0, storage_bytes: 0, webhooks: 5 },
    });
    expect(parseExtras({ seats: "-1", tickets_per_month: "1.5", storage_bytes: "x", webhooks: "1" })).toEqual({
      errors: ["seats", "tickets_per_month", "storage_bytes"],
    });
  });
});
