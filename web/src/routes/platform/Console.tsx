// The platform console, for staff: every workspace (or a search) with its plan (changed in place), usage
// and subscription, the plan catalog, and the audit log of staff actions.
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { platformKeys } from "../../api/queries/keys";
import { auditQuery, changeWorkspacePlan, plansQuery, workspaceSearchQuery, workspacesQuery } from "../../api/queries/platform";
import type { Schemas } from "../../api/types";
import { staffSession } from "../../auth";
import { bytes, label, relativeTime } from "../../lib/format";
import { Empty, ErrorState, InlineError, Loading } from "../../ui/states";
import { PlatformShell } from "./Shell";

type Plan = { id: string; name: string; available: boolean };

/** The workspace's plan as a picker of the available plans (its own plan stays listed if retired). */
function PlanPicker({ workspace, plans }: { workspace: { id: string; name: string; plan: string }; plans: Plan[] }) {
  const queries = useQueryClient();
  const change = useMutation({
    mutationFn: (plan: string) => changeWorkspacePlan(workspace.id, plan),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: platformKeys.workspaces() });
      void queries.invalidateQueries({ queryKey: platformKeys.audit() });
    },
  });
  const choices = plans.filter((plan) => plan.available || plan.id === workspace.plan);
  return (
    <>
      <select aria-label={`Plan of ${workspace.name}`} value={workspace.plan} disabled={change.isPending} onChange={(event) => change.mutate(event.target.value)}>
        {choices.map((plan) => (
          <option key={plan.id} value={plan.id}>
            {plan.name}
          </option>
        ))}
      </select>
      <InlineError error={change.error} />
    </>
  );
}

const limit = (value: number | null | undefined, format: (n: number) => string = String) => (value === null || value === undefined ? "unlimited" : format(value));

function PlanCatalog() {
  const plans = useQuery(plansQuery());
  if (plans.isPending) return <Loading />;
  if (plans.isError) return <ErrorState error={plans.error} retry={() => void plans.refetch()} />;
  return (
    <table className="table" aria-label="Plans">
      <thead>
        <tr>
          <th scope="col">Plan</th>
          <th scope="col">Seats</th>
          <th scope="col">Tickets / month</th>
          <th scope="col">Storage</th>
          <th scope="col">Webhooks</th>
          <th scope="col">API / min</th>
          <th scope="col">Stripe price</th>
          <th scope="col">Available</th>
        </tr>
      </thead>
      <tbody>
        {plans.data.items.map((plan) => (
          <tr key={plan.id}>
            <td className="strong">
              {plan.name} <span className="muted">{plan.id}</span>
            </td>
            <td>{limit(plan.limits.seats)}</td>
            <td>{limit(plan.limits.tickets_per_month)}</td>
            <td>{limit(plan.limits.storage_bytes, bytes)}</td>
            <td>{limit(plan.limits.webhooks)}</td>
            <td>{limit(plan.limits.api_requests_per_minute)}</td>
            <td className="muted">{plan.stripe_price_id ?? "none"}</td>
            <td>{plan.available ? "yes" : "retired"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AuditLog() {
  const audit = useQuery(auditQuery());
  if (audit.isPending) return <Loading />;
  if (audit.isError) return <ErrorState error={audit.error} retry={() => void audit.refetch()} />;
  if (audit.data.items.length === 0) return <Empty title="No staff actions yet" />;
  const plan = (value: unknown) => (value && typeof value === "object" && "plan" in value ? String((value as { plan: unknown }).plan) : null);
  return (
    <table className="table" aria-label="Audit log">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Action</th>
          <th scope="col">Target</th>
          <th scope="col">Change</th>
        </tr>
      </thead>
      <tbody>
        {audit.data.items.map((entry) => (
          <tr key={entry.id}>
            <td className="muted">{relativeTime(entry.at)}</td>
            <td>{entry.action}</td>
            <td>{entry.target}</td>
            <td>{plan(entry.before) || plan(entry.after) ? `${plan(entry.before) ?? "none"} → ${plan(entry.after) ?? "none"}` : ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The search box: submitted, it lists the matches instead of every workspace. */
function SearchBox({ value, onSearch }: { value: string; onSearch: (q: string) => void }) {
  const [text, setText] = useState(value);
  return (
    <form
      role="search"
      className="platform-search"
      onSubmit={(event) => {
        event.preventDefault();
        onSearch(text.trim());
      }}
    >
      <input
        type="search"
        aria-label="Search workspaces"
        placeholder="Name, owner's e-mail or workspace id"
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <button type="submit" className="button">
        Search
      </button>
      {value && (
        <button
          type="button"
          className="button ghost"
          onClick={() => {
            setText("");
            onSearch("");
          }}
        >
          Show all
        </button>
      )}
    </form>
  );
}

type Row = Schemas["DirectoryEntry"];

function WorkspaceTable({ items, plans }: { items: Row[]; plans: Plan[] | undefined }) {
  return (
    <table className="table" aria-label="Workspaces">
      <thead>
        <tr>
          <th scope="col">Workspace</th>
          <th scope="col">Plan</th>
          <th scope="col">Seats</th>
          <th scope="col">Tickets this month</th>
          <th scope="col">Storage</th>
          <th scope="col">API calls</th>
          <th scope="col">Subscription</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {items.map((workspace) => (
          <tr key={workspace.id}>
            <td className="strong">
              <Link to={`/platform/workspaces/${workspace.id}`}>{workspace.name}</Link>
            </td>
            <td>{plans ? <PlanPicker workspace={workspace} plans={plans} /> : label(workspace.plan)}</td>
            <td>
              {workspace.seats_used} / {limit(workspace.seat_limit)}
            </td>
            <td>{workspace.tickets_this_month}</td>
            <td>{bytes(workspace.storage_bytes)}</td>
            <td>{workspace.api_calls_this_month}</td>
            <td>{workspace.subscription_status ? label(workspace.subscription_status) : <span className="muted">none</span>}</td>
            <td className="muted">{relativeTime(workspace.created_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Component() {
  const session = staffSession();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const workspaces = useInfiniteQuery({ ...workspacesQuery(), enabled: Boolean(session) && !q });
  const found = useQuery({ ...workspaceSearchQuery(q), enabled: Boolean(session) && Boolean(q) });
  const plans = useQuery({ ...plansQuery(), enabled: Boolean(session) });
  const listing = q ? found : workspaces;
  const items = q ? (found.data?.items ?? []) : (workspaces.data?.pages.flatMap((page) => page.items) ?? []);
  return (
    <PlatformShell>
      <h1>Workspaces</h1>
      <SearchBox value={q} onSearch={(next) => setParams(next ? { q: next } : {})} />
      {listing.isPending ? (
        <Loading />
      ) : listing.isError ? (
        <ErrorState error={listing.error} retry={() => void listing.refetch()} />
      ) : items.length === 0 ? (
        <Empty title={q ? `No workspace matches “${q}”` : "No workspaces yet"} />
      ) : (
        <WorkspaceTable items={items} plans={plans.data?.items} />
      )}
      {!q && workspaces.hasNextPage && (
        <button type="button" className="button" onClick={() => void workspaces.fetchNextPage()}>
          Load more
        </button>
      )}
      <h2>Plans</h2>
      <PlanCatalog />
      <h2>Audit log</h2>
      <AuditLog />
    </PlatformShell>
  );
}
