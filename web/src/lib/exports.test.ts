import { describe, expect, it } from "vitest";
import { exportFilters, exportPhase, isSettled } from "./exports";

const job = (change: Partial<Parameters<typeof exportPhase>[0]> = {}) => ({
  status: "queued",
  rows: 0,
  error: null,
  filename: "tickets-2026-12-07-1510.csv",
  download: null,
  ...change,
});

describe("export filters", () => {
  it("sends only the filters that are set", () => {
    expect(exportFilters({ status: "open", priority: "", tag: null, category: undefined, assignee: " " })).toEqual({ status: "open" });
  });
});

describe("export state", () => {
  it("asks again only while the worker is busy", () => {
    expect(isSettled(undefined)).toBe(false);
    expect(isSettled({ status: "queued" })).toBe(false);
    expect(isSettled({ status: "running" })).toBe(false);
    for (const status of ["ready", "failed", "expired"]) expect(isSettled({ status })).toBe(true);
  });

  it("offers the link once ready, with the rows written", () => {
    const ready = exportPhase(
      job({ status: "ready", rows: 1204, download: { method: "GET", url: "https://files.example/x", headers: {}, expires_at: "2026-12-07T15:30:00Z" } }),
    );
    expect(ready).toMatchObject({ phase: "ready", url: "https://files.example/x", filename: "tickets-2026-12-07-1510.csv" });
    expect(ready.message).toContain("rows");
  });

  it("counts rows while writing and says why it failed", () => {
    expect(exportPhase(job({ status: "running", rows: 300 })).message).toMatch(/300 rows so far/);
    expect(exportPhase(job({ status: "failed", error: "Your role no longer lets you read what this export holds." }))).toEqual({
      phase: "failed",
      message: "Your role no longer lets you read what this export holds.",
    });
  });

  it("treats a file that is gone as expired, with or without its status saying so", () => {
    expect(exportPhase(job({ status: "expired" })).phase).toBe("expired");
    expect(exportPhase(job({ status: "ready", download: null })).phase).toBe("expired");
  });
});
