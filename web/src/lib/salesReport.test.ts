import { describe, expect, it } from "vitest";
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
  sumPerCurrency,
  type SalesReport,
} from "./salesReport";

const NOW = new Date("2026-12-06T22:00:00Z");

function report(change: Partial<{ leads: Partial<SalesReport["leads"]>; pipeline: Partial<SalesReport["pipeline"]>; deals: Partial<SalesReport["deals"]> }> = {}): SalesReport {
  return {
    from: "2026-12-05",
    to: "2026-12-06",
    time_zone: "UTC",
    activities: { logged: 0, done: 0, by_kind: [], by_rep: [] },
    leads: {
      by_status: [],
      by_source: [],
      by_owner: [],
      created_per_day: [
        { day: "2026-12-05", count: 0 },
        { day: "2026-12-06", count: 0 },
      ],
      conversion_by_source: [],
      conversion_by_owner: [],
      ...change.leads,
    },
    pipeline: { pipeline_id: "p", by_stage: [], by_owner: [], ...change.pipeline },
    deals: {
      per_period: [
        { day: "2026-12-05", won: 0, lost: 0, won_value: [] },
        { day: "2026-12-06", won: 0, lost: 0, won_value: [] },
      ],
      won: 0,
      lost: 0,
      average_won_value: [],
      by_owner: [],
      ...change.deals,
    },
  };
}

describe("the dashboard's range", () => {
  it("is the last 30 days (UTC, today included) unless the address bar says otherwise", () => {
    expect(rangeFrom(new URLSearchParams(), NOW)).toEqual({ from: "2026-11-07", to: "2026-12-06", preset: 30 });
    expect(rangeFrom(new URLSearchParams("days=7"), NOW)).toEqual({ from: "2026-11-30", to: "2026-12-06", preset: 7 });
    expect(rangeFrom(new URLSearchParams("days=365"), NOW).from).toBe("2025-12-07");
  });

  it("takes dates picked by hand, the last day defaulting to today", () => {
    expect(rangeFrom(new URLSearchParams("from=2026-10-01&to=2026-10-31"), NOW)).toEqual({ from: "2026-10-01", to: "2026-10-31", preset: null });
    expect(rangeFrom(new URLSearchParams("from=2026-12-01"), NOW)).toEqual({ from: "2026-12-01", to: "2026-12-06", preset: null });
    expect(rangeFrom(new URLSearchParams("from=2026-12-06&to=2026-12-06"), NOW).preset).toBeNull();
  });

  it("falls back to 30 days for what the API would refuse: bad dates, reversed or longer than 366 days, unknown presets", () => {
    for (const query of ["from=2026-02-30", "from=yesterday", "from=2026-12-07&to=2026-12-01", "from=2024-01-01&to=2026-12-01", "days=12"]) {
      expect(rangeFrom(new URLSearchParams(query), NOW), query).toEqual({ from: "2026-11-07", to: "2026-12-06", preset: 30 });
    }
    expect(rangeFrom(new URLSearchParams("from=2025-12-06&to=2026-12-06"), NOW).preset).toBeNull();
  });

  it("goes back into the address bar, keeping the pipeline; 30 days is the bare address", () => {
    const params = new URLSearchParams("pipeline=p1&from=2026-10-01&to=2026-10-31");
    expect(rangeToParams(params, { days: 7 }).toString()).toBe("pipeline=p1&days=7");
    expect(rangeToParams(params, { days: 30 }).toString()).toBe("pipeline=p1");
    expect(rangeToParams(new URLSearchParams("days=7"), { from: "2026-11-01", to: "2026-11-02" }).toString()).toBe("from=2026-11-01&to=2026-11-02");
  });
});

