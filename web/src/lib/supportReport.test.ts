import { describe, expect, it } from "vitest";
import { rangeFrom } from "./salesReport";
import {
  SUPPORT_MAX_DAYS,
  agentCompliance,
  breakdownLabel,
  change,
  formatDuration,
  percent,
  sortLeaderboard,
  type AgentPerformance,
} from "./supportReport";

const stats = (median: number | null) => ({ count: median === null ? 0 : 1, average_seconds: median, median_seconds: median, p90_seconds: median });
const time = (median: number | null) => ({ calendar: stats(median), business: null });

function agent(name: string, change: Partial<AgentPerformance> = {}): AgentPerformance {
  return {
    user_id: name,
    name,
    solved: 0,
    replies: 0,
    one_touch: 0,
    reopened: 0,
    first_reply: time(null),
    first_resolution: time(null),
    full_resolution: time(null),
    sla_first_response: { met: 0, breached: 0, compliance: null },
    sla_resolution: { met: 0, breached: 0, compliance: null },
    open_assigned: 0,
    online: false,
    online_seconds: 0,
    ...change,
  };
}

describe("durations", () => {
  it("reads as people say them", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(45.4)).toBe("45 s");
    expect(formatDuration(12 * 60 + 10)).toBe("12 min");
    expect(formatDuration(3 * 3600)).toBe("3 h");
    expect(formatDuration(3 * 3600 + 5 * 60)).toBe("3 h 5 min");
    expect(formatDuration(2 * 86_400 + 4 * 3600)).toBe("2 d 4 h");
    expect(percent(0.456)).toBe("46%");
    expect(percent(null)).toBe("—");
  });
});

describe("comparison with the period before", () => {
  it("says how much and whether it is better", () => {
    expect(change(12, 10, true)).toEqual({ text: "+20%", better: true });
    // Slower replies are worse.
    expect(change(12, 10, false)).toEqual({ text: "+20%", better: false });
    expect(change(9, 10, false)).toEqual({ text: "−10%", better: true });
    expect(change(5, 0, true)).toEqual({ text: "new", better: null });
    expect(change(0, 0, true)).toEqual({ text: "±0%", better: null });
    expect(change(null, 10, true)).toEqual({ text: "", better: null });
  });
});

describe("ranges", () => {
  it("allow thirteen months for the support report", () => {
    const now = new Date("2026-12-07T10:00:00Z");
    const long = new URLSearchParams("from=2025-11-06&to=2026-12-07");
    expect(rangeFrom(long, now, SUPPORT_MAX_DAYS)).toEqual({ from: "2025-11-06", to: "2026-12-07", preset: null });
    expect(rangeFrom(long, now).preset).toBe(30);
    expect(rangeFrom(new URLSearchParams("from=2025-01-01&to=2026-12-07"), now, SUPPORT_MAX_DAYS).preset).toBe(30);
  });
});

describe("breakdown values", () => {
  it("name agents and readable values", () => {
    const names = (id: string) => ({ u1: "Ada" })[id];
    expect(breakdownLabel("agent", "u1", names)).toBe("Ada");
    expect(breakdownLabel("agent", "u9", names)).toBe("Former member");
    expect(breakdownLabel("agent", "unassigned", names)).toBe("Unassigned");
    expect(breakdownLabel("category", "none", names)).toBe("No category");
    expect(breakdownLabel("channel", "web_form", names)).toBe("Web form");
  });
});

describe("the leaderboard", () => {
  const ada = agent("Ada", { solved: 5, first_reply: time(600), sla_first_response: { met: 3, breached: 1, compliance: 0.75 } });
  const bob = agent("Bob", { solved: 8, first_reply: time(1200) });
  const cy = agent("Cy", { solved: 5 });

  it("puts more solved first, ties by name", () => {
    expect(sortLeaderboard([cy, bob, ada], "solved").map((a) => a.name)).toEqual(["Bob", "Ada", "Cy"]);
  });

  it("puts faster replies first and agents without a figure last", () => {
    expect(sortLeaderboard([cy, bob, ada], "first_reply").map((a) => a.name)).toEqual(["Ada", "Bob", "Cy"]);
  });

  it("puts the most time online first", () => {
    const online = [agent("Ada", { online_seconds: 60 }), agent("Bob", { online_seconds: 7200 }), agent("Cy")];
    expect(sortLeaderboard(online, "online_seconds").map((a) => a.name)).toEqual(["Bob", "Ada", "Cy"]);
  });

  it("scores SLA over both clocks", () => {
    expect(agentCompliance(ada)).toBe(0.75);
    expect(agentCompliance(bob)).toBeNull();
    expect(sortLeaderboard([bob, ada], "sla").map((a) => a.name)).toEqual(["Ada", "Bob"]);
  });
});
