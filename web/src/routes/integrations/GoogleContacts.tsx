// Google Contacts: the member connects their own Google account (a redirect to Google's consent and
// back to the callback page), chooses what contacts land as and what a deletion does, and sees how
// syncing goes. docs/google-contacts.md.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { googleContactsQuery } from "../../api/queries/integrations";
import { integrationKeys } from "../../api/queries/keys";
import { usePermission } from "../../api/queries/members";
import type { Schemas } from "../../api/types";
import { ErrorState, InlineError, Loading } from "../../ui/states";

type Target = Schemas["SyncTarget"];
type Deletion = Schemas["DeletionPolicy"];
type View = Schemas["GoogleContactsView"];

const DELETION_LABELS: Record<Deletion, string> = {
  ignore: "Keep the record",
  archive: "Keep it, marked google_contact = deleted",
  delete: "Delete the lead",
};

function when(value: string | null | undefined) {
  return value ? new Date(value).toLocaleString() : "never";
}

export function Component() {
  const connection = useQuery(googleContactsQuery());
  const queries = useQueryClient();
  const canCustomers = usePermission("customers:write") ?? false;
  const canLeads = usePermission("sales:write") ?? false;
  const [target, setTarget] = useState<Target>("customers");
  const [deletion, setDeletion] = useState<Deletion>("ignore");
  const [twoWay, setTwoWay] = useState(false);
  const store = (view: View) => queries.setQueryData(integrationKeys.googleContacts(), view);

  const connect = useMutation({
    mutationFn: () =>
      call(api.POST("/api/v1/integrations/google-contacts/authorize", { body: { target, deletion, two_way: twoWay } })),
    onSuccess: (authorization) => window.location.assign(authorization.authorize_url),
  });
  const configure = useMutation({
    mutationFn: (change: Schemas["UpdateGoogleContactsRequest"]) =>
      call(api.PATCH("/api/v1/integrations/google-contacts", { body: change })),
    onSuccess: store,
  });
  const syncNow = useMutation({
    mutationFn: () => call(api.POST("/api/v1/integrations/google-contacts/sync")),
    onSuccess: store,
  });
  const disconnect = useMutation({
    mutationFn: () => call(api.DELETE("/api/v1/integrations/google-contacts")),
    onSuccess: () => void queries.invalidateQueries({ queryKey: integrationKeys.googleContacts() }),
  });

  if (connection.isPending) return <Loading />;
  if (connection.isError) return <ErrorState error={connection.error} retry={() => void connection.refetch()} />;
  const view = connection.data;

  if (!view.connected) {
    const allowed = target === "customers" ? canCustomers : canLeads;
    return (
      <section aria-labelledby="google-title">
        <h2 id="google-title">Google Contacts</h2>
        <p className="muted">
          Connect your Google account: your contacts land here as customers or leads, matched by e-mail and never
          duplicated, and stay current (every 15 minutes, or when you sync now).
        </p>
        <form
          className="card"
          onSubmit={(event) => {
            event.preventDefault();
            connect.mutate();
          }}
        >
          <label>
            Contacts land as
            <select value={target} onChange={(e) => setTarget(e.target.value as Target)}>
              <option value="customers">Customers</option>
              <option value="leads">Leads</option>
            </select>
          </label>
          <label>
            When a contact is deleted in Google
            <select value={deletion} onChange={(e) => setDeletion(e.target.value as Deletion)}>
              <option value="ignore">{DELETION_LABELS.ignore}</option>
              <option value="archive">{DELETION_LABELS.archive}</option>
              {target === "leads" && <option value="delete">{DELETION_LABELS.delete}</option>}
            </select>
          </label>
          {target === "customers" && (
            <label className="checkbox">
              <input type="checkbox" checked={twoWay} onChange={(e) => setTwoWay(e.target.checked)} />
              Two-way: also make contacts of customers Google lacks and write changes back (asks for write
              access; when both sides change, Google wins)
            </label>
          )}
          <InlineError error={connect.error} />
          <button type="submit" className="primary" disabled={!allowed || connect.isPending}>
            Connect Google
          </button>
          {!allowed && <p className="muted">Your role cannot create {target}.</p>}
        </form>
      </section>
    );
  }

  const sync = view.sync;
  return (
    <section aria-labelledby="google-title">
      <h2 id="google-title">Google Contacts</h2>
      <div className="card">
        <p>
          Connected {when(view.connected_at)} · {view.two_way ? "two-way" : "read only"}
        </p>
        <label>
          Contacts land as
          <select
            value={view.target ?? "customers"}
            onChange={(e) => configure.mutate({ target: e.target.value as Target })}
            disabled={configure.isPending}
          >
            <option value="customers">Customers</option>
            <option value="leads">Leads</option>
          </select>
        </label>
        <label>
          When a contact is deleted in Google
          <select
            value={view.deletion ?? "ignore"}
            onChange={(e) => configure.mutate({ deletion: e.target.value as Deletion })}
            disabled={configure.isPending}
          >
            <option value="ignore">{DELETION_LABELS.ignore}</option>
            <option value="archive">{DELETION_LABELS.archive}</option>
            {view.target === "leads" && <option value="delete">{DELETION_LABELS.delete}</option>}
          </select>
        </label>
        {view.target === "customers" && (
          <label className="checkbox">
            <input
              type="checkbox"
              checked={view.two_way ?? false}
              onChange={(e) => configure.mutate({ two_way: e.target.checked })}
              disabled={configure.isPending}
            />
            Two-way (needs a connection made with two-way)
          </label>
        )}
        <InlineError error={configure.error} />
      </div>
      {sync && (
        <div className="card" aria-label="Sync status">
          <h3>Sync status</h3>
          <dl>
            <dt>Last sync</dt>
            <dd>{when(sync.last_sync_at)}</dd>
            <dt>Last success</dt>
            <dd>{when(sync.last_success_at)}</dd>
            <dt>Last run</dt>
            <dd>
              {sync.last_run.imported} imported · {sync.last_run.updated} updated · {sync.last_run.deleted} deleted ·{" "}
              {sync.last_run.skipped} skipped
            </dd>
            <dt>Since connecting</dt>
            <dd>
              {sync.totals.imported} imported · {sync.totals.updated} updated · {sync.totals.deleted} deleted
              {view.two_way &&
                ` · ${sync.totals.exported ?? 0} written to Google · ${sync.totals.conflicts ?? 0} conflicts (Google won)`}
            </dd>
            {sync.last_error && (
              <>
                <dt>Last error</dt>
                <dd role="alert">{sync.last_error}</dd>
              </>
            )}
            {sync.resume_after && (
              <>
                <dt>Resumes after</dt>
                <dd>{when(sync.resume_after)}</dd>
              </>
            )}
          </dl>
          {sync.needs_reconnect && <p role="alert">Google no longer accepts this connection: disconnect and connect again.</p>}
        </div>
      )}
      <InlineError error={syncNow.error ?? disconnect.error} />
      <div className="actions">
        <button type="button" className="primary" onClick={() => syncNow.mutate()} disabled={syncNow.isPending}>
          {syncNow.isPending ? "Syncing…" : "Sync now"}
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => {
            if (window.confirm("Disconnect Google? Access is revoked; imported records stay.")) disconnect.mutate();
          }}
          disabled={disconnect.isPending}
        >
          Disconnect
        </button>
      </div>
    </section>
  );
}
