import { describe, expect, it } from "vitest";
import type { Board, Deal } from "../api/types";
import { salesKeys } from "../api/queries/keys";
import { applyDealEvent, applySnapshot, movedCard, neighbourStage, placeDeal } from "./board";

const stages = [
  { id: "s1", name: "Qualified", probability: 10 },
  { id: "s2", name: "Proposal", probability: 50 },
  { id: "s3", name: "Negotiation", probability: 80 },
];

function deal(id: string, stage: string, value: number, change: Partial<Deal> = {}): Deal {
  const probability = stages.find((s) => s.id === stage)!.probability;
  return {
    id, title: `Deal ${id}`, value, currency: "EUR", currency_exponent: 2, pipeline_id: "p", stage_id: stage, status: "open",
    probability, probability_overridden: false, weighted_value: Math.round((value * probability) / 100), version: 1,
    contact_ids: [], tags: [], created_at: "2026-12-01T00:00:00Z", created_by: "u", updated_at: "2026-12-01T00:00:00Z",
    stage_entered_at: "2026-12-01T00:00:00Z", time_in_stage_seconds: 3600, stuck: false, ...change,
  };
}

function board(...deals: Deal[]): Board {
  return {
    pipeline: { id: "p", name: "Sales", stages, version: 1, created_at: "", updated_at: "" },
    columns: stages.map((stage) => {
      const here = deals.filter((d) => d.stage_id === stage.id);
      const currencies = [...new Set(here.map((d) => d.currency))];
      return {
        stage, count: here.length, deals: here, next_cursor: null,
        totals: currencies.map((currency) => ({
          currency,
          value: here.filter((d) => d.currency === currency).reduce((n, d) => n + d.value, 0),
          weighted_value: here.filter((d) => d.currency === currency).reduce((n, d) => n + d.weighted_value, 0),
        })),
      };
    }),
  };
}

const column = (b: Board, stage: string) => b.columns.find((c) => c.stage.id === stage)!;

describe("a move on the board", () => {
  it("takes the card out of its stage and puts it first in the new one, with both stages' counts and totals", () => {
    const a = deal("a", "s1", 100_00);
    const before = board(a, deal("b", "s1", 50_00), deal("c", "s2", 10_00));
    const after = placeDeal(before, movedCard(before, a, "s2"));
    expect(column(after, "s1")).toMatchObject({ count: 1, totals: [{ currency: "EUR", value: 50_00, weighted_value: 5_00 }] });
    expect(column(after, "s2").deals.map((d) => d.id)).toEqual(["a", "c"]);
    expect(column(after, "s2")).toMatchObject({ count: 2, totals: [{ currency: "EUR", value: 110_00, weighted_value: 55_00 }] });
  });

  it("keeps an overridden probability, and keeps currencies apart", () => {
    const a = deal("a", "s1", 100_00, { probability: 90, probability_overridden: true, weighted_value: 90_00 });
    const yen = deal("y", "s2", 5000, { currency: "JPY", currency_exponent: 0 });
    const before = board(a, yen);
    const after = placeDeal(before, movedCard(before, a, "s2"));
    expect(column(after, "s2").totals).toEqual([
      { currency: "JPY", value: 5000, weighted_value: 2500 },
      { currency: "EUR", value: 100_00, weighted_value: 90_00 },
    ]);
  });

  it("finds the stage before and after, and nothing past the ends", () => {
    const b = board();
    expect(neighbourStage(b, "s2", -1)).toBe("s1");
    expect(neighbourStage(b, "s2", 1)).toBe("s3");
    expect(neighbourStage(b, "s3", 1)).toBeUndefined();
  });
});

describe("a teammate's deal event", () => {
  it("moves the card when it is the next version, and ignores our own (already applied) version", () => {
    const b = board(deal("a", "s1", 100_00, { version: 3 }));
    const moved = applySnapshot(b, "a", "deal.stage_changed", { stage_id: "s3", probability: 80, version: 4 });
    expect(moved.outcome).toBe("applied");
    expect(column(moved.board, "s3")).toMatchObject({ count: 1, totals: [{ value: 100_00, weighted_value: 80_00 }] });
    expect(column(moved.board, "s1").count).toBe(0);
    expect(applySnapshot(moved.board, "a", "deal.stage_changed", { stage_id: "s3", version: 4 }).outcome).toBe("ignored");
  });

  it("takes a won deal off the board", () => {
    const b = board(deal("a", "s2", 100_00));
    const won = applySnapshot(b, "a", "deal.won", { status: "won", version: 2 });
    expect(column(won.board, "s2")).toMatchObject({ count: 0, deals: [] });
  });

  it("asks for the board again when versions jump or the deal is not on screen", () => {
    const b = board(deal("a", "s1", 100_00));
    expect(applySnapshot(b, "a", "deal.updated", { title: "x", version: 5 }).outcome).toBe("refetch");
    expect(applySnapshot(b, "new", "deal.created", { pipeline_id: "p", stage_id: "s1", version: 1 }).outcome).toBe("refetch");
    expect(applySnapshot(b, "new", "deal.created", { pipeline_id: "other", stage_id: "x", version: 1 }).outcome).toBe("ignored");
  });

  it("is written into every cached board, and a board that cannot take it is refetched", () => {
    const cached = new Map<string, Board>([[JSON.stringify(salesKeys.board("p")), board(deal("a", "s1", 100_00))]]);
    const invalidated: unknown[] = [];
    const cache = {
      getQueriesData: () => [...cached].map(([key, value]) => [JSON.parse(key), value]),
      setQueryData: (key: unknown, value: Board) => cached.set(JSON.stringify(key), value),
      invalidateQueries: (filters: { queryKey: unknown }) => (invalidated.push(filters.queryKey), Promise.resolve()),
    };
    applyDealEvent(cache as never, { type: "deal.stage_changed", deal_id: "a", after: { stage_id: "s2", probability: 50, version: 2 } });
    expect(column(cached.get(JSON.stringify(salesKeys.board("p")))!, "s2").deals.map((d) => d.id)).toEqual(["a"]);
    expect(invalidated).not.toContainEqual(salesKeys.board("p"));
    applyDealEvent(cache as never, { type: "deal.created", deal_id: "n", after: { pipeline_id: "p", stage_id: "s1", version: 1 } });
    expect(invalidated).toContainEqual(salesKeys.board("p"));
  });
});
