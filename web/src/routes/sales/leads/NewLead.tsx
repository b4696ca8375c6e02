// A new lead. An e-mail another lead already has is refused (409 duplicate-lead): the form links to that
// lead, and offers to add what was typed to it instead (`?on_duplicate=merge`).
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../../api/client";
import { ApiError } from "../../../api/problem";
import { invalidateLeads, leadKeys } from "../../../api/queries/sales";
import { InlineError } from "../../../ui/states";
import { LeadFields, onlyFieldErrors } from "./LeadFields";
import { createBody, emptyLeadForm, scoreError } from "./leadForm";

export function Component() {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [form, setForm] = useState(emptyLeadForm);
  const save = useMutation({
    mutationFn: (merge: boolean) =>
      call(api.POST("/api/v1/leads", { params: { query: merge ? { on_duplicate: "merge" } : {} }, body: createBody(form) })),
    onSuccess: (lead) => {
      queries.setQueryData(leadKeys.detail(lead.id), lead);
      invalidateLeads(queries, [lead.id]);
      navigate(`/sales/leads/${lead.id}`);
    },
  });
  const error = save.error;
  const existing = error instanceof ApiError && error.slug === "duplicate-lead" && typeof error.problem.existing_lead_id === "string" ? error.problem.existing_lead_id : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!scoreError(form)) save.mutate(false);
  };
  return (
    <div className="page narrow">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/sales/leads">Leads</Link> <span aria-hidden="true">/</span> New lead
      </nav>
      <h1>New lead</h1>
      <form className="card form" onSubmit={submit} noValidate>
        <LeadFields form={form} setForm={setForm} error={error} />
        {existing ? (
          <div className="notice" role="alert" data-testid="duplicate-lead">
            <p>
              A lead with this e-mail already exists: <Link to={`/sales/leads/${existing}`}>open the existing lead</Link>.
            </p>
            <button type="button" className="button small" onClick={() => save.mutate(true)} disabled={save.isPending}>
              Add these details to it
            </button>
          </div>
        ) : (
          <InlineError error={onlyFieldErrors(error) ? null : error} />
        )}
        <div className="row end">
          <Link className="button ghost" to="/sales/leads">
            Cancel
          </Link>
          <button type="submit" className="button primary" disabled={save.isPending || !form.name.trim()}>
            Create lead
          </button>
        </div>
      </form>
    </div>
  );
}
