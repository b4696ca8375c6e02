// The owner's billing: usage against the plan's limits, the subscription and invoices, and the Stripe
// Checkout and Billing Portal sessions the owner is sent to.
import { queryOptions, useMutation, useQuery } from "@tanstack/react-query";
import { api, call } from "../client";
import { billingKeys } from "./keys";

/** Usage moves with every ticket, member and webhook: read afresh each time the page opens. */
export const usageQuery = () =>
  queryOptions({
    queryKey: billingKeys.usage(),
    queryFn: () => call(api.GET("/api/v1/billing/usage")),
    staleTime: 0,
  });

export function useUsage(enabled: boolean) {
  return useQuery({ ...usageQuery(), enabled });
}

/** The subscription and invoices follow Stripe's events: read afresh each time the page opens. */
export function useBilling(enabled: boolean) {
  return useQuery({
    queryKey: billingKeys.overview(),
    queryFn: () => call(api.GET("/api/v1/billing")),
    staleTime: 0,
    enabled,
  });
}

/** Opens a Checkout session for `plan` and sends the browser to Stripe's page. */
export function useCheckout() {
  return useMutation({
    mutationFn: (plan: string) => call(api.POST("/api/v1/billing/checkout", { body: { plan } })),
    onSuccess: (session) => window.location.assign(session.url),
  });
}

/** Opens a Billing Portal session and sends the browser to it. */
export function usePortal() {
  return useMutation({
    mutationFn: () => call(api.POST("/api/v1/billing/portal")),
    onSuccess: (session) => window.location.assign(session.url),
  });
}
