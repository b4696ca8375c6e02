// Customers: the list, search by e-mail prefix, one customer with their tickets and timeline.
import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import { api, call } from "../client";
import { customerKeys } from "./keys";

export const customersQuery = () =>
  infiniteQueryOptions({
    queryKey: customerKeys.list(),
    queryFn: ({ pageParam }) => call(api.GET("/api/v1/customers", { params: { query: { limit: 100, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

export const customerSearchQuery = (emailPrefix: string, limit: number) =>
  queryOptions({
    queryKey: customerKeys.search(emailPrefix, limit),
    queryFn: () => call(api.GET("/api/v1/customers", { params: { query: { email_prefix: emailPrefix, limit } } })),
  });

export const customerQuery = (id: string) =>
  queryOptions({ queryKey: customerKeys.detail(id), queryFn: () => call(api.GET("/api/v1/customers/{id}", { params: { path: { id } } })) });

export const customerTicketsQuery = (id: string) =>
  queryOptions({ queryKey: customerKeys.tickets(id), queryFn: () => call(api.GET("/api/v1/customers/{id}/tickets", { params: { path: { id } } })) });

export const customerTimelineQuery = (id: string) =>
  queryOptions({ queryKey: customerKeys.timeline(id), queryFn: () => call(api.GET("/api/v1/customers/{id}/timeline", { params: { path: { id } } })) });
