// Pipelines, their kanban boards and deals (docs/deals.md).
import { queryOptions } from "@tanstack/react-query";
import { api, call } from "../client";
import { salesKeys } from "./keys";

export const pipelinesQuery = () =>
  queryOptions({ queryKey: salesKeys.pipelines(), queryFn: () => call(api.GET("/api/v1/pipelines")), staleTime: 60_000 });

/** One board: every stage's count, totals per currency and first page of open deals. */
export const boardQuery = (pipelineId: string) =>
  queryOptions({
    queryKey: salesKeys.board(pipelineId),
    queryFn: () => call(api.GET("/api/v1/pipelines/{id}/board", { params: { path: { id: pipelineId } } })),
    // Teammates' moves arrive live; without a connection the board still refreshes now and then.
    refetchInterval: 60_000,
  });

export const dealQuery = (id: string) =>
  queryOptions({ queryKey: salesKeys.deal(id), queryFn: () => call(api.GET("/api/v1/deals/{id}", { params: { path: { id } } })) });

/** The next page of a stage's open deals, after the board's first. */
export const stageDealsPage = (pipelineId: string, stageId: string, cursor: string) =>
  call(api.GET("/api/v1/pipelines/{id}/stages/{stage_id}/deals", { params: { path: { id: pipelineId, stage_id: stageId }, query: { cursor, status: "open" } } }));
