// What a notification says and where it leads (the centre, the bell and browser notifications read
// these), and the browser notification shown while the tab is hidden.
import type { Schemas } from "../api/types";

type Notification = Pick<Schemas["NotificationView"], "kind" | "actor_id" | "ticket_id" | "lead_id" | "deal_id" | "event_type"> & { data?: unknown };
type NameOf = (id: string) => string;

/** Each kind's name in the preferences screen, in the order shown. */
export const KIND_NAMES: Record<Schemas["NotificationKind"], string> = {
  ticket_assigned: "A ticket is assigned to me",
  customer_replied: "A customer replies on my ticket",
  mentioned: "Someone mentions me in a note or chat",
  sla_at_risk: "An SLA clock of my ticket is at risk",
  sla_breached: "An SLA clock of my ticket is breached",
  lead_assigned: "A lead is given to me",
  deal_stage_changed: "A deal I own moves stage",
};

const field = (data: unknown, name: string): string | undefined => {
  const value = data && typeof data === "object" ? (data as Record<string, unknown>)[name] : undefined;
  return typeof value === "string" ? value : undefined;
};

const clock = (data: unknown) => (field(data, "clock") === "resolution" ? "resolution" : "first response");

/** One line saying what happened, naming who did it. */
export function describeNotification(notification: Notification, nameOf: NameOf): string {
  const who = notification.actor_id ? nameOf(notification.actor_id) : "Someone";
  switch (notification.kind) {
    case "ticket_assigned":
      return `${who} assigned you a ticket`;
    case "customer_replied":
      return "The customer replied on your ticket";
    case "mentioned":
      return notification.event_type === "chat.mentioned" ? `${who} mentioned you in team chat` : `${who} mentioned you in a note`;
    case "sla_at_risk":
      return `The ${clock(notification.data)} target of your ticket is at risk`;
    case "sla_breached":
      return `The ${clock(notification.data)} target of your ticket was missed`;
    case "lead_assigned": {
      const name = field(notification.data, "name");
      return `${who} gave you the lead ${name ? `“${name}”` : ""}`.trim();
    }
    case "deal_stage_changed": {
      const title = field(notification.data, "title");
      return `${who} moved your deal${title ? ` “${title}”` : ""} to another stage`;
    }
  }
}

/** Where the notification's record is in the app. */
export function notificationLink(notification: Notification): string {
  if (notification.ticket_id) return `/tickets/${notification.ticket_id}`;
  if (notification.deal_id) return `/sales/deals/${notification.deal_id}`;
  if (notification.lead_id) return `/sales/leads/${notification.lead_id}`;
  const channel = field(notification.data, "channel_id");
  return channel ? `/chat/${channel}` : "/notifications";
}

/** The parts of the browser a notification needs (faked in tests). */
export interface BrowserNotifications {
  hidden: () => boolean;
  permission: () => NotificationPermission | "unsupported";
  show: (title: string, options: { body: string; tag: string }) => { onclick: unknown } | void;
  open: (path: string) => void;
}

/** The real browser, where it has notifications. */
export const browser: BrowserNotifications = {
  hidden: () => typeof document !== "undefined" && document.visibilityState === "hidden",
  permission: () => (typeof window !== "undefined" && "Notification" in window ? window.Notification.permission : "unsupported"),
  show: (title, options) => new window.Notification(title, options),
  open: (path) => {
    window.focus();
    window.location.assign(path);
  },
};

/** Shows a browser notification for a new one, only while the tab is hidden and once allowed. Returns whether it did. */
export function notifyBrowser(notification: Notification & { id: string }, nameOf: NameOf, env: BrowserNotifications = browser): boolean {
  if (!env.hidden() || env.permission() !== "granted") return false;
  const shown = env.show("Switchboard", { body: describeNotification(notification, nameOf), tag: notification.id });
  if (shown) shown.onclick = () => env.open(notificationLink(notification));

  return true;
}
