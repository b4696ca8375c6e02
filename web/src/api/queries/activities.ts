// Activities (calls, meetings, tasks, e-mails) on leads, customers and deals, and the signed-in member's
// tasks. Keys live under `activities`, so a change anywhere refreshes every list that may show it (the
// record's panel and "my tasks").
import { infiniteQueryOptions, queryOptions, type QueryClient } from "@tanstack/react-query";
import { api, call } from "../client";
import type { Schemas } from "../types";

export type Activity = Schemas["ActivityView"];
export type ActivityKind = Schemas["ActivityKind"];
/** The records activities are logged on through the API (companies have no activity routes yet). */
export type RecordKind = Exclude<Schemas["RecordKindView"], "company">;
export type TaskStatus = "open" | "done";

export const ACTIVITY_KINDS: readonly ActivityKind[] = ["call", "meeting", "task", "email"];

/** A record that activities hang off. */
export interface ActivityRecord {
  kind: RecordKind;
  id: string;
}

export const activityKeys = {
  all: ["activities"] as const,
  record: (record: ActivityRecord) => [...activityKeys.all, "record", record.kind, record.id] as const,
  tasks: (status: TaskStatus) => [...activityKeys.all, "tasks", status] as const,
};

function listRecord({ kind, id }: ActivityRecord) {
  const params = { params: { path: { id } } };
  switch (kind) {
    case "lead":
      return call(api.GET("/api/v1/leads/{id}/activities", params));
    case "customer":
      return call(api.GET("/api/v1/customers/{id}/activities", params));
    case "deal":
      return call(api.GET("/api/v1/deals/{id}/activities", params));
  }
}

/** A record's activities, newest logged first. */
export const recordActivitiesQuery = (record: ActivityRecord) => queryOptions({ queryKey: activityKeys.record(record), queryFn: () => listRecord(record) });

export function logActivity({ kind, id }: ActivityRecord, body: Schemas["CreateActivityRequest"]) {
  const request = { params: { path: { id } }, body };
  switch (kind) {
    case "lead":
      return call(api.POST("/api/v1/leads/{id}/activities", request));
    case "customer":
      return call(api.POST("/api/v1/customers/{id}/activities", request));
    case "deal":
      return call(api.POST("/api/v1/deals/{id}/activities", request));
  }
}

export const changeActivity = (activity: Activity, change: Omit<Schemas["UpdateActivityRequest"], "version">) =>
  call(api.PATCH("/api/v1/activities/{id}", { params: { path: { id: activity.id } }, body: { ...change, version: activity.version } }));

/** The signed-in member's tasks: open ones by due time (overdue first, undated last), or done ones latest first. */
export const myTasksQuery = (status: TaskStatus) =>
  infiniteQueryOptions({
    queryKey: activityKeys.tasks(status),
    queryFn: ({ pageParam }) => call(api.GET("/api/v1/me/tasks", { params: { query: { status, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

/** Where an activity's record lives in the app. */
export function recordLink(activity: Pick<Activity, "record_kind" | "record_id">): string {
  switch (activity.record_kind) {
    case "lead":
      return `/sales/leads/${activity.record_id}`;
    case "customer":
      return `/customers/${activity.record_id}`;
    case "deal":
      return `/sales/deals/${activity.record_id}`;
    case "company":
      return `/sales/companies/${activity.record_id}`;
  }
}

/** An activity changed: every list that may show it. */
export function invalidateActivities(queries: Pick<QueryClient, "invalidateQueries">) {
  void queries.invalidateQueries({ queryKey: activityKeys.all });
}
