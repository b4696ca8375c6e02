// Between the SLA policy's JSON and the editing form (kept pure for tests).
export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
const PRIORITIES = ["low", "normal", "high", "urgent"] as const;

export interface PolicyForm {
  timeZone: string;
  aroundTheClock: boolean;
  hours: Record<(typeof WEEKDAYS)[number], string>;
  holidays: string;
  targets: Record<(typeof PRIORITIES)[number], { first: string; resolution: string }>;
  /** Parts the form does not edit (overrides, pause statuses, at-risk share) are kept as they were. */
  rest: Record<string, unknown>;
}

export function fromPolicy(policy: Record<string, unknown> | null): PolicyForm {
  const p = policy ?? {};
  const hours = (p.business_hours ?? null) as Record<string, [string, string][]> | null;
  const targets = (p.targets ?? {}) as Record<string, { first_response_minutes?: number; resolution_minutes?: number }>;
  const { time_zone, business_hours, holidays, targets: _t, ...rest } = p;
  void business_hours;
  void _t;
  return {
    timeZone: typeof time_zone === "string" ? time_zone : Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    aroundTheClock: policy !== null && !hours,
    hours: Object.fromEntries(
      WEEKDAYS.map((day) => [
        day,
        policy === null
          ? day === "saturday" || day === "sunday"
            ? ""
            : "09:00-17:00"
          : (hours?.[day] ?? []).map(([start, end]) => `${start}-${end}`).join(", "),
      ]),
    ) as PolicyForm["hours"],
    holidays: Array.isArray(holidays) ? holidays.join(", ") : "",
    targets: Object.fromEntries(
      PRIORITIES.map((priority) => [
        priority,
        {
          first: targets[priority]?.first_response_minutes?.toString() ?? (policy === null ? { low: "1440", normal: "480", high: "120", urgent: "30" }[priority] : ""),
          resolution: targets[priority]?.resolution_minutes?.toString() ?? (policy === null ? { low: "7200", normal: "2880", high: "960", urgent: "240" }[priority] : ""),
        },
      ]),
    ) as PolicyForm["targets"],
    rest,
  };
}

export function toPolicy(form: PolicyForm): Record<string, unknown> {
  const policy: Record<string, unknown> = { ...form.rest, time_zone: form.timeZone.trim() };
  if (!form.aroundTheClock) {
    policy.business_hours = Object.fromEntries(
      WEEKDAYS.map((day) => [
        day,
        form.hours[day]
          .split(",")
          .map((shift) => shift.trim())
          .filter(Boolean)
          .map((shift) => shift.split("-").map((time) => time.trim())),
      ]),
    );
  }
  const holidays = form.holidays.split(",").map((d) => d.trim()).filter(Boolean);
  if (holidays.length) policy.holidays = holidays;
  const targets: Record<string, Record<string, number>> = {};
  for (const priority of PRIORITIES) {
    const { first, resolution } = form.targets[priority];
    const target: Record<string, number> = {};
    if (first.trim()) target.first_response_minutes = Number(first);
    if (resolution.trim()) target.resolution_minutes = Number(resolution);
    if (Object.keys(target).length) targets[priority] = target;
  }
  policy.targets = targets;
  return policy;
}
