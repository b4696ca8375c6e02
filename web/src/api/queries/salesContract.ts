// The parts of the sales API agreed in the CRM contract that the generated schema does not hold yet:
// bulk lead changes, activities on leads, a deal opened with a conversion, "my tasks". Typed by hand in
// the generated schema's shape, so that once `npm run gen:api` brings them in, switching is one edit:
// `contractClient<ContractPaths>()` becomes `api` (and these types become `Schemas[...]` names).
// Screens show these features only when the running API offers them (`useApiOffers`), never fake ones.
import { queryOptions, useQuery } from "@tanstack/react-query";
import { contractClient } from "../client";
import { config } from "../../config";
import type { Schemas } from "../types";
import { NO_SALES_FEATURES, salesFeatures, type ApiDocument, type SalesFeatures } from "./salesFeatures";

export { type SalesFeatures };

type Json<T> = { content: { "application/json": T } };
type Problem = { content: { "application/problem+json": Schemas["ProblemBody"] } };
type Path<Id extends string = never> = { query?: never; header?: never; path: [Id] extends [never] ? never : Record<Id, string>; cookie?: never };

export interface BulkLeadChanges {
  status?: string;
  owner_id?: string | null;
  add_tags?: string[];
  remove_tags?: string[];
}
export interface BulkLeadRequest {
  leads: { id: string; version: number }[];
  changes: BulkLeadChanges;
}
export interface BulkLeadResult {
  results: { id: string; outcome: "updated" | "unchanged" | "failed"; lead: Schemas["LeadView"] | null; problem: { type: string; title: string; status: number; detail: string } | null }[];
  updated: number;
  unchanged: number;
  failed: number;
  summary: string;
}

export type ActivityKind = "call" | "meeting" | "task" | "email";
export const ACTIVITY_KINDS: readonly ActivityKind[] = ["call", "meeting", "task", "email"];
export interface ActivityView {
  id: string;
  record: string;
  record_kind: "lead" | "customer" | "deal";
  record_id: string;
  record_name: string;
  kind: ActivityKind;
  subject: string;
  body: string | null;
  due_at: string | null;
  assignee_id: string | null;
  done: boolean;
  done_at: string | null;
  author_id: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}
export interface CreateActivityRequest {
  kind: ActivityKind;
  subject: string;
  body?: string;
  due_at?: string;
  assignee_id?: string;
  done?: boolean;
}
export interface UpdateActivityRequest {
  version: number;
  subject?: string;
  body?: string;
  due_at?: string | null;
  assignee_id?: string;
  done?: boolean;
}
export interface ActivityList {
  items: ActivityView[];
  next_cursor: string | null;
}

export interface ConvertDeal {
  title?: string;
  value?: number;
  currency?: string;
  pipeline_id?: string;
  stage_id?: string;
  expected_close_date?: string;
}
export type ConvertLeadWithDeal = Schemas["ConvertLeadRequest"] & { deal?: ConvertDeal };
export type ConversionWithDeal = Schemas["ConversionView"] & { deal?: Schemas["DealView"] | null };

/** The contract's endpoints, in the shape openapi-typescript generates. */
export interface ContractPaths {
  "/api/v1/leads/bulk": {
    post: { parameters: { query?: never; header?: never; path?: never; cookie?: never }; requestBody: Json<BulkLeadRequest>; responses: { 200: Json<BulkLeadResult>; 403: Problem; 422: Problem } };
  };
  "/api/v1/leads/{id}/convert": {
    post: { parameters: Path<"id">; requestBody: Json<ConvertLeadWithDeal>; responses: { 200: Json<ConversionWithDeal>; 403: Problem; 404: Problem; 409: Problem; 422: Problem } };
  };
  "/api/v1/leads/{id}/activities": {
    get: { parameters: { query?: { cursor?: string; limit?: number }; header?: never; path: { id: string }; cookie?: never }; requestBody?: never; responses: { 200: Json<ActivityList>; 404: Problem } };
    post: { parameters: Path<"id">; requestBody: Json<CreateActivityRequest>; responses: { 201: Json<ActivityView>; 403: Problem; 404: Problem; 422: Problem } };
  };
  "/api/v1/activities/{id}": {
    patch: { parameters: Path<"id">; requestBody: Json<UpdateActivityRequest>; responses: { 200: Json<ActivityView>; 403: Problem; 404: Problem; 409: Problem; 422: Problem } };
    delete: { parameters: Path<"id">; requestBody?: never; responses: { 204: { content?: never }; 403: Problem; 404: Problem } };
  };
  "/api/v1/me/tasks": {
    get: { parameters: { query?: { status?: "open" | "done"; cursor?: string; limit?: number }; header?: never; path?: never; cookie?: never }; requestBody?: never; responses: { 200: Json<ActivityList> } };
  };
}

export const contractApi = contractClient<ContractPaths>();

export const apiDocumentQuery = () =>
  queryOptions({
    queryKey: ["api-document"] as const,
    staleTime: Infinity,
    queryFn: async (): Promise<ApiDocument> => {
      const response = await fetch(`${config().apiUrl}/api/v1/openapi.json`);
      if (!response.ok) return {};
      return (await response.json()) as ApiDocument;
    },
  });

/** The contract features the API offers; none while the description loads or cannot be read. */
export function useSalesFeatures(): SalesFeatures {
  const doc = useQuery(apiDocumentQuery());
  return doc.data ? salesFeatures(doc.data) : NO_SALES_FEATURES;
}
