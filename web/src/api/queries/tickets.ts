// Tickets: the inbox lists, the counts of the views, one ticket's detail.
import { infiniteQueryOptions, queryOptions, useQuery } from "@tanstack/react-query";
import { api, call } from "../client";
import { ticketKeys, type InboxParams } from "./keys";

export const inboxQuery = (params: InboxParams) =>
  infiniteQueryOptions({
    queryKey: ticketKeys.list(params),
    queryFn: ({ pageParam }) =>
      call(
        api.GET("/api/v1/tickets", {
          params: {
            query: {
              view: params.view,
              sort: params.sort,
              status: params.status || undefined,
              priority: params.priority || undefined,
              tag: params.tag || undefined,
              category: params.category || undefined,
              assignee: params.assignee || undefined,
              limit: 50,
              cursor: pageParam,
            },
          },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

export const countsQuery = () =>
  queryOptions({ queryKey: ticketKeys.counts(), queryFn: () => call(api.GET("/api/v1/tickets/counts")), refetchInterval: 60_000 });

export const ticketQuery = (id: string) =>
  queryOptions({ queryKey: ticketKeys.detail(id), queryFn: () => call(api.GET("/api/v1/tickets/{id}", { params: { path: { id } } })) });

/** A ticket's reply address and the workspace signature every reply sent by e-mail carries. */
export const replyAddressQuery = (id: string) =>
  queryOptions({
    queryKey: ticketKeys.replyAddress(id),
    staleTime: 5 * 60_000,
    queryFn: () => call(api.GET("/api/v1/tickets/{id}/reply-address", { params: { path: { id } } })),
  });

export function useCounts() {
  return useQuery(countsQuery());
}
