import { describe, expect, it } from "vitest";
import { standingNotice } from "./standing";

const now = Date.parse("2026-12-07T12:00:00Z");
const pastDue = { status: "past_due" as const, since: "2026-12-05T12:00:00Z", grace_until: "2026-12-10T11:00:00Z" };

describe("the past-due banner", () => {
  it("shows only while past due", () => {
    expect(standingNotice({ status: "active" }, true, now)).toBeNull();
    expect(standingNotice(undefined, true, now)).toBeNull();
  });

  it("counts the days of grace left and tells owners what to do", () => {
    expect(standingNotice(pastDue, true, now)).toEqual({
      text: "The last payment failed. Update the payment method or the workspace is suspended in 3 days.",
      actionable: true,
    });
    const member = standingNotice(pastDue, false, now);
    expect(member?.actionable).toBe(false);
    expect(member?.text).toContain("Ask an owner");
    expect(standingNotice(pastDue, true, Date.parse("2026-12-10T12:00:00Z"))?.text).toContain("suspended today");
  });
});
