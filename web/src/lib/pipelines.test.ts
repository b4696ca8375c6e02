import { describe, expect, it } from "vitest";
import { ApiError } from "../api/problem";
import { stageNotEmptyMessage } from "./pipelines";

const pipeline = {
  id: "p", name: "Sales", version: 2, created_at: "", updated_at: "",
  stages: [{ id: "s1", name: "Qualified", probability: 10 }, { id: "s2", name: "Proposal", probability: 50 }],
};

describe("removing a stage that holds open deals", () => {
  it("names the stage and the number of deals", () => {
    const error = new ApiError({ type: "/problems/conflict", title: "Conflict", status: 409, stage_id: "s2", open_deals: 3 });
    expect(stageNotEmptyMessage(error, pipeline)).toEqual({
      stageId: "s2",
      message: "“Proposal” still holds 3 open deals, so it cannot be removed. Move, win or lose them on the board first, or keep the stage.",
    });
  });

  it("says one deal in the singular, and is nothing for other conflicts", () => {
    const one = new ApiError({ type: "/problems/conflict", title: "Conflict", status: 409, stage_id: "s1", open_deals: 1 });
    expect(stageNotEmptyMessage(one, pipeline)?.message).toMatch(/^“Qualified” still holds 1 open deal, .* lose it on/);
    const stale = new ApiError({ type: "/problems/version-conflict", title: "Changed", status: 409 });
    expect(stageNotEmptyMessage(stale, pipeline)).toBeNull();
  });
});
