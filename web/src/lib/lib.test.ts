import { describe, expect, it } from "vitest";
import { listKey, isTyping } from "./keyboard";
import { bytes, duration, relativeTime } from "./format";
import { defaultConfig, mergeConfig } from "../config";
import { fromPolicy, toPolicy } from "../routes/settings/slaForm";

describe("list keyboard navigation", () => {
  it("moves with j/k within bounds and opens with Enter", () => {
    expect(listKey("j", -1, 3)).toEqual({ kind: "move", index: 0 });
    expect(listKey("j", 2, 3)).toEqual({ kind: "move", index: 2 });
    expect(listKey("k", 0, 3)).toEqual({ kind: "move", index: 0 });
    expect(listKey("k", 2, 3)).toEqual({ kind: "move", index: 1 });
    expect(listKey("Enter", 1, 3)).toEqual({ kind: "open", index: 1 });
    expect(listKey("Enter", -1, 3)).toEqual({ kind: "none" });
    expect(listKey("j", -1, 0)).toEqual({ kind: "none" });
    expect(listKey("x", 0, 3)).toEqual({ kind: "none" });
  });

  it("leaves keys alone while typing in a field", () => {
    expect(isTyping({ tagName: "TEXTAREA" } as unknown as EventTarget)).toBe(true);
    expect(isTyping({ tagName: "INPUT" } as unknown as EventTarget)).toBe(true);
    expect(isTyping({ tagName: "DIV", isContentEditable: false } as unknown as EventTarget)).toBe(false);
    expect(isTyping(null)).toBe(false);
  });
});

describe("formatting", () => {
  it("formats durations, sizes and times for people", () => {
    expect(duration(3 * 3600 + 5 * 60)).toBe("3 h 5 min");
    expect(duration(-90_000)).toBe("1 d 1 h");
    expect(duration(20)).toBe("under a minute");
    expect(bytes(512)).toBe("512 B");
    expect(bytes(2.5 * 1024 * 1024)).toBe("2.5 MB");
    expect(relativeTime(new Date(1_000_000 - 10 * 60_000).toISOString(), 1_000_000)).toBe("10 min ago");
  });
});

describe("runtime config", () => {
  it("defaults to this origin and takes the deployed URLs when given", () => {
    const local = defaultConfig({ protocol: "http:", host: "127.0.0.1:3000" });
    expect(local).toEqual({ apiUrl: "", wsUrl: "ws://127.0.0.1:3000/ws" });
    expect(defaultConfig({ protocol: "https:", host: "app.example.com" }).wsUrl).toBe("wss://app.example.com/ws");
    expect(mergeConfig(local, { api_url: "https://api.example.com/prod/", ws_url: "wss://ws.example.com/prod" })).toEqual({
      apiUrl: "https://api.example.com/prod",
      wsUrl: "wss://ws.example.com/prod",
    });
    expect(mergeConfig(local, "nonsense")).toEqual(local);
    expect(mergeConfig(local, { api_url: "" })).toEqual(local);
  });

  it("names the event bus only when the deployment does", () => {
    const local = defaultConfig({ protocol: "http:", host: "127.0.0.1:3000" });
    expect(mergeConfig(local, { event_bus: "switchboard-prod" }).eventBus).toBe("switchboard-prod");
    expect("eventBus" in mergeConfig(local, { ws_url: "ws://x/ws" })).toBe(false);
  });
});

describe("SLA policy form", () => {
  it("round-trips a policy, keeping the parts it does not edit", () => {
    const policy = {
      time_zone: "Europe/Paris",
      business_hours: { monday: [["09:00", "12:00"], ["13:00", "17:00"]], tuesday: [["09:00", "17:00"]], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [] },
      holidays: ["2026-12-25"],
      targets: { urgent: { first_response_minutes: 30, resolution_minutes: 240 } },
      overrides: [{ category: "Billing", targets: { urgent: { first_response_minutes: 15 } } }],
      at_risk_share: 0.5,
    };
    const form = fromPolicy(policy);
    expect(form.hours.monday).toBe("09:00-12:00, 13:00-17:00");
    expect(toPolicy(form)).toEqual(policy);
  });

  it("offers office hours and sensible targets before any policy exists", () => {
    const form = fromPolicy(null);
    expect(form.hours.monday).toBe("09:00-17:00");
    expect(form.hours.sunday).toBe("");
    expect(toPolicy(form).targets).toMatchObject({ urgent: { first_response_minutes: 30 } });
  });

  it("leaves business hours out when the team works around the clock", () => {
    const form = { ...fromPolicy(null), aroundTheClock: true };
    expect(toPolicy(form)).not.toHaveProperty("business_hours");
  });
});
