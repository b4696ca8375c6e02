// Formatting for dates, durations, sizes and labels.

export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  const abs = Math.abs(seconds);
  const suffix = seconds >= 0 ? "ago" : "from now";
  if (abs < 45) return seconds >= 0 ? "just now" : "in a moment";
  if (abs < 3600) return `${Math.round(abs / 60)} min ${suffix}`;
  if (abs < 86_400) return `${Math.round(abs / 3600)} h ${suffix}`;
  if (abs < 86_400 * 30) return `${Math.round(abs / 86_400)} d ${suffix}`;
  return new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** Business seconds as "2 h 5 min" (sign dropped; callers say "overdue"). */
export function duration(seconds: number): string {
  const abs = Math.abs(Math.round(seconds));
  const days = Math.floor(abs / 86_400);
  const hours = Math.floor((abs % 86_400) / 3600);
  const minutes = Math.floor((abs % 3600) / 60);
  if (days > 0) return hours ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  if (minutes > 0) return `${minutes} min`;
  return "under a minute";
}

export function bytes(size: number): string {
  if (size < 1024) return `${size} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = size / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export const STATUSES = ["new", "open", "pending", "on_hold", "solved", "closed"] as const;
export const PRIORITIES = ["low", "normal", "high", "urgent"] as const;

export function label(value: string): string {
  const text = value.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? "?") + (parts.length > 1 ? parts[parts.length - 1][0] : "")).toUpperCase();
}

/** Fields every change carries that say nothing to a person. */
const BOOKKEEPING = new Set(["id", "version", "created_at", "updated_at", "customer_id", "ticket_id", "workspace_id"]);

/** A short, readable description of a timeline event: only the fields that changed. */
export function describeEvent(event: { type: string; before?: unknown; after?: unknown }, memberName?: (id: string) => string): string {
  const after = (event.after ?? {}) as Record<string, unknown>;
  const before = (event.before ?? {}) as Record<string, unknown>;
  const changes = Object.keys(after)
    .filter((key) => !BOOKKEEPING.has(key) && JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    .map((key) => {
      const from = before[key];
      const to = after[key];
      const show = (value: unknown) =>
        value === null || value === undefined
          ? "none"
          : Array.isArray(value)
            ? value.join(", ") || "none"
            : key === "assignee_id" && memberName
              ? memberName(String(value))
              : label(String(value));
      const name = label(key.replace(/_id$/, ""));
      return from === undefined ? `${name}: ${show(to)}` : `${name}: ${show(from)} → ${show(to)}`;
    });
  switch (event.type) {
    case "ticket.created":
      return "Ticket created";
    case "message.created":
      return after.internal ? "Internal note added" : after.author === "customer" ? "Customer wrote" : "Reply sent";
    case "ticket.assigned": {
      const handoff = after.handoff as { context?: string; next_step?: string } | undefined;
      const to = after.assignee_id ? (memberName ? memberName(String(after.assignee_id)) : "a teammate") : "nobody";
      return handoff ? `Assigned to ${to}, with a handoff note` : `Assigned to ${to}`;
    }
    case "attachment.added":
      return `File attached${after.filename ? `: ${String(after.filename)}` : ""}`;
    case "ticket.updated":
      return changes.length ? changes.join("; ") : "Ticket updated";
    case "customer.created":
      return "Customer added";
    case "customer.updated":
      return changes.length ? `Profile: ${changes.join("; ")}` : "Profile updated";
    default:
      return changes.length ? `${label(event.type.replace(/\./g, " "))} — ${changes.join("; ")}` : label(event.type.replace(/\./g, " "));
  }
}
