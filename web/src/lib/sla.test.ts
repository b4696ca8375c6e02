import { describe, expect, it } from "vitest";
import { clockWording, rowSlaWording, type Clock } from "./sla";

/** A first-response clock of 30 business minutes, 10 used, running; each test changes what it needs. */
const clock = (change: Partial<Clock>): Clock => ({
  at_risk: false,
  breached: false,
  elapsed_business_seconds: 600,
  paused: false,
  paused_seconds: 0,
  remaining_business_seconds: 1200,
  running: true,
  target_minutes: 30,
  due: "2026-12-03T10:30:00Z",
  ...change,
});

describe("the SLA panel's wording for each clock state", () => {
  it("a running clock says when it is due", () => {
    expect(clockWording(clock({}))).toEqual({ text: "Due in 20 min", tone: "ok" });
  });

  it("a clock close to its target says it is at risk, and when it is due", () => {
    expect(clockWording(clock({ at_risk: true, remaining_business_seconds: 240 }))).toEqual({ text: "At risk · due in 4 min", tone: "risk" });
  });

  it("a clock past its target says by how much it is overdue, in the breach colour", () => {
    expect(clockWording(clock({ breached: true, remaining_business_seconds: -3900 }))).toEqual({ text: "Overdue by 1 h 5 min", tone: "breached" });
  });

  it("a paused clock says it is paused and what is left", () => {
    expect(clockWording(clock({ paused: true, running: false, due: null }))).toEqual({ text: "Paused · 20 min left", tone: "paused" });
  });

  it("a clock met within its target reads met on time", () => {
    expect(clockWording(clock({ running: false, met_at: "2026-12-03T10:20:00Z" }))).toEqual({ text: "Met on time", tone: "ok" });
  });

  it("a first response sent after the target reads met late, by how much, in the breach colour", () => {
    const late = clock({ running: false, breached: true, remaining_business_seconds: -18, met_at: "2026-12-03T10:30:18Z" });
    expect(clockWording(late)).toEqual({ text: "Met late, by 18 s", tone: "breached" });
  });

  it("a clock that stopped without being met says so", () => {
    expect(clockWording(clock({ running: false }))).toEqual({ text: "Stopped", tone: "paused" });
  });
});

describe("the SLA state on an inbox row", () => {
  const now = Date.parse("2026-12-03T10:00:00Z");
  const at = (minutes: number) => new Date(now + minutes * 60_000).toISOString();

  it("a breached ticket says by how much it is overdue, in the breach colour", () => {
    expect(rowSlaWording({ state: "breached", due_at: at(-12) }, now)).toEqual({ text: "Overdue by 12 min", tone: "breached" });
  });

  it("a ticket at risk says so and when it is due", () => {
    expect(rowSlaWording({ state: "at_risk", due_at: at(12) }, now)).toEqual({ text: "At risk · due in 12 min", tone: "risk" });
  });

  it("a running clock says when it is due", () => {
    expect(rowSlaWording({ state: "running", due_at: at(180) }, now)).toEqual({ text: "Due in 3 h", tone: "ok" });
  });

  it("a paused clock says paused; a met clock or no clock shows nothing", () => {
    expect(rowSlaWording({ state: "paused", due_at: null }, now)).toEqual({ text: "SLA paused", tone: "paused" });
    expect(rowSlaWording({ state: "met", due_at: null }, now)).toBeNull();
    expect(rowSlaWording({ state: "none" }, now)).toBeNull();
    expect(rowSlaWording(null, now)).toBeNull();
  });
});
