import { describe, expect, it } from "vitest";
import { filtersFrom, filtersToParams, isFiltered, leadQuery, withFilter } from "./leadFilters";

const parse = (search: string) => filtersFrom(new URLSearchParams(search));

describe("lead filters", () => {
  it("read the address bar, ignoring what the API would refuse", () => {
    expect(parse("status=qualified&owner=me&source=referral&tag=VIP&from=2026-11-01&to=2026-11-30")).toEqual({
      status: "qualified",
      owner: "me",
      source: "referral",
      tag: "vip",
      from: "2026-11-01",
      to: "2026-11-30",
      sort: "newest",
    });
    const odd = parse("source=fax&from=yesterday&to=2026-13-45x&sort=oldest");
    expect([odd.source, odd.from, odd.to, odd.sort]).toEqual(["", "", "", "newest"]);
    expect(isFiltered(parse(""))).toBe(false);
    expect(isFiltered(parse("sort=score"))).toBe(false);
    expect(isFiltered(parse("tag=vip"))).toBe(true);
  });

  it("round-trip through the address bar, leaving the defaults out", () => {
    const filters = parse("owner=none&sort=score&tag=trial");
    expect(filtersToParams(filters).toString()).toBe("owner=none&tag=trial&sort=score");
    expect(filtersFrom(filtersToParams(filters))).toEqual(filters);
    expect(filtersToParams(parse("")).toString()).toBe("");
  });

  it("ask the API for whole local days, inclusive at both ends", () => {
    const query = leadQuery(parse("status=new&from=2026-11-01&to=2026-11-30"));
    expect(query).toEqual({
      status: "new",
      created_from: new Date(2026, 10, 1, 0, 0, 0, 0).toISOString(),
      created_to: new Date(2026, 10, 30, 23, 59, 59, 999).toISOString(),
    });
    expect(leadQuery(parse(""))).toEqual({});
  });

  it("never combine the score sort with a creation range", () => {
    const ranged = parse("from=2026-11-01&to=2026-11-30");
    const byScore = withFilter(ranged, "sort", "score");
    expect([byScore.from, byScore.to, byScore.sort]).toEqual(["", "", "score"]);
    expect(withFilter(byScore, "from", "2026-11-02").sort).toBe("newest");
    // Even a hand-written address asks the API only for what it answers.
    expect(leadQuery(parse("sort=score&from=2026-11-01&owner=me"))).toEqual({ owner: "me", sort: "score" });
  });
});
