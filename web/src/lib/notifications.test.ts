import { describe, expect, it, vi } from "vitest";
import { describeNotification, KIND_NAMES, notificationLink, notifyBrowser, type BrowserNotifications } from "./notifications";

const base = { actor_id: "u1", ticket_id: null, lead_id: null, deal_id: null, data: null, event_type: "ticket.assigned", id: "e1" } as const;
const nameOf = (id: string) => (id === "u1" ? "Ada" : "—");

describe("what a notification says", () => {
  it("names who did it and what, per kind", () => {
    expect(describeNotification({ ...base, kind: "ticket_assigned", ticket_id: "t1" }, nameOf)).toBe("Ada assigned you a ticket");
    expect(describeNotification({ ...base, kind: "mentioned", event_type: "chat.mentioned" }, nameOf)).toBe("Ada mentioned you in team chat");
    expect(describeNotification({ ...base, kind: "mentioned", event_type: "message.created" }, nameOf)).toBe("Ada mentioned you in a note");
    expect(describeNotification({ ...base, kind: "sla_breached", actor_id: null, data: { clock: "resolution" } }, nameOf)).toBe(
      "The resolution target of your ticket was missed",
    );
    expect(describeNotification({ ...base, kind: "lead_assigned", data: { name: "Grace" } }, nameOf)).toBe("Ada gave you the lead “Grace”");
    expect(describeNotification({ ...base, kind: "deal_stage_changed", data: { title: "Acme" } }, nameOf)).toBe("Ada moved your deal “Acme” to another stage");
    expect(Object.keys(KIND_NAMES)).toHaveLength(7);
  });

  it("leads to its record", () => {
    expect(notificationLink({ ...base, kind: "ticket_assigned", ticket_id: "t1" })).toBe("/tickets/t1");
    expect(notificationLink({ ...base, kind: "deal_stage_changed", deal_id: "d1" })).toBe("/sales/deals/d1");
    expect(notificationLink({ ...base, kind: "lead_assigned", lead_id: "l1" })).toBe("/sales/leads/l1");
    expect(notificationLink({ ...base, kind: "mentioned", data: { channel_id: "c1" } })).toBe("/chat/c1");
  });
});

describe("browser notifications", () => {
  const env = (hidden: boolean, permission: NotificationPermission): BrowserNotifications & { shown: { onclick: unknown }[] } => {
    const shown: { onclick: unknown }[] = [];
    return {
      shown,
      hidden: () => hidden,
      permission: () => permission,
      show: () => {
        const one = { onclick: null };
        shown.push(one);
        return one;
      },
      open: vi.fn(),
    };
  };
  const notification = { ...base, kind: "ticket_assigned" as const, ticket_id: "t1" };

  it("shows one only while the tab is hidden and once allowed, opening the record on click", () => {
    const hiddenAllowed = env(true, "granted");
    expect(notifyBrowser(notification, nameOf, hiddenAllowed)).toBe(true);
    (hiddenAllowed.shown[0].onclick as () => void)();
    expect(hiddenAllowed.open).toHaveBeenCalledWith("/tickets/t1");
    for (const other of [env(false, "granted"), env(true, "default"), env(true, "denied")]) {
      expect(notifyBrowser(notification, nameOf, other)).toBe(false);
      expect(other.shown).toHaveLength(0);
    }
  });
});
