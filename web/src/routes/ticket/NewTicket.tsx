// Open a ticket on behalf of a customer (found by e-mail, or created).
import { CharCount } from "../../ui/CharCount";
import { LIMITS } from "../../lib/limits";
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { ApiError } from "../../api/problem";
import { invalidateTicket } from "../../api/queries/invalidate";
import { usePermission } from "../../api/queries/members";
import { useCategories } from "../../api/queries/settings";
import { label, PRIORITIES } from "../../lib/format";
import { Field } from "../auth/AuthFrame";
import { Forbidden, InlineError } from "../../ui/states";

export function Component() {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const canWrite = usePermission("tickets:write");
  const categories = useCategories();
  const [form, setForm] = useState({ subject: "", email: "", name: "", body: "", priority: "normal", category: "", tags: "" });
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: event.target.value }));
  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST("/api/v1/tickets", {
          body: {
            subject: form.subject,
            body: form.body,
            priority: form.priority,
            category: form.category || null,
            tags: form.tags ? form.tags.split(",").map((t) => t.trim()).filter(Boolean) : null,
            channel: "web",
            customer: { email: form.email, name: form.name || null },
          },
        }),
      ),
    onSuccess: (ticket) => {
      invalidateTicket(queries, { id: ticket.id, customerId: ticket.customer_id });
      navigate(`/tickets/${ticket.id}`);
    },
  });
  if (canWrite === false) return <Forbidden detail="Viewers can read tickets but not open them." />;
  const error = create.error;
  const fieldError = (field: string) => (error instanceof ApiError ? error.fieldError(field) : undefined);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  const taxonomy = categories.data?.categories ?? [];
  return (
    <div className="page narrow">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/inbox">Inbox</Link> <span aria-hidden="true">/</span> New ticket
      </nav>
      <h1>New ticket</h1>
      <form className="card form" onSubmit={submit} noValidate>
        <div className="grid-2">
          <Field label="Customer e-mail" error={fieldError("customer.email")}>
            {(props) => <input {...props} type="email" required value={form.email} onChange={set("email")} autoFocus />}
          </Field>
          <Field label="Customer name" error={fieldError("customer.name")}>
            {(props) => <input {...props} value={form.name} onChange={set("name")} />}
          </Field>
        </div>
        <Field label="Subject" error={fieldError("subject")}>
          {(props) => <input {...props} required maxLength={LIMITS.ticketSubject} value={form.subject} onChange={set("subject")} />}
        </Field>
        <CharCount length={form.subject.length} max={LIMITS.ticketSubject} />
        <Field label="What the customer asked" error={fieldError("body")}>
          {(props) => <textarea {...props} rows={6} required maxLength={LIMITS.messageBody} value={form.body} onChange={set("body")} />}
        </Field>
        <CharCount length={form.body.length} max={LIMITS.messageBody} />
        <div className="grid-3">
          <Field label="Priority" error={fieldError("priority")}>
            {(props) => (
              <select {...props} value={form.priority} onChange={set("priority")}>
                {PRIORITIES.map((p) => (
                  <option key={p} value={p}>
                    {label(p)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Category" error={fieldError("category")}>
            {(props) =>
              taxonomy.length ? (
                <select {...props} value={form.category} onChange={set("category")}>
                  <option value="">None</option>
                  {taxonomy.map((c) => (
                    <option key={c.name}>{c.name}</option>
                  ))}
                </select>
              ) : (
                <input {...props} value={form.category} onChange={set("category")} />
              )
            }
          </Field>
          <Field label="Tags" error={fieldError("tags")} hint="Separated by commas">
            {(props) => <input {...props} value={form.tags} onChange={set("tags")} />}
          </Field>
        </div>
        <InlineError error={error instanceof ApiError && error.slug === "validation-failed" && error.problem.errors?.length ? null : error} />
        {error instanceof ApiError && error.slug === "validation-failed" && (
          <p className="inline-error" role="alert">
            {error.message}
          </p>
        )}
        <div className="row end">
          <Link to="/inbox" className="button ghost">
            Cancel
          </Link>
          <button type="submit" className="button primary" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create ticket"}
          </button>
        </div>
      </form>
    </div>
  );
}
