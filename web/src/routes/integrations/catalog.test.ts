import { describe, expect, it } from "vitest";
import { SLACK_EVENTS, WEBHOOK_EVENTS, keyScopesFor, toggle } from "./catalog";

describe("integration choices", () => {
  it("offers only key scopes the member's role holds, never member or key management", () => {
    const admin = ["tickets:read", "tickets:write", "users:read", "users:manage", "integrations:manage", "webhooks:manage", "billing:manage"];
    expect(keyScopesFor(admin)).toEqual(["tickets:read", "tickets:write", "users:read", "webhooks:manage"]);
    expect(keyScopesFor(["tickets:read"])).toEqual(["tickets:read"]);
    expect(keyScopesFor([])).toEqual([]);
  });

  it("lists each event once, Slack's among them only where Slack has them", () => {
    const types = WEBHOOK_EVENTS.map((e) => e.type);
    expect(new Set(types).size).toBe(types.length);
    expect(types).toContain("ticket.created");
    expect(types).not.toContain("ticket.urgent_created");
    expect(SLACK_EVENTS.map((e) => e.type)).toEqual(["ticket.urgent_created", "sla.breached", "ticket.assigned"]);
  });

  it("toggles a choice without duplicates", () => {
    expect(toggle(["a"], "b", true)).toEqual(["a", "b"]);
    expect(toggle(["a", "b"], "b", true)).toEqual(["a", "b"]);
    expect(toggle(["a", "b"], "a", false)).toEqual(["b"]);
  });
});
