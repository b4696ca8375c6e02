// Reply to the customer or write an internal note; the two modes look different so a note is never
// sent to a customer by mistake. Drafts are kept per ticket and mode. A reply carries the ticket
// version its draft was started on, so the server can stop it when the customer or a teammate wrote
// meanwhile (draft conflict) or a teammate holds a claim; the user then reads and sends anyway or not.
import { CharCount } from "../../ui/CharCount";
import { LIMITS } from "../../lib/limits";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { isTyping } from "../../lib/keyboard";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { ApiError, messageOf } from "../../api/problem";
import { invalidateTicket } from "../../api/queries/invalidate";
import { replyAddressQuery } from "../../api/queries/tickets";
import { loadDraft, saveDraft } from "../../lib/drafts";
import { InlineError } from "../../ui/states";
import { useMentionPicker } from "../../ui/Mentions";
import { useDirectory } from "../../api/queries/directory";
import { bytes } from "../../lib/format";
import { messageBody, readyIds, uploadFile, uploading, type ReplyFile } from "./replyFiles";
import { ticketUploadSteps } from "./ticketUpload";

type Mode = "reply" | "note";

/** A reply often ends a turn: the status to move the ticket to right after sending it. */
const THEN = [
  { status: "", name: "Send reply" },
  { status: "pending", name: "Send and set pending" },
  { status: "solved", name: "Send and solve" },
] as const;