describe("the dashboard's figures", () => {
  it("shows rates as percentages to a tenth, and a dash without anything to rate", () => {
    expect(percent(0.4167)).toBe("41.7%");
    expect(percent(1)).toBe("100%");
    expect(percent(0)).toBe("0%");
    expect(percent(null)).toBe("—");
    expect(percent(undefined)).toBe("—");
  });

  it("shows the sales cycle in days", () => {
    expect(cycleDays(12.46)).toBe("12.5 days");
    expect(cycleDays(1)).toBe("1 day");
    expect(cycleDays(0.04)).toBe("under a day");
    expect(cycleDays(0.96)).toBe("1 day");
    expect(cycleDays(null)).toBe("—");
  });

  it("adds won value per currency over the days, never across currencies", () => {
    const days = [
      { won_value: [{ currency: "EUR", value: 1000 }, { currency: "JPY", value: 500 }] },
      { won_value: [] },
      { won_value: [{ currency: "EUR", value: 250 }] },
    ];
    expect(sumPerCurrency(days)).toEqual([
      { currency: "EUR", value: 1250 },
      { currency: "JPY", value: 500 },
    ]);
  });

  it("sums the range: leads created and converted, deals won and lost, won value", () => {
    const r = report({
      leads: {
        created_per_day: [
          { day: "2026-12-05", count: 3 },
          { day: "2026-12-06", count: 2 },
        ],
        conversion_by_source: [
          { source: "web_form", created: 4, converted: 1, rate: 0.25 },
          { source: "referral", created: 1, converted: 1, rate: 1 },
        ],
      },
      deals: {
        won: 2,
        lost: 1,
        per_period: [
          { day: "2026-12-05", won: 1, lost: 1, won_value: [{ currency: "EUR", value: 125000 }] },
          { day: "2026-12-06", won: 1, lost: 0, won_value: [{ currency: "EUR", value: 5000 }] },
        ],
      },
    });
    expect(rangeTotals(r)).toEqual({ leadsCreated: 5, leadsConverted: 2, won: 2, lost: 1, wonValue: [{ currency: "EUR", value: 130000 }] });
    expect(anyActivity(r)).toEqual({ leads: true, deals: true });
    expect(anyActivity(report())).toEqual({ leads: false, deals: false });
  });

  it("totals the open pipeline per currency, the currency with most value first", () => {
    const pipeline = {
      pipeline_id: "p",
      by_owner: [],
      by_stage: [
        { stage_id: "s1", name: "Qualified", count: 2, totals: [{ currency: "USD", value: 1000, weighted_value: 100 }, { currency: "EUR", value: 300, weighted_value: 30 }] },
        { stage_id: "s2", name: "Proposal", count: 0, totals: [] },
        { stage_id: "s3", name: "Won soon", count: 1, totals: [{ currency: "EUR", value: 5000, weighted_value: 4000 }] },
      ],
    };
    expect(pipelineCurrencies(pipeline)).toEqual(["EUR", "USD"]);
    expect(pipelineTotals(pipeline)).toEqual({
      count: 3,
      totals: [
        { currency: "EUR", value: 5300, weighted_value: 4030 },
        { currency: "USD", value: 1000, weighted_value: 100 },
      ],
    });
    expect(inCurrency(pipeline.by_stage[0].totals, "EUR")).toEqual({ value: 300, weighted: 30 });
    expect(inCurrency(pipeline.by_stage[1].totals, "EUR")).toEqual({ value: 0, weighted: 0 });
    expect(pipelineTotals({ pipeline_id: "p", by_owner: [], by_stage: [] })).toEqual({ count: 0, totals: [] });
  });

  it("lists lead statuses in the workspace's order and words; a status no longer in the set comes last", () => {
    const statuses = [
      { key: "new", label: "Fresh", meaning: "open" as const },
      { key: "won", label: "Customer", meaning: "converted" as const },
    ];
    const rows = statusRows(
      [
        { status: "retired", count: 1 },
        { status: "won", count: 4 },
        { status: "new", count: 2 },
      ],
      statuses,
    );
    expect(rows).toEqual([
      { key: "new", label: "Fresh", count: 2 },
      { key: "won", label: "Customer", count: 4 },
      { key: "retired", label: null, count: 1 },
    ]);
  });

  it("names owners, the biggest first and nobody last", () => {
    const names: Record<string, string> = { u1: "Ada", u2: "Brook" };
    const rows = byOwnerName(
      [
        { owner_id: null, count: 9 },
        { owner_id: "u1", count: 1 },
        { owner_id: "u2", count: 3 },
      ],
      (id) => names[id] ?? "—",
      (row) => row.count,
    );
    expect(rows.map((row) => [row.owner, row.count])).toEqual([
      ["Brook", 3],
      ["Ada", 1],
      ["Nobody", 9],
    ]);
  });

  it("puts each day at its UTC midnight on the charts' axis", () => {
    expect(dayStamps([{ day: "2026-12-05" }, { day: "2026-12-06" }])).toEqual([Date.UTC(2026, 11, 5) / 1000, Date.UTC(2026, 11, 6) / 1000]);
  });
});
