import { Link } from "react-router";
import type { Schemas } from "../../api/types";
import { dateTime } from "../../lib/format";
import { clockWording, type Clock } from "../../lib/sla";

function ClockRow({ name, clock }: { name: string; clock: Clock | null | undefined }) {
  if (!clock) {
    return (
      <div className="sla-row">
        <span>{name}</span>
        <span className="muted small">No target</span>
      </div>
    );
  }
  const state = clockWording(clock);
  const used = Math.min(1, clock.elapsed_business_seconds / Math.max(1, clock.target_minutes * 60));
  return (
    <div className="sla-row" data-testid={`sla-${name.toLowerCase().replace(/\s+/g, "-")}`}>
      <div className="sla-line">
        <span>{name}</span>
        <span className={`sla-state sla-${state.tone}`}>{state.text}</span>
      </div>
      <div className="meter" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(used * 100)} aria-label={`${name}: ${Math.round(used * 100)}% of the target used`}>
        <span className={`meter-fill sla-bg-${state.tone}`} style={{ width: `${used * 100}%` }} />
      </div>
      {clock.met_at ? (
        <div className="muted small">Met {dateTime(clock.met_at)}</div>
      ) : (
        clock.due && <div className="muted small">Due {dateTime(clock.due)}</div>
      )}
    </div>
  );
}

export function SlaClocks({ sla }: { sla: Schemas["TicketSlaView"] | null }) {
  return (
    <section className="card" aria-labelledby="sla-title">
      <h2 id="sla-title" className="card-title">
        SLA
      </h2>
      {sla ? (
        <>
          <ClockRow name="First response" clock={sla.first_response} />
          <ClockRow name="Resolution" clock={sla.resolution} />
        </>
      ) : (
        <p className="muted small">
          No SLA policy yet. <Link to="/settings/sla">Set one up</Link> to track response and resolution times.
        </p>
      )}
    </section>
  );
}
