// Connect Slack: an incoming-webhook URL and which events to post there. The connection then appears in
// the endpoint list (kind slack), with the same delivery log, replays and pause/enable as a webhook.
import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { ApiError } from "../../api/problem";
import { invalidateWebhooks } from "../../api/queries/invalidate";
import { InlineError } from "../../ui/states";
import { Field } from "../auth/AuthFrame";
import { SLACK_EVENTS, SLACK_HOOKS, toggle } from "./catalog";

const FIRST_CHOICE = ["ticket.urgent_created", "sla.breached"];

export function SlackConnect() {
  const queries = useQueryClient();
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<string[]>(FIRST_CHOICE);
  const [connected, setConnected] = useState(false);
  const connect = useMutation({
    mutationFn: () => call(api.POST("/api/v1/integrations/slack", { body: { url: url.trim(), events } })),
    onSuccess: () => {
      setConnected(true);
      setUrl("");
      setEvents(FIRST_CHOICE);
      invalidateWebhooks(queries);
    },
  });
  const fieldError = (field: string) => (connect.error instanceof ApiError ? connect.error.fieldError(field) : undefined);
  // Said before sending, so a pasted channel link or a typo is caught where it was made.
  const urlHint = url.trim() && !url.trim().startsWith(SLACK_HOOKS) ? `A Slack incoming-webhook URL starts with ${SLACK_HOOKS}` : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setConnected(false);
    connect.mutate();
  };
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="Connect Slack">
      <h3>Slack</h3>
      <p className="muted small">
        Post short messages to a Slack channel. In Slack, add an <em>Incoming Webhooks</em> app to the channel and paste its URL here.
      </p>
      <Field label="Slack webhook URL" error={fieldError("url") ?? urlHint}>
        {(props) => <input {...props} type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder={`${SLACK_HOOKS}services/T…/B…/…`} />}
      </Field>
      <fieldset className="scopes">
        <legend>Post to Slack when</legend>
        {SLACK_EVENTS.map(({ type, meaning }) => (
          <label key={type} className="checkbox">
            <input type="checkbox" checked={events.includes(type)} onChange={(e) => setEvents(toggle(events, type, e.target.checked))} /> {meaning}
          </label>
        ))}
      </fieldset>
      {fieldError("events") && <p className="field-error">{fieldError("events")}</p>}
      <InlineError error={connect.error instanceof ApiError && connect.error.slug === "validation-failed" ? null : connect.error} />
      {connected && (
        <p className="notice" role="status">
          Slack connected. It is listed with your endpoints below.
        </p>
      )}
      <button type="submit" className="button primary" disabled={connect.isPending}>
        Connect Slack
      </button>
    </form>
  );
}
