// The kanban board in the query cache: what a move does to it (optimistic, before the server answers)
// and what a teammate's `deal.event` frame does to it (docs/realtime.md), kept apart from React so both
// paths are tested alone. Totals are per currency and never added across currencies.
import type { QueryClient } from "@tanstack/react-query";
import type { Board, BoardColumn, Deal, MoneyTotal } from "../api/types";
import { activityKeys, salesKeys } from "../api/queries/keys";

/** `value × probability / 100`, rounded, as the server computes a deal's weighted value. */
export const weighted = (value: number, probability: number) => Math.round((value * probability) / 100);

function addTo(totals: MoneyTotal[], deal: Pick<Deal, "currency" | "value" | "weighted_value">, sign: 1 | -1): MoneyTotal[] {
  const found = totals.some((total) => total.currency === deal.currency);
  return (found ? totals : [...totals, { currency: deal.currency, value: 0, weighted_value: 0 }]).map((total) =>
    total.currency === deal.currency
      ? { ...total, value: total.value + sign * deal.value, weighted_value: total.weighted_value + sign * deal.weighted_value }
      : total,
  );
}

function withoutDeal(column: BoardColumn, dealId: string): BoardColumn {
  const deal = column.deals.find((card) => card.id === dealId);
  if (!deal) return column;
  return { ...column, count: column.count - 1, totals: addTo(column.totals, deal, -1), deals: column.deals.filter((card) => card.id !== dealId) };
}

function withDeal(column: BoardColumn, deal: Deal): BoardColumn {
  return { ...column, count: column.count + 1, totals: addTo(column.totals, deal, 1), deals: [deal, ...column.deals] };
}

/** The card with this id, and the column it is in. */
export function findCard(board: Board, dealId: string): { deal: Deal; column: BoardColumn } | undefined {
  for (const column of board.columns) {
    const deal = column.deals.find((card) => card.id === dealId);
    if (deal) return { deal, column };
  }
  return undefined;
}

/** The board with the deal taken out wherever it is and, while open and on this pipeline, put first in its stage. */
export function placeDeal(board: Board, deal: Deal): Board {
  const columns = board.columns.map((column) => withoutDeal(column, deal.id));
  const onBoard = deal.status === "open" && deal.pipeline_id === board.pipeline.id;
  return { ...board, columns: columns.map((column) => (onBoard && column.stage.id === deal.stage_id ? withDeal(column, deal) : column)) };
}

/** What a drop shows at once: the card in the new stage with the stage's probability (unless the deal overrides it). */
export function movedCard(board: Board, deal: Deal, stageId: string): Deal {
  const stage = board.pipeline.stages.find((candidate) => candidate.id === stageId);
  const probability = deal.probability_overridden || !stage ? deal.probability : stage.probability;
  return { ...deal, stage_id: stageId, probability, weighted_value: weighted(deal.value, probability), time_in_stage_seconds: 0, stuck: false };
}

/** The stage before (-1) or after (+1) the deal's, or undefined at the board's ends. */
export function neighbourStage(board: Board, stageId: string, step: -1 | 1): string | undefined {
  const index = board.pipeline.stages.findIndex((stage) => stage.id === stageId);
  if (index < 0) return undefined;
  return board.pipeline.stages[index + step]?.id;
}

/** A deal event's `after`: the deal's fields as the event carries them. */
export interface DealSnapshot {
  title?: string;
  value?: number;
  currency?: string;
  pipeline_id?: string;
  stage_id?: string;
  expected_close?: string | null;
  probability?: number;
  owner_id?: string | null;
  contact_ids?: string[];
  company?: string | null;
  tags?: string[];
  status?: string;
  lost_reason?: string | null;
  version?: number;
}

export type FrameOutcome = "applied" | "ignored" | "refetch";

/**
 * Applies a teammate's change to one board. A snapshot no newer than the card is ignored (our own move,
 * or a repeat); the next version is applied; a deal the board does not show, a deleted one, or a version
 * that jumps (frames missed) asks for the board to be fetched again.
 */
export function applySnapshot(board: Board, dealId: string, kind: string, after: DealSnapshot | null | undefined): { board: Board; outcome: FrameOutcome } {
  const found = findCard(board, dealId);
  if (kind === "deal.deleted") {
    if (!found) return { board, outcome: "ignored" };
    return { board: { ...board, columns: board.columns.map((column) => withoutDeal(column, dealId)) }, outcome: "applied" };
  }
  if (!after || typeof after.version !== "number") return { board, outcome: "refetch" };
  if (!found) {
    // A new deal or one beyond the first page: its card needs fields the event does not carry.
    const concerns = after.pipeline_id === board.pipeline.id;
    return { board, outcome: concerns ? "refetch" : "ignored" };
  }
  if (after.version <= found.deal.version) return { board, outcome: "ignored" };
  const merged: Deal = { ...found.deal, ...stripUndefined(after) } as Deal;
  const stageChanged = merged.stage_id !== found.deal.stage_id;
  const next: Deal = {
    ...merged,
    weighted_value: weighted(merged.value, merged.probability),
    time_in_stage_seconds: stageChanged ? 0 : merged.time_in_stage_seconds,
    stuck: stageChanged ? false : merged.stuck,
  };
  const placed = placeDeal(board, next);
  return { board: placed, outcome: after.version === found.deal.version + 1 ? "applied" : "refetch" };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

/** The query client's part the live path needs. */
export type BoardCache = Pick<QueryClient, "invalidateQueries" | "getQueriesData" | "setQueryData">;

/** A `deal.event` frame: every cached board takes the change; a board that cannot, or a pipeline event, is refetched. */
export function applyDealEvent(cache: BoardCache, event: { type?: string; deal_id?: string | null; after?: unknown } | undefined) {
  const kind = event?.type ?? "";
  const dealId = event?.deal_id ?? undefined;
  if (dealId) void cache.invalidateQueries({ queryKey: salesKeys.deal(dealId) });
  void cache.invalidateQueries({ queryKey: activityKeys.all });
  if (!dealId || kind.startsWith("pipeline.")) {
    void cache.invalidateQueries({ queryKey: salesKeys.all });
    return;
  }
  for (const [key, board] of cache.getQueriesData<Board>({ queryKey: salesKeys.boards() })) {
    if (!board) continue;
    const { board: next, outcome } = applySnapshot(board, dealId, kind, event?.after as DealSnapshot | undefined);
    if (next !== board) cache.setQueryData(key, next);
    if (outcome === "refetch") void cache.invalidateQueries({ queryKey: key, exact: true });
  }
}
