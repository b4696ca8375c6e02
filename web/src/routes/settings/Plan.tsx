// The workspace's plan: limits, usage and features. Owners see every limit against its usage (from
// /billing/usage) and the billing (subscription, invoices, upgrade through Stripe Checkout, manage in the
// Billing Portal); other members see the plan from /me.
import { useState } from "react";
import { useBilling, useCheckout, usePortal, useUsage } from "../../api/queries/billing";
import { useMe } from "../../api/queries/members";
import { invoiceAmount, subscriptionLine, subscriptionStands, upgradeChoices } from "../../lib/billing";
import { bytes, dateTime, label } from "../../lib/format";
import { ErrorState, Loading } from "../../ui/states";

function Usage({ name, used, limit, format = String }: { name: string; used: number; limit?: number | null; format?: (n: number) => string }) {
  const share = limit ? Math.min(1, used / limit) : 0;
  return (
    <div className="usage">
      <div className="sla-line">
        <span>{name}</span>
        <span className="muted">
          {format(used)} of {limit ? format(limit) : "unlimited"}
        </span>
      </div>
      {limit ? (
        <div className="meter" role="meter" aria-label={name} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share * 100)}>
          <span className={`meter-fill ${share > 0.9 ? "sla-bg-breached" : share > 0.75 ? "sla-bg-risk" : "sla-bg-ok"}`} style={{ width: `${share * 100}%` }} />
        </div>
      ) : null}
    </div>
  );
}

const LIMIT_NAMES: Record<string, string> = {
  seats: "Seats",
  tickets_per_month: "Tickets this month",
  storage_bytes: "Storage",
  webhooks: "Webhooks",
  api_requests_per_minute: "API requests per minute",
  lead_capture_endpoints: "Lead-capture endpoints",
  leads_per_month: "New leads this month",
};

/** The owner's view: every limit with its usage, and what a limit passed after a smaller plan means. */
function OwnerUsage() {
  const usage = useUsage(true);
  if (usage.isPending) return <Loading />;
  if (usage.isError) return <ErrorState error={usage.error} retry={() => void usage.refetch()} />;
  const over = usage.data.usage.filter((line) => line.over_limit);
  return (
    <div aria-label="Usage against the plan">
      {over.length > 0 ? (
        <p className="notice warn" role="alert">
          {over.map((line) => LIMIT_NAMES[line.kind] ?? label(line.kind)).join(", ")} above the {usage.data.plan_name} plan&apos;s limit.
          Nothing was removed, but no more can be added until usage is under the limit or the plan is upgraded.
        </p>
      ) : null}
      {usage.data.usage.map((line) =>
        line.used === null || line.used === undefined ? (
          <div className="sla-line" key={line.kind}>
            <span>{LIMIT_NAMES[line.kind] ?? label(line.kind)}</span>
            <span className="muted">{line.limit ?? "unlimited"}</span>
          </div>
        ) : (
          <Usage
            key={line.kind}
            name={LIMIT_NAMES[line.kind] ?? label(line.kind)}
            used={line.used}
            limit={line.limit}
            format={line.kind === "storage_bytes" ? bytes : String}
          />
        ),
      )}
      <p className="muted small">
        Storage counts files ({bytes(usage.data.storage.files_bytes)}) and the search index ({bytes(usage.data.storage.search_index_bytes)}).
      </p>
      <p className="muted small">
        {usage.data.api_calls_this_month} API calls in {usage.data.month} (UTC), by people and API keys.
      </p>
    </div>
  );
}

