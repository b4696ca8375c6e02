import { describe, expect, it } from "vitest";
import { deliveryLabel, deliveryTitle } from "./DeliveryBadge";

describe("a reply's delivery badge", () => {
  it("names the state and says why a bounce did not arrive", () => {
    const bounced = { state: "bounced" as const, reason: "Permanent bounce (General) for ada@example.com: 550", recipients: ["ada@example.com"], updated_at: "2026-12-07T09:00:00Z" };
    expect(deliveryLabel(bounced)).toBe("Bounced");
    expect(deliveryTitle(bounced)).toBe("E-mail to ada@example.com: Permanent bounce (General) for ada@example.com: 550");
    expect(deliveryLabel({ ...bounced, state: "complained", reason: null })).toBe("Marked as spam");
    expect(deliveryTitle({ ...bounced, state: "delivered", reason: null })).toBe("E-mail to ada@example.com");
  });
});