export function Composer({
  ticketId,
  version,
  nameOf,
  onTyping,
}: {
  ticketId: string;
  /** The ticket's version as shown. */
  version: number;
  nameOf: (userId: string) => string;
  onTyping: (active: boolean) => void;
}) {
  // The version the reply draft was started on (null: no draft yet, or it predates this page).
  const [base, setBase] = useState<number | null>(null);
  const [mode, setMode] = useState<Mode>("reply");
  const [drafts, setDrafts] = useState(() => ({ reply: loadDraft(ticketId, "reply"), note: loadDraft(ticketId, "note") }));
  const queries = useQueryClient();
  const text = drafts[mode];
  const area = useRef<HTMLTextAreaElement>(null);
  const directory = useDirectory();
  // Every public reply also goes to the customer by e-mail, ending with the workspace's signature.
  const replyAddress = useQuery(replyAddressQuery(ticketId));
  // r: reply, i: internal note — from anywhere on the ticket page.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target)) return;
      if (event.key !== "r" && event.key !== "i") return;
      event.preventDefault();
      setMode(event.key === "r" ? "reply" : "note");
      area.current?.focus();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  const [then, setThen] = useState<string>("");
  // Files going with the reply, uploaded as they are picked.
  const [files, setFiles] = useState<ReplyFile[]>([]);
  const patchFile = (key: string, change: Partial<ReplyFile>) =>
    setFiles((current) => current.map((file) => (file.key === key ? { ...file, ...change } : file)));
  const attach = (picked: File[]) => {
    const steps = ticketUploadSteps(ticketId);
    for (const file of picked) {
      const key = `${file.name}-${file.size}-${Math.random().toString(36).slice(2)}`;
      setFiles((current) => [...current, { key, name: file.name, size: file.size, progress: 0 }]);
      uploadFile(steps, file, (progress) => patchFile(key, { progress }))
        .then((id) => patchFile(key, { id, progress: 1 }))
        .catch((error: unknown) => patchFile(key, { error: messageOf(error) }));
    }
  };
  const send = useMutation({
    mutationFn: async (body: { body: string; internal: boolean; then?: string; confirm?: boolean }) => {
      const message = await call(
        api.POST("/api/v1/tickets/{id}/messages", {
          params: { path: { id: ticketId } },
          body: messageBody({
            body: body.body,
            internal: body.internal,
            draftVersion: base ?? version,
            confirm: body.confirm,
            attachmentIds: body.internal ? [] : readyIds(files),
          }),
        }),
      );
      if (!body.internal) {
        setBase(null);
        setFiles([]);
      }
      // Sent: the draft goes now, whatever happens to the status change.
      const kind: Mode = body.internal ? "note" : "reply";
      saveDraft(ticketId, kind, "");
      setDrafts((current) => ({ ...current, [kind]: "" }));
      // The status choice was for this reply: the next one starts from "Keep the status" again.
      if (!body.internal) setThen("");
      onTyping(false);
      if (body.then) {
        try {
          // The message raised the ticket's version: read it, then change the status on top of it.
          const current = await call(api.GET("/api/v1/tickets/{id}", { params: { path: { id: ticketId } } }));
          await call(
            api.PATCH("/api/v1/tickets/{id}", { params: { path: { id: ticketId } }, body: { status: body.then, version: current.ticket.version } }),
          );
        } catch (error) {
          throw new Error(`Your reply was sent, but the status did not change: ${messageOf(error)}`, { cause: error });
        }
      }
      return message;
    },
    onSettled: () => invalidateTicket(queries, { id: ticketId }),
  });
  const change = (value: string) => {
    if (mode === "reply" && !drafts.reply && value) setBase(version);
    setDrafts((current) => ({ ...current, [mode]: value }));
    saveDraft(ticketId, mode, value);
    onTyping(value.length > 0);
  };
  // Only notes mention: a reply goes to the customer.
  const mentions = useMentionPicker({ text, setText: (value) => change(value), area, members: directory.members, enabled: mode === "note" });
  const submit = (event?: FormEvent, confirm = false) => {
    event?.preventDefault();
    if (!text.trim() || send.isPending || (mode === "reply" && uploading(files))) return;
    send.mutate({ body: text, internal: mode === "note", then: mode === "reply" ? then : undefined, confirm });
  };
  const collision = send.error instanceof ApiError && ["draft-conflict", "ticket-claimed"].includes(send.error.slug) ? send.error : null;
  return (
    <form className={`composer composer-${mode}`} onSubmit={submit} aria-label={mode === "note" ? "Internal note" : "Reply"}>
      <div className="composer-tabs" role="radiogroup" aria-label="Message kind">
        <button type="button" role="radio" aria-checked={mode === "reply"} className={mode === "reply" ? "active" : ""} onClick={() => setMode("reply")}>
          Reply to customer
        </button>
        <button type="button" role="radio" aria-checked={mode === "note"} className={mode === "note" ? "active note" : ""} onClick={() => setMode("note")}>
          Internal note
        </button>
      </div>
      <label htmlFor="composer-text" className="sr-only">
        {mode === "note" ? "Internal note, visible to your team only" : "Reply, sent to the customer"}
      </label>
      <textarea
        ref={area}
        id="composer-text"
        value={text}
        onChange={(e) => {
          change(e.target.value);
          mentions.onCaret();
        }}
        onSelect={mentions.onCaret}
        onKeyDown={(e) => {
          if (mentions.onKeyDown(e)) return;
          if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) submit();
          if (e.key === "Escape") e.currentTarget.blur();
        }}
        rows={5}
        maxLength={LIMITS.messageBody}
        aria-describedby="composer-count"
        placeholder={mode === "note" ? "Write a note only your team will see…" : "Write a reply to the customer…"}
      />
      {mentions.picker}
      <CharCount id="composer-count" length={text.length} max={LIMITS.messageBody} />
      {mode === "reply" && <ReplySignature signature={replyAddress.data?.signature} />}
      {mode === "reply" && (
        <div className="composer-files">
          {files.length > 0 && (
            <ul className="files" aria-label="Files with this reply" data-testid="reply-files">
              {files.map((file) => (
                <li key={file.key}>
                  <span className="file-name">{file.name}</span>
                  <span className="muted small">{bytes(file.size)}</span>
                  {file.error ? (
                    <span className="inline-error small" role="alert">
                      {file.error}
                    </span>
                  ) : (
                    !file.id && (
                      <progress max={1} value={file.progress} aria-label={`Uploading ${file.name}`}>
                        {Math.round(file.progress * 100)}%
                      </progress>
                    )
                  )}
                  <button
                    type="button"
                    className="link small"
                    aria-label={`Do not send ${file.name}`}
                    onClick={() => setFiles((current) => current.filter((other) => other.key !== file.key))}
                    title="Leaves it among the ticket's attachments, not sent with this reply"
                  >
                    Do not send
                  </button>
                </li>
              ))}
            </ul>
          )}
          <input
            type="file"
            className="sr-only"
            id="reply-files"
            multiple
            onChange={(event) => {
              attach(Array.from(event.target.files ?? []));
              event.target.value = "";
            }}
          />
          <label htmlFor="reply-files" className="button small ghost">
            Attach files to the reply
          </label>
        </div>
      )}
      <div className="composer-foot">
        <span className="muted small">
          {mode === "note" ? "Only your team sees notes; @ mentions a teammate." : "The customer sees replies."} <kbd>Ctrl</kbd>+<kbd>Enter</kbd> sends · <kbd>r</kbd> reply ·{" "}
          <kbd>i</kbd> note · <kbd>u</kbd> back to the inbox
        </span>
        <span className="row tight">
          {mode === "reply" && (
            <select aria-label="After sending" value={then} onChange={(e) => setThen(e.target.value)} className="then">
              <option value="">Keep the status</option>
              <option value="pending">Then set pending</option>
              <option value="solved">Then solve</option>
            </select>
          )}
          <button type="submit" className={`button ${mode === "note" ? "note" : "primary"}`} disabled={!text.trim() || send.isPending || (mode === "reply" && uploading(files))}>
            {send.isPending ? "Sending…" : mode === "note" ? "Add note" : (THEN.find((t) => t.status === then)?.name ?? "Send reply")}
          </button>
        </span>
      </div>
      {collision ? (
        <Collision
          problem={collision}
          nameOf={nameOf}
          onSendAnyway={() => submit(undefined, true)}
          onReview={() => {
            // Draft on what is there now; the new messages show above.
            if (typeof collision.problem.current_version === "number") setBase(collision.problem.current_version);
            send.reset();
          }}
        />
      ) : (
        <InlineError error={send.error} />
      )}
    </form>
  );
}