/** The owner's billing: subscription, invoices, and the way to Stripe to subscribe or manage. */
function OwnerBilling() {
  const billing = useBilling(true);
  const checkout = useCheckout();
  const portal = usePortal();
  const [choice, setChoice] = useState("");
  if (billing.isPending) return <Loading />;
  if (billing.isError) return <ErrorState error={billing.error} retry={() => void billing.refetch()} />;
  const data = billing.data;
  const choices = upgradeChoices(data);
  const stands = subscriptionStands(data);
  const failure = checkout.error ?? portal.error;
  return (
    <div aria-label="Billing">
      <h3 className="card-subtitle">Billing</h3>
      <p>
        <strong>Subscription:</strong> {subscriptionLine(data, dateTime)}
      </p>
      {failure ? (
        <p className="notice warn" role="alert">
          {failure.message}
        </p>
      ) : null}
      <div className="row-actions">
        {!stands && choices.length > 0 ? (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              if (choice) checkout.mutate(choice);
            }}
          >
            <label>
              Upgrade to{" "}
              <select aria-label="Plan to subscribe to" value={choice} onChange={(event) => setChoice(event.target.value)}>
                <option value="">Choose a plan</option>
                {choices.map((plan) => (
                  <option key={plan.id} value={plan.id}>
                    {plan.name}
                  </option>
                ))}
              </select>
            </label>{" "}
            <button type="submit" className="primary" disabled={!choice || checkout.isPending}>
              {checkout.isPending ? "Opening Checkout…" : "Subscribe"}
            </button>
          </form>
        ) : null}
        {data.portal_available ? (
          <button type="button" onClick={() => portal.mutate()} disabled={portal.isPending}>
            {portal.isPending ? "Opening…" : "Manage billing"}
          </button>
        ) : null}
      </div>
      {stands ? <p className="muted small">Change plan, payment method or cancel in the billing portal.</p> : null}
      <h3 className="card-subtitle">Invoices</h3>
      {data.invoices.length === 0 ? (
        <p className="muted">No invoices yet.</p>
      ) : (
        <table className="table" aria-label="Invoices">
          <thead>
            <tr>
              <th>Number</th>
              <th>Date</th>
              <th>Amount</th>
              <th>Status</th>
              <th>Links</th>
            </tr>
          </thead>
          <tbody>
            {data.invoices.map((invoice) => (
              <tr key={invoice.id}>
                <td>{invoice.number ?? invoice.id}</td>
                <td>{dateTime(invoice.created)}</td>
                <td>{invoiceAmount(invoice)}</td>
                <td>{label(invoice.status)}</td>
                <td>
                  {invoice.hosted_invoice_url ? (
                    <a href={invoice.hosted_invoice_url} target="_blank" rel="noreferrer">
                      View
                    </a>
                  ) : null}{" "}
                  {invoice.invoice_pdf ? (
                    <a href={invoice.invoice_pdf} target="_blank" rel="noreferrer">
                      PDF
                    </a>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function Component() {
  const me = useMe();
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorState error={me.error} retry={() => void me.refetch()} />;
  const plan = me.data.plan;
  const canBill = me.data.permissions.includes("billing:manage");
  if (canBill) {
    return (
      <section aria-labelledby="plan-title">
        <h2 id="plan-title">Plan &amp; usage</h2>
        <div className="card">
          <p className="plan-tier">
            <span className="badge status-open">{plan.name}</span> plan
          </p>
          <OwnerUsage />
          <h3 className="card-subtitle">Features</h3>
          <ul className="features">
            {plan.features.map((feature) => (
              <li key={feature}>{label(String(feature))}</li>
            ))}
          </ul>
          <OwnerBilling />
        </div>
      </section>
    );
  }
  return (
    <section aria-labelledby="plan-title">
      <h2 id="plan-title">Plan &amp; usage</h2>
      <div className="card">
        <p className="plan-tier">
          <span className="badge status-open">{plan.name}</span> plan
        </p>
        <Usage name="Seats" used={plan.usage.seats} limit={plan.limits.seats} />
        <Usage name="Storage" used={plan.usage.storage_bytes + plan.usage.search_index_bytes} limit={plan.limits.storage_bytes} format={bytes} />
        <p className="muted small">
          Files {bytes(plan.usage.storage_bytes)}, search index {bytes(plan.usage.search_index_bytes)}.
        </p>
        <dl className="attributes">
          <div>
            <dt>Tickets per month</dt>
            <dd>{plan.limits.tickets_per_month ?? "Unlimited"}</dd>
          </div>
          <div>
            <dt>API requests per minute</dt>
            <dd>{plan.limits.api_requests_per_minute ?? "Unlimited"}</dd>
          </div>
          <div>
            <dt>Webhooks</dt>
            <dd>{plan.limits.webhooks ?? "Unlimited"}</dd>
          </div>
        </dl>
        <h3 className="card-subtitle">Features</h3>
        <ul className="features">
          {plan.features.map((feature) => (
            <li key={feature}>{label(String(feature))}</li>
          ))}
        </ul>
        <p className="muted small">Only owners manage the plan.</p>
      </div>
    </section>
  );
}
