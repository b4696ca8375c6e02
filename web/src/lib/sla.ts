// What an SLA clock says to a person, in one place: the ticket's SLA panel and the inbox rows read it.
import type { Schemas } from "../api/types";
import { duration } from "./format";

export type Clock = Schemas["SlaClockView"];

/** The colour a clock state is shown in (`sla-<tone>` in styles.css). */
export type SlaTone = "ok" | "risk" | "breached" | "paused";

export interface ClockWording {
  text: string;
  tone: SlaTone;
}

/** A lateness or wait to the second when it is short ("18 s"), as `duration` otherwise. */
export function preciseDuration(seconds: number): string {
  const abs = Math.abs(Math.round(seconds));
  return abs < 60 ? `${abs} s` : duration(abs);
}

/**
 * A clock's state in words. A met clock that ran out first is a breach, so "met" is read together with
 * "breached": a late first response reads "Met late, by 18 s" in the breach colour, never a green "Met".
 */
export function clockWording(clock: Clock): ClockWording {
  if (clock.met_at) {
    return clock.breached
      ? { text: `Met late, by ${preciseDuration(-clock.remaining_business_seconds)}`, tone: "breached" }
      : { text: "Met on time", tone: "ok" };
  }
  if (clock.breached) return { text: `Overdue by ${preciseDuration(-clock.remaining_business_seconds)}`, tone: "breached" };
  if (clock.paused) return { text: `Paused · ${duration(clock.remaining_business_seconds)} left`, tone: "paused" };
  if (!clock.running) return { text: "Stopped", tone: "paused" };
  const due = `due in ${duration(clock.remaining_business_seconds)}`;
  return clock.at_risk ? { text: `At risk · ${due}`, tone: "risk" } : { text: `Due in ${duration(clock.remaining_business_seconds)}`, tone: "ok" };
}

/** The SLA state an inbox row carries: its nearest open clock. */
export type RowSla = Schemas["SlaRow"];

/** An inbox row's SLA chip ("Overdue by 5 min", "At risk · due in 12 min", "Due in 3 h"), or none. */
export function rowSlaWording(sla: RowSla | null | undefined, now = Date.now()): ClockWording | null {
  if (!sla) return null;
  const left = sla.due_at ? (Date.parse(sla.due_at) - now) / 1000 : null;
  switch (sla.state) {
    case "breached":
      return { text: left !== null && left < 0 ? `Overdue by ${duration(-left)}` : "Overdue", tone: "breached" };
    case "at_risk":
      return { text: left !== null && left > 0 ? `At risk · due in ${duration(left)}` : "At risk", tone: "risk" };
    case "running":
      return left !== null ? { text: left > 0 ? `Due in ${duration(left)}` : "Due now", tone: "ok" } : null;
    case "paused":
      return { text: "SLA paused", tone: "paused" };
    case "met":
    case "none":
      return null;
  }
}
