// The e-mail channel's settings, for owners and admins: where mail arrives (the forwarding address and
// the workspace's own addresses), whose mail is refused, the signature of replies, the notifications to
// customers with a preview, and whether SES sends from the domain (the DKIM records to publish).
import { useState } from "react";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { ApiError } from "../../api/problem";
import { settingsKeys } from "../../api/queries/keys";
import { emailDomainQuery, emailSettingsQuery, rejectedEmailQuery } from "../../api/queries/settings";
import type { EmailSettings, SendingDomain } from "../../api/types";
import { dateTime } from "../../lib/format";
import { renderTemplate, SAMPLE_VALUES, templateProblem, withSignature } from "../../lib/emailTemplates";
import { ErrorState, InlineError, Loading } from "../../ui/states";

type Kind = "received" | "solved";

interface Notice {
  enabled: boolean;
  subject: string;
  body: string;
}

interface Form {
  addresses: { address: string; category: string }[];
  blocked: string;
  signature: string;
  notifications: Record<Kind, Notice>;
}

const NOTICES: { kind: Kind; title: string; when: string }[] = [
  {
    kind: "received",
    title: "Request received",
    when: "Sent once when a customer's e-mail opens a ticket, never to auto-responders, mailing lists or no-reply addresses.",
  },
  { kind: "solved", title: "Request solved", when: "Sent when a ticket that came in by e-mail is solved." },
];

function formOf(settings: EmailSettings): Form {
  return {
    addresses: settings.addresses.map((address) => ({ address: address.address, category: address.category ?? "" })),
    blocked: settings.blocked_senders.join("\n"),
    signature: settings.signature ?? "",
    notifications: {
      received: { ...settings.notifications.received },
      solved: { ...settings.notifications.solved },
    },
  };
}

