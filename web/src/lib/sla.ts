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
