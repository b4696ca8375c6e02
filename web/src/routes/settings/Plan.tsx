// The workspace's plan: limits, usage and features.
import { useMe } from "../../api/queries/members";
import { bytes, label } from "../../lib/format";
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

export function Component() {
  const me = useMe();
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorState error={me.error} retry={() => void me.refetch()} />;
  const plan = me.data.plan;
  const canBill = me.data.permissions.includes("billing:manage");
  return (
    <section aria-labelledby="plan-title">
      <h2 id="plan-title">Plan &amp; usage</h2>
      <div className="card">
        <p className="plan-tier">
          <span className="badge status-open">{label(plan.tier)}</span> plan
        </p>
        <Usage name="Seats" used={plan.usage.seats} limit={plan.limits.seats} />
        <Usage name="Storage" used={plan.usage.storage_bytes} limit={plan.limits.storage_bytes} format={bytes} />
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
        <p className="muted small">{canBill ? "Plan changes and invoices arrive with billing." : "Only owners manage the plan."}</p>
      </div>
    </section>
  );
}