export function Component() {
  const settings = useQuery(emailSettingsQuery());
  const queries = useQueryClient();
  const [form, setForm] = useState<Form | null>(null);
  const [saved, setSaved] = useState(false);
  // The form starts over from the server's settings each time they are (re)loaded.
  const [formFor, setFormFor] = useState<EmailSettings | undefined>(undefined);
  if (settings.data && settings.data !== formFor) {
    setFormFor(settings.data);
    setForm(formOf(settings.data));
  }
  const save = useMutation({
    mutationFn: (next: Form) =>
      call(
        api.PUT("/api/v1/settings/email", {
          body: {
            version: settings.data?.version,
            addresses: next.addresses
              .filter((row) => row.address.trim())
              .map((row) => ({ address: row.address.trim(), category: row.category.trim() || null })),
            blocked_senders: next.blocked
              .split("\n")
              .map((line) => line.trim())
              .filter(Boolean),
            signature: next.signature,
            notifications: next.notifications,
          },
        }),
      ),
    onSuccess: (view) => {
      queries.setQueryData(settingsKeys.email(), view);
      setSaved(true);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.slug === "version-conflict") void queries.invalidateQueries({ queryKey: settingsKeys.email() });
    },
  });
  if (settings.isError) return <ErrorState error={settings.error} retry={() => void settings.refetch()} />;
  if (settings.isPending || !form) return <Loading />;
  const known = settings.data.placeholders;
  const change = (next: Partial<Form>) => {
    setSaved(false);
    setForm({ ...form, ...next });
  };
  const changeNotice = (kind: Kind, next: Partial<Notice>) =>
    change({ notifications: { ...form.notifications, [kind]: { ...form.notifications[kind], ...next } } });
  const error = save.error instanceof ApiError ? save.error : null;
  const fieldError = (field: string) => error?.problem.errors?.find((e) => e.field === field)?.message;
  return (
    <section aria-labelledby="email-title">
      <h2 id="email-title">E-mail</h2>
      <p className="muted">
        Customers write to your support address; forward it to the address below and their mail becomes tickets. Replies go back from it, threaded.
      </p>
      <form
        className="card form"
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate(form);
        }}
      >
        <h3>Addresses</h3>
        <div className="field">
          <span id="forwarding-label">Forwarding address</span>
          <p>
            <code aria-labelledby="forwarding-label">{settings.data.forwarding_address}</code>
          </p>
          <p className="muted small">Forward support@yourcompany.com (and any other address) here. Messages over {Math.round(settings.data.max_message_bytes / 1024 / 1024)} MB are refused.</p>
        </div>
        {form.addresses.map((row, index) => (
          <div className="category-row" key={index}>
            <label className="grow">
              <span className="sr-only">Address {index + 1}</span>
              <input
                type="email"
                value={row.address}
                placeholder="billing@yourcompany.com"
                onChange={(e) => change({ addresses: form.addresses.map((r, i) => (i === index ? { ...r, address: e.target.value } : r)) })}
              />
            </label>
            <label>
              <span className="sr-only">Category for {row.address || `address ${index + 1}`}</span>
              <input
                value={row.category}
                placeholder="Category (optional)"
                onChange={(e) => change({ addresses: form.addresses.map((r, i) => (i === index ? { ...r, category: e.target.value } : r)) })}
              />
            </label>
            <button
              type="button"
              className="button ghost small"
              aria-label={`Remove ${row.address || "address"}`}
              onClick={() => change({ addresses: form.addresses.filter((_, i) => i !== index) })}
            >
              Remove
            </button>
            {fieldError(`addresses[${index}].address`) && <p className="field-error">{fieldError(`addresses[${index}].address`)}</p>}
          </div>
        ))}
        {form.addresses.length === 0 && <p className="muted small">No addresses of your own yet: add support@ or billing@ to give their tickets a category.</p>}
        <div className="row spaced">
          <button type="button" className="button" onClick={() => change({ addresses: [...form.addresses, { address: "", category: "" }] })}>
            Add an address
          </button>
        </div>
        <div className="field">
          <label htmlFor="blocked-senders">Blocked senders</label>
          <textarea
            id="blocked-senders"
            rows={3}
            value={form.blocked}
            placeholder={"spammer@example.com\n@junk.example"}
            onChange={(e) => change({ blocked: e.target.value })}
          />
          <p className="muted small">
            One address or @domain a line; their mail is kept in the rejected-mail log instead of becoming tickets.
          </p>
        </div>

        <h3>Signature</h3>
        <div className="field">
          <label htmlFor="signature">Signature of replies sent by e-mail</label>
          <textarea id="signature" rows={3} value={form.signature} onChange={(e) => change({ signature: e.target.value })} />
          {fieldError("signature") && <p className="field-error">{fieldError("signature")}</p>}
          <p className="muted small">Added below every public reply when it is e-mailed; the ticket keeps what the agent wrote. Internal notes are never sent.</p>
          {form.signature.trim() && (
            <pre className="mail-preview" aria-label="A reply with the signature">
              {withSignature("Thanks for waiting, the technician is on the way.", form.signature)}
            </pre>
          )}
        </div>

        <h3>Notifications to customers</h3>
        <p className="muted small">Placeholders: {known.map((name) => `{{${name}}}`).join(", ")}.</p>
        {NOTICES.map(({ kind, title, when }) => {
          const notice = form.notifications[kind];
          const subjectProblem = templateProblem(notice.subject, known);
          const bodyProblem = templateProblem(notice.body, known);
          const subjectError = fieldError(`notifications.${kind}.subject`) ?? (subjectProblem && `Subject ${subjectProblem}.`);
          const bodyError = fieldError(`notifications.${kind}.body`) ?? (bodyProblem && `Text ${bodyProblem}.`);
          return (
            <fieldset key={kind} className="notice">
              <legend>{title}</legend>
              <p className="muted small">{when}</p>
              <label className="checkbox">
                <input type="checkbox" checked={notice.enabled} onChange={(e) => changeNotice(kind, { enabled: e.target.checked })} /> Send it
              </label>
              <div className="grid-2">
                <div>
                  <div className="field">
                    <label htmlFor={`${kind}-subject`}>Subject</label>
                    <input id={`${kind}-subject`} value={notice.subject} onChange={(e) => changeNotice(kind, { subject: e.target.value })} />
                    {subjectError && <p className="field-error">{subjectError}</p>}
                  </div>
                  <div className="field">
                    <label htmlFor={`${kind}-body`}>Text</label>
                    <textarea id={`${kind}-body`} rows={7} value={notice.body} onChange={(e) => changeNotice(kind, { body: e.target.value })} />
                    {bodyError && <p className="field-error">{bodyError}</p>}
                  </div>
                </div>
                <div className="field" aria-label={`Preview of ${title}`}>
                  <span className="muted small">Preview</span>
                  <p>
                    <strong>{renderTemplate(notice.subject, SAMPLE_VALUES)}</strong>
                  </p>
                  <pre className="mail-preview">{renderTemplate(notice.body, SAMPLE_VALUES)}</pre>
                </div>
              </div>
            </fieldset>
          );
        })}
        <div className="row">
          <button type="submit" className="button primary" disabled={save.isPending}>
            Save e-mail settings
          </button>
          {saved && (
            <span className="muted small" role="status">
              Saved.
            </span>
          )}
        </div>
        <InlineError error={save.error} />
      </form>
      <SendingDomainCard />
      <RejectedMail />
    </section>
  );
}

