// Converting a lead into a customer, in a dialog: into a customer found by e-mail (the API's match, or
// a new customer from the lead's details), or into one picked by hand; with a deal opened in the same
// transaction if asked. One request; on success the customer is one click away.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../../api/client";
import { customerSearchQuery } from "../../../api/queries/customers";
import { invalidateConversion, leadKeys, type Lead } from "../../../api/queries/sales";
import type { Schemas } from "../../../api/types";
import { ApiError } from "../../../api/problem";
import { parseMoney } from "../../../lib/money";
import { pipelinesQuery } from "../../../api/queries/deals";
import { InlineError } from "../../../ui/states";

export function ConvertLead({ lead, close }: { lead: Lead; close: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const queries = useQueryClient();
  const [target, setTarget] = useState<"match" | "existing">("match");
  const [search, setSearch] = useState("");
  const [customerId, setCustomerId] = useState("");
  const [deal, setDeal] = useState({ open: false, title: `${lead.company ?? lead.name} deal`, value: "", currency: "EUR", pipelineId: "", stageId: "" });
  const [done, setDone] = useState<Schemas["ConversionView"] | null>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);
  const customers = useQuery({ ...customerSearchQuery(search.trim().toLowerCase(), 8), enabled: target === "existing" && search.trim().length >= 2 });
  const [typed, setTyped] = useState<string | null>(null);
  const pipelines = useQuery({ ...pipelinesQuery(), enabled: deal.open });
  const pipeline = pipelines.data?.items.find((p) => p.id === deal.pipelineId) ?? pipelines.data?.items[0];
  const convert = useMutation({
    mutationFn: (value: number | undefined) => {
      const dealBody: Schemas["ConversionDealRequest"] | undefined =
        deal.open
          ? {
              title: deal.title.trim() || undefined,
              value,
              currency: deal.currency.trim() || undefined,
              pipeline_id: pipeline?.id,
              stage_id: deal.stageId || undefined,
            }
          : undefined;
      return call(
        api.POST("/api/v1/leads/{id}/convert", {
          params: { path: { id: lead.id } },
          body: { version: lead.version, customer_id: target === "existing" ? customerId : null, ...(dealBody ? { deal: dealBody } : {}) },
        }),
      );
    },
    onSuccess: (answer) => {
      setDone(answer);
      queries.setQueryData(leadKeys.detail(lead.id), answer.lead);
      invalidateConversion(queries, lead.id, answer.customer.id);
    },
  });
  const problem = convert.error instanceof ApiError ? convert.error : null;
  const fieldError = (field: string) => problem?.fieldError(`deal.${field}`) ?? problem?.fieldError(field);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // The value is typed in major units ("1250.50") and sent in the currency's minor units.
    const value = deal.open && deal.value.trim() ? parseMoney(deal.value, deal.currency || "EUR") : undefined;
    if (value === null) {
      setTyped("Value must be an amount of 0 or more, e.g. 1250 or 1250.50.");
      return;
    }
    setTyped(null);
    convert.mutate(value);
  };
  return (
    <dialog ref={dialog} className="dialog card" aria-labelledby="convert-title" onClose={close}>
      <h2 id="convert-title">Convert {lead.name}</h2>
      {done ? (
        <div role="status" data-testid="conversion-done">
          <p>
            {lead.name} is now {done.customer_created ? "a new customer" : "part of an existing customer"}:{" "}
            <Link to={`/customers/${done.customer.id}`}>{done.customer.name ?? done.customer.email}</Link>.
            {done.deal && (
              <>
                {" "}
                A deal was opened: <Link to={`/sales/deals/${done.deal.id}`}>{done.deal.title}</Link>.
              </>
            )}
          </p>
          <div className="row end">
            <button type="button" className="button" onClick={() => dialog.current?.close()}>
              Close
            </button>
          </div>
        </div>
      ) : (
        <form className="form" onSubmit={submit}>
          <fieldset>
            <legend>Into which customer</legend>
            <label className="checkbox">
              <input type="radio" name="convert-target" checked={target === "match"} onChange={() => setTarget("match")} />
              {lead.email ? `The customer with ${lead.email}, or a new one from this lead` : "A new customer from this lead"}
            </label>
            <label className="checkbox">
              <input type="radio" name="convert-target" checked={target === "existing"} onChange={() => setTarget("existing")} />
              An existing customer I pick
            </label>
          </fieldset>
          {target === "existing" && (
            <div className="field">
              <label htmlFor="convert-search">Customer e-mail starts with</label>
              <input id="convert-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} autoComplete="off" />
              {customers.data && customers.data.items.length === 0 && <p className="muted small">No customer found.</p>}
              <ul className="pick-list">
                {customers.data?.items.map((customer) => (
                  <li key={customer.id}>
                    <label className="checkbox">
                      <input type="radio" name="convert-customer" checked={customerId === customer.id} onChange={() => setCustomerId(customer.id)} />
                      {customer.name ?? customer.email} <span className="muted">{customer.email}</span>
                    </label>
                  </li>
                ))}
              </ul>
            </div>
          )}
            <fieldset>
              <legend>Deal</legend>
              <label className="checkbox">
                <input type="checkbox" checked={deal.open} onChange={(e) => setDeal((d) => ({ ...d, open: e.target.checked }))} /> Also open a deal
              </label>
              {deal.open && (
                <div className="grid-2">
                  <label className="field">
                    <span>Deal title</span>
                    <input value={deal.title} onChange={(e) => setDeal((d) => ({ ...d, title: e.target.value }))} aria-invalid={fieldError("title") ? true : undefined} />
                    <FieldProblem message={fieldError("title")} />
                  </label>
                  <label className="field">
                    <span>Value</span>
                    <input inputMode="decimal" value={deal.value} onChange={(e) => setDeal((d) => ({ ...d, value: e.target.value }))} aria-invalid={typed || fieldError("value") ? true : undefined} />
                    <FieldProblem message={typed ?? fieldError("value")} />
                  </label>
                  <label className="field">
                    <span>Currency</span>
                    <input value={deal.currency} maxLength={3} onChange={(e) => setDeal((d) => ({ ...d, currency: e.target.value.toUpperCase() }))} aria-invalid={fieldError("currency") ? true : undefined} />
                    <FieldProblem message={fieldError("currency")} />
                  </label>
                  <label className="field">
                    <span>Pipeline</span>
                    <select value={pipeline?.id ?? ""} onChange={(e) => setDeal((d) => ({ ...d, pipelineId: e.target.value, stageId: "" }))}>
                      {pipelines.data?.items.map((p) => (
                        <option key={p.id} value={p.id}>
                          {p.name}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label className="field">
                    <span>Stage</span>
                    <select value={deal.stageId} onChange={(e) => setDeal((d) => ({ ...d, stageId: e.target.value }))}>
                      <option value="">First stage</option>
                      {pipeline?.stages.map((stage) => (
                        <option key={stage.id} value={stage.id}>
                          {stage.name}
                        </option>
                      ))}
                    </select>
                  </label>
                </div>
              )}
            </fieldset>
          <InlineError error={problem?.slug === "validation-failed" && problem.problem.errors?.some((error) => error.field.startsWith("deal.")) ? null : convert.error} />
          <div className="row end">
            <button type="button" className="button ghost" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" className="button primary" disabled={convert.isPending || (target === "existing" && !customerId)}>
              Convert
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}

/** A field's problem under it (inside its label, so the field's name reads with it). */
function FieldProblem({ message }: { message: string | undefined | null }) {
  return message ? (
    <span className="field-error" role="alert">
      {message}
    </span>
  ) : null;
}
