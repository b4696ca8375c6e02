// Integrations: API keys, webhook endpoints and one endpoint's delivery log, the member's Google Contacts connection.
import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import { api, call } from "../client";
import { integrationKeys } from "./keys";

export const apiKeysQuery = () => queryOptions({ queryKey: integrationKeys.apiKeys(), queryFn: () => call(api.GET("/api/v1/api-keys")) });

export const webhooksQuery = () => queryOptions({ queryKey: integrationKeys.webhooks(), queryFn: () => call(api.GET("/api/v1/webhooks")) });

export const deliveriesQuery = (webhookId: string) =>
  infiniteQueryOptions({
    queryKey: integrationKeys.deliveries(webhookId),
    queryFn: ({ pageParam }) =>
      call(api.GET("/api/v1/webhooks/{id}/deliveries", { params: { path: { id: webhookId }, query: { limit: 25, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

export const captureEndpointsQuery = () =>
  queryOptions({ queryKey: integrationKeys.captureEndpoints(), queryFn: () => call(api.GET("/api/v1/lead-capture-endpoints")) });

export const captureDeliveriesQuery = (endpointId: string) =>
  infiniteQueryOptions({
    queryKey: integrationKeys.captureDeliveries(endpointId),
    queryFn: ({ pageParam }) =>
      call(api.GET("/api/v1/lead-capture-endpoints/{id}/deliveries", { params: { path: { id: endpointId }, query: { limit: 25, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
/** The calling member's own Google Contacts connection and its sync status. */
export const googleContactsQuery = () =>
  queryOptions({ queryKey: integrationKeys.googleContacts(), queryFn: () => call(api.GET("/api/v1/integrations/google-contacts")) });
