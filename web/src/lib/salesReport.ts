// The sales dashboard's figures, shaped from the sales report (GET /api/v1/reports/sales) for tables and
// charts: the range in the address bar, rates as percentages, money per currency (never added across
// currencies), owners by name. Kept apart from React so each rule is tested alone.
import type { Schemas } from "../api/types";

export type SalesReport = Schemas["SalesReport"];
type CurrencyValue = Schemas["CurrencyValue"];
type MoneyTotal = Schemas["MoneyTotal"];

/** The ranges offered as one click, in days ending today (UTC). */
export const RANGE_PRESETS = [7, 30, 90, 365] as const;
/** The API's longest range, both ends included. */
export const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

export interface DashboardRange {
  from: string;
  to: string;
  /** The preset this range is, or null for dates picked by hand. */
  preset: number | null;
}

export const isoDay = (date: Date) => date.toISOString().slice(0, 10);

function validDay(text: string | null): string | null {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const parsed = new Date(`${text}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) || isoDay(parsed) !== text ? null : text;
}

/** Days from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

/** The preset's range ending today. */
export function presetRange(days: number, now: Date): DashboardRange {
  return { from: isoDay(new Date(now.getTime() - (days - 1) * DAY_MS)), to: isoDay(now), preset: days };
}

/**
 * The range the address bar asks for: `?days=` a preset, or `?from=&to=` dates (to defaults to today);
 * anything unreadable, reversed or longer than the API allows falls back to the last 30 days.
 */
export function rangeFrom(params: URLSearchParams, now: Date, maxDays: number = MAX_RANGE_DAYS): DashboardRange {
  const from = validDay(params.get("from"));
  if (from) {
    const to = validDay(params.get("to")) ?? isoDay(now);
    const length = daysBetween(from, to);
    if (length >= 1 && length <= maxDays) return { from, to, preset: null };
  }
  const days = Number(params.get("days"));
  return presetRange((RANGE_PRESETS as readonly number[]).includes(days) ? days : 30, now);
}

/** The address bar for a range (and the pipeline, kept as it was). */
export function rangeToParams(params: URLSearchParams, range: { from: string; to: string } | { days: number }): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const key of ["days", "from", "to"]) next.delete(key);
  if ("days" in range) {
    if (range.days !== 30) next.set("days", String(range.days));
  } else {
    next.set("from", range.from);
    next.set("to", range.to);
  }
  return next;
}

/** "42%" (a rate of 0.4167), or "—" when there is nothing to rate. */
export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? "—" : `${Math.round(rate * 1000) / 10}%`;
}

/** "12.5 days", "1 day", "under a day" (won the day it was opened), or "—" without won deals. */
export function cycleDays(days: number | null | undefined): string {
  if (days === null || days === undefined) return "—";
  if (days < 0.95) return "under a day";
  const rounded = Math.round(days * 10) / 10;
  return `${rounded} ${rounded === 1 ? "day" : "days"}`;
}

/** Per currency, the sum of the values over the days, biggest first. */
export function sumPerCurrency(days: readonly { won_value: readonly CurrencyValue[] }[]): CurrencyValue[] {
  const sums = new Map<string, number>();
  for (const day of days) for (const { currency, value } of day.won_value) sums.set(currency, (sums.get(currency) ?? 0) + value);
  return [...sums].map(([currency, value]) => ({ currency, value })).sort((a, b) => b.value - a.value || a.currency.localeCompare(b.currency));
}

/** The leads created and deals won and lost over the range, and the won value per currency. */
export function rangeTotals(report: SalesReport) {
  const created = report.leads.created_per_day.reduce((n, day) => n + day.count, 0);
  const converted = report.leads.conversion_by_source.reduce((n, row) => n + row.converted, 0);
  return { leadsCreated: created, leadsConverted: converted, won: report.deals.won, lost: report.deals.lost, wonValue: sumPerCurrency(report.deals.per_period) };
}

/** The currencies of the open pipeline, the one with the most value first. */
export function pipelineCurrencies(pipeline: SalesReport["pipeline"]): string[] {
  const value = new Map<string, number>();
  for (const stage of pipeline.by_stage) for (const total of stage.totals) value.set(total.currency, (value.get(total.currency) ?? 0) + total.value);
  return [...value].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([currency]) => currency);
}

/** One currency's value and weighted value of a row's totals (zeros when the row has none in it). */
export function inCurrency(totals: readonly MoneyTotal[], currency: string): { value: number; weighted: number } {
  const total = totals.find((candidate) => candidate.currency === currency);
  return { value: total?.value ?? 0, weighted: total?.weighted_value ?? 0 };
}

/** The open pipeline's totals per currency, over every stage. */
export function pipelineTotals(pipeline: SalesReport["pipeline"]): { count: number; totals: MoneyTotal[] } {
  const sums = new Map<string, MoneyTotal>();
  for (const stage of pipeline.by_stage) {
    for (const total of stage.totals) {
      const sum = sums.get(total.currency) ?? { currency: total.currency, value: 0, weighted_value: 0 };
      sums.set(total.currency, { ...sum, value: sum.value + total.value, weighted_value: sum.weighted_value + total.weighted_value });
    }
  }
  return {
    count: pipeline.by_stage.reduce((n, stage) => n + stage.count, 0),
    totals: pipelineCurrencies(pipeline).map((currency) => sums.get(currency)!),
  };
}

/** Lead counts per status in the workspace's order and words (statuses the set no longer has come last). */
export function statusRows(byStatus: readonly Schemas["StatusCount"][], statuses: readonly Schemas["LeadStatusView"][] | undefined) {
  const order = new Map((statuses ?? []).map((status, index) => [status.key, index]));
  return [...byStatus]
    .sort((a, b) => (order.get(a.status) ?? Infinity) - (order.get(b.status) ?? Infinity))
    .map((row) => ({ key: row.status, label: statuses?.find((status) => status.key === row.status)?.label ?? null, count: row.count }));
}

/** Rows per owner, named, the biggest first and nobody's last; `name` gets the owner's id (null: nobody). */
export function byOwnerName<T extends { owner_id?: string | null }>(rows: readonly T[], name: (id: string) => string, size: (row: T) => number): (T & { owner: string })[] {
  return rows
    .map((row) => ({ ...row, owner: row.owner_id ? name(row.owner_id) : "Nobody" }))
    .sort((a, b) => Number(!a.owner_id) - Number(!b.owner_id) || size(b) - size(a) || a.owner.localeCompare(b.owner));
}

/** Seconds since the epoch at each day's UTC midnight, for the charts' x axis. */
export function dayStamps(days: readonly { day: string }[]): number[] {
  return days.map((day) => Date.parse(`${day.day}T00:00:00Z`) / 1000);
}

/** Whether the range saw any lead created or deal closed (an empty chart says so instead). */
export function anyActivity(report: SalesReport): { leads: boolean; deals: boolean } {
  return { leads: report.leads.created_per_day.some((day) => day.count > 0), deals: report.deals.per_period.some((day) => day.won + day.lost > 0) };
}
