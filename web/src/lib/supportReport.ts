// The support report's figures shaped for the reports screen: durations people read, the change from
// the period before, breakdown names and the agent leaderboard's order. Kept apart from React so each
// rule is tested alone.
import type { Schemas } from "../api/types";

export type SupportReport = Schemas["SupportReport"];
export type SupportFigures = Schemas["SupportFigures"];
export type AgentPerformance = Schemas["AgentPerformance"];
type DurationStats = Schemas["DurationStats"];

/** The longest support report range (13 months), both ends included. */
export const SUPPORT_MAX_DAYS = 397;

export const BREAKDOWNS = [
  { value: "", label: "No breakdown" },
  { value: "channel", label: "Channel" },
  { value: "category", label: "Category" },
  { value: "priority", label: "Priority" },
  { value: "agent", label: "Agent" },
] as const;

export const TIME_METRICS = [
  { key: "first_reply", label: "First reply time" },
  { key: "first_resolution", label: "First resolution time" },
  { key: "full_resolution", label: "Full resolution time" },
  { key: "requester_wait", label: "Requester wait time" },
  { key: "agent_wait", label: "Agent wait time" },
  { key: "on_hold", label: "On-hold time" },
] as const;

export type TimeMetricKey = (typeof TIME_METRICS)[number]["key"];

/** Seconds as people say them: "45 s", "12 min", "3 h 5 min", "2 d 4 h"; a dash for nothing measured. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "—";
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.round(whole / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** A share as a whole percentage; a dash when there is nothing to share. */
export function percent(share: number | null | undefined): string {
  return share === null || share === undefined ? "—" : `${Math.round(share * 100)}%`;
}

export interface Change {
  /** e.g. "+25%", "−10%", "new", or "" when there is nothing to compare. */
  text: string;
  /** Whether the change is for the better, given whether more is better. */
  better: boolean | null;
}

/** The change from `previous` to `current`, judged by whether a higher value is better. */
export function change(current: number | null | undefined, previous: number | null | undefined, higherIsBetter: boolean): Change {
  if (current === null || current === undefined || previous === null || previous === undefined) return { text: "", better: null };
  if (previous === 0) return current === 0 ? { text: "±0%", better: null } : { text: "new", better: null };
  const ratio = Math.round(((current - previous) / previous) * 100);
  if (ratio === 0) return { text: "±0%", better: null };
  return { text: `${ratio > 0 ? "+" : "−"}${Math.abs(ratio)}%`, better: ratio > 0 === higherIsBetter };
}

/** The clock a table shows: business time when the report has it, calendar time otherwise. */
export function statsOn(figures: SupportFigures, metric: TimeMetricKey, clock: "calendar" | "business"): DurationStats | null {
  const time = figures.times[metric];
  return clock === "business" ? (time.business ?? null) : time.calendar;
}

/** Whether any time metric of the report was measured in business time (there is an SLA policy). */
export function hasBusinessTime(report: SupportReport): boolean {
  return TIME_METRICS.some(({ key }) => report.totals.times[key].business !== null && report.totals.times[key].business !== undefined);
}

/** A breakdown value as shown: member names for agents, readable names for the rest. */
export function breakdownLabel(dimension: string, value: string, nameOf: (id: string) => string | undefined): string {
  if (value === "unassigned") return "Unassigned";
  if (value === "none") return "No category";
  if (dimension === "agent") return nameOf(value) ?? "Former member";
  return value.charAt(0).toUpperCase() + value.slice(1).replace(/_/g, " ");
}

export type LeaderboardColumn = "solved" | "replies" | "one_touch" | "first_reply" | "full_resolution" | "sla" | "online_seconds";

/** The SLA compliance of an agent over both clocks, or null without outcomes. */
export function agentCompliance(agent: AgentPerformance): number | null {
  const met = agent.sla_first_response.met + agent.sla_resolution.met;
  const all = met + agent.sla_first_response.breached + agent.sla_resolution.breached;
  return all === 0 ? null : met / all;
}

/** The leaderboard sorted best first by a column: more is better for counts and SLA, less for times;
 * agents without a figure go last, ties by name. */
export function sortLeaderboard(agents: AgentPerformance[], column: LeaderboardColumn): AgentPerformance[] {
  const value = (agent: AgentPerformance): number | null => {
    switch (column) {
      case "first_reply":
      case "full_resolution":
        return agent[column].calendar.median_seconds ?? null;
      case "sla":
        return agentCompliance(agent);
      default:
        return agent[column];
    }
  };
  const lowerIsBetter = column === "first_reply" || column === "full_resolution";
  return [...agents].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    if (x === null && y === null) return (a.name ?? "").localeCompare(b.name ?? "");
    if (x === null) return 1;
    if (y === null) return -1;
    if (x !== y) return lowerIsBetter ? x - y : y - x;
    return (a.name ?? "").localeCompare(b.name ?? "");
  });
}