const DOMAIN_STATUS: Record<SendingDomain["status"], { label: string; tone: string }> = {
  verified: { label: "Verified", tone: "delivery-delivered" },
  pending: { label: "Waiting for DNS records", tone: "delivery-pending" },
  failed: { label: "Verification failed", tone: "delivery-failed" },
  not_set_up: { label: "Not set up", tone: "delivery-failed" },
  unavailable: { label: "Could not check", tone: "delivery" },
};

function SendingDomainCard() {
  const domain = useQuery(emailDomainQuery());
  return (
    <div className="card" aria-labelledby="domain-title">
      <h3 id="domain-title">Sending domain</h3>
      {domain.isPending && <Loading label="Asking SES…" />}
      {domain.isError && <InlineError error={domain.error} />}
      {domain.data && (
        <>
          <p>
            Replies are sent from <code>{domain.data.domain}</code>{" "}
            <span className={`badge ${DOMAIN_STATUS[domain.data.status].tone}`}>{DOMAIN_STATUS[domain.data.status].label}</span>
          </p>
          {domain.data.detail && <p className="muted small">{domain.data.detail}</p>}
          {domain.data.dkim_records.length > 0 && (
            <table className="table compact">
              <caption className="left">DKIM records{domain.data.dkim_status ? ` (SES: ${domain.data.dkim_status})` : ""}</caption>
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Name</th>
                  <th scope="col">Value</th>
                </tr>
              </thead>
              <tbody>
                {domain.data.dkim_records.map((record) => (
                  <tr key={record.name}>
                    <td>{record.type}</td>
                    <td>
                      <code>{record.name}</code>
                    </td>
                    <td>
                      <code>{record.value}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <button type="button" className="button small spaced" onClick={() => void domain.refetch()} disabled={domain.isFetching}>
            Check again
          </button>
        </>
      )}
    </div>
  );
}

const REJECTION: Record<string, string> = {
  too_large: "Too large",
  auto_reply: "Auto-reply",
  bulk: "Bulk or list mail",
  loop: "Mail loop",
  spam: "Spam",
  virus: "Virus",
  blocked_sender: "Blocked sender",
  no_sender: "No sender",
  unreadable: "Not a readable message",
  ticket_limit: "Monthly ticket limit reached",
};

function RejectedMail() {
  const log = useInfiniteQuery(rejectedEmailQuery());
  const items = log.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <div className="card">
      <h3>Rejected mail</h3>
      <p className="muted small">Messages that did not become tickets, newest first. The raw message is kept 90 days.</p>
      {log.isPending && <Loading />}
      {log.isError && <InlineError error={log.error} />}
      {log.data && items.length === 0 && <p className="muted">Nothing was rejected.</p>}
      {items.length > 0 && (
        <table className="table compact">
          <thead>
            <tr>
              <th scope="col">Received</th>
              <th scope="col">From</th>
              <th scope="col">Subject</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id}>
                <td>{dateTime(item.received_at)}</td>
                <td>{item.from ?? "—"}</td>
                <td>{item.subject}</td>
                <td>{REJECTION[item.reason] ?? item.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {log.hasNextPage && (
        <button type="button" className="button small" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>
          Show older
        </button>
      )}
    </div>
  );
}
