// System health for staff: dead letters, webhook failures, the SLA scan, the API's 5xx and throttle
// rates and the outbox stream's lag, each marked ok / watch / act. Refreshed every minute.
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { healthQuery } from "../../api/queries/platform";
import { relativeTime } from "../../lib/format";
import { healthSignals, overall, type SignalState } from "../../lib/platformHealth";
import { ErrorState, Loading } from "../../ui/states";
import { PlatformShell } from "./Shell";

const WINDOWS = [15, 60, 360, 1440] as const;
const STATE_LABEL: Record<SignalState, string> = { ok: "OK", warn: "Watch", alert: "Act" };

export function HealthOverview() {
  const [minutes, setMinutes] = useState<(typeof WINDOWS)[number]>(60);
  const health = useQuery(healthQuery(minutes));
  return (
    <section aria-label="System health">
      <div role="group" aria-label="Window" className="segmented">
        {WINDOWS.map((window) => (
          <button key={window} type="button" className={window === minutes ? "button small active" : "button small ghost"} aria-pressed={window === minutes} onClick={() => setMinutes(window)}>
            {window < 60 ? `${window} min` : `${window / 60} h`}
          </button>
        ))}
      </div>
      {health.isPending ? (
        <Loading />
      ) : health.isError ? (
        <ErrorState error={health.error} retry={() => void health.refetch()} />
      ) : (
        (() => {
          const signals = healthSignals(health.data);
          const state = overall(signals);
          return (
            <>
              <p className={`health-overall health-${state}`} role="status">
                {state === "ok" ? "All clear" : state === "warn" ? "Something to watch" : "Something needs action"} · read {relativeTime(health.data.read_at)} from{" "}
                {health.data.source === "cloudwatch" ? "CloudWatch" : "the local stack's counters"}
              </p>
              <table className="table" aria-label="Health signals">
                <thead>
                  <tr>
                    <th scope="col">Signal</th>
                    <th scope="col">Value</th>
                    <th scope="col">State</th>
                    <th scope="col">Meaning</th>
                  </tr>
                </thead>
                <tbody>
                  {signals.map((signal) => (
                    <tr key={signal.label}>
                      <td>{signal.label}</td>
                      <td className="strong">{signal.value}</td>
                      <td>
                        <span className={`badge health-${signal.state}`}>{STATE_LABEL[signal.state]}</span>
                      </td>
                      <td className="muted">{signal.hint}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          );
        })()
      )}
    </section>
  );
}

export function Component() {
  return (
    <PlatformShell>
      <h1>System health</h1>
      <HealthOverview />
    </PlatformShell>
  );
}
