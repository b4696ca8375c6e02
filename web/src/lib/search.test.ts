import { describe, expect, it } from "vitest";
import { loadRecent, opensPalette, paletteKey, resultPath, saveRecent, withRecent } from "./search";

describe("search palette", () => {
  it("opens each kind of result on its page", () => {
    expect(resultPath("tickets", "t1")).toBe("/tickets/t1");
    expect(resultPath("customers", "c1")).toBe("/customers/c1");
    expect(resultPath("companies", "co")).toBe("/sales/companies/co");
    expect(resultPath("leads", "l1")).toBe("/sales/leads/l1");
    expect(resultPath("deals", "d1")).toBe("/sales/deals/d1");
  });

  it("moves through the results with the arrows, wrapping, and opens the selected one", () => {
    expect(paletteKey("ArrowDown", -1, 3)).toEqual({ kind: "move", index: 0 });
    expect(paletteKey("ArrowDown", 2, 3)).toEqual({ kind: "move", index: 0 });
    expect(paletteKey("ArrowUp", 0, 3)).toEqual({ kind: "move", index: 2 });
    expect(paletteKey("Enter", 1, 3)).toEqual({ kind: "open", index: 1 });
    expect(paletteKey("Enter", -1, 3)).toEqual({ kind: "none" });
    expect(paletteKey("ArrowDown", -1, 0)).toEqual({ kind: "none" });
    expect(paletteKey("Escape", 0, 3)).toEqual({ kind: "close" });
  });

  it("opens on Ctrl-K or Cmd-K anywhere and on / outside a field", () => {
    const key = (key: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
      key,
      ctrlKey: false,
      metaKey: false,
      altKey: false,
      ...mods,
    });
    expect(opensPalette(key("k", { ctrlKey: true }), true)).toBe(true);
    expect(opensPalette(key("K", { metaKey: true }), false)).toBe(true);
    expect(opensPalette(key("/"), false)).toBe(true);
    expect(opensPalette(key("/"), true)).toBe(false);
    expect(opensPalette(key("k"), false)).toBe(false);
  });

  it("keeps the five latest searches, newest first, without repeats", () => {
    let recent: string[] = [];
    for (const q of ["refund", "acme", "Refund ", "zoe", "invoice", "deal", "kettle"]) recent = withRecent(recent, q);
    expect(recent).toEqual(["kettle", "deal", "invoice", "zoe", "Refund"]);
    expect(withRecent(recent, "  ")).toEqual(recent);
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    saveRecent(recent, storage);
    expect(loadRecent(storage)).toEqual(recent);
    store.set("switchboard.recent-searches", "not json");
    expect(loadRecent(storage)).toEqual([]);
  });
});
