// Pipeline settings in words: the server's refusal to remove a stage that still holds open deals
// (409 with `stage_id` and `open_deals`, docs/deals.md).
import { ApiError } from "../api/problem";
import type { Pipeline } from "../api/types";

/** What the server's refusal to remove a stage says, in words, with the stage's name. */
export function stageNotEmptyMessage(error: unknown, pipeline: Pipeline | undefined): { stageId: string; message: string } | null {
  if (!(error instanceof ApiError) || error.status !== 409 || typeof error.problem.stage_id !== "string") return null;
  const stageId = error.problem.stage_id;
  const count = Number(error.problem.open_deals ?? 0);
  const name = pipeline?.stages.find((stage) => stage.id === stageId)?.name ?? "A removed stage";
  return {
    stageId,
    message: `“${name}” still holds ${count} open deal${count === 1 ? "" : "s"}, so it cannot be removed. Move, win or lose ${count === 1 ? "it" : "them"} on the board first, or keep the stage.`,
  };
}