/**
 * Under the reply box: the workspace's signature, which the e-mail of the reply ends with (the ticket
 * keeps the reply as written; notes are never sent, so they never show it). Nothing when there is none.
 */
export function ReplySignature({ signature }: { signature: string | null | undefined }) {
  const text = signature?.trim();
  if (!text) return null;
  return (
    <div className="composer-signature" data-testid="reply-signature">
      <span className="muted small">The e-mail to the customer ends with the workspace signature:</span>
      <pre className="mail-preview" aria-label="Signature added to the e-mail">{`-- \n${text}`}</pre>
    </div>
  );
}

interface NewMessage {
  author?: string;
  author_id?: string;
  /** The member's or the customer's name, on servers that send it. */
  author_name?: string | null;
  body?: string;
  internal?: boolean;
}

function Collision({
  problem,
  nameOf,
  onSendAnyway,
  onReview,
}: {
  problem: ApiError;
  nameOf: (userId: string) => string;
  onSendAnyway: () => void;
  onReview: () => void;
}) {
  const claim = problem.problem.claim as { user_id?: string; expires_at?: string } | undefined;
  const messages = (Array.isArray(problem.problem.messages) ? problem.problem.messages : []) as NewMessage[];
  return (
    <div className="collision" role="alert" data-testid="collision">
      {problem.slug === "ticket-claimed" && claim?.user_id ? (
        <p>
          <strong>{nameOf(claim.user_id)}</strong> is working on this ticket
          {claim.expires_at ? ` until ${new Date(claim.expires_at).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })}` : ""}. Your
          reply was not sent.
        </p>
      ) : (
        <>
          <p>New messages arrived while you were writing; your reply was not sent:</p>
          <ul>
            {messages.map((message, index) => (
              <li key={index}>
                <span className="muted small">{message.author_name ?? (message.author === "customer" ? "Customer" : nameOf(message.author_id ?? ""))}:</span> {message.body}
              </li>
            ))}
          </ul>
        </>
      )}
      <div className="row tight">
        <button type="button" className="button primary small" onClick={onSendAnyway}>
          Send anyway
        </button>
        <button type="button" className="button ghost small" onClick={onReview}>
          Review first
        </button>
      </div>
    </div>
  );
}
