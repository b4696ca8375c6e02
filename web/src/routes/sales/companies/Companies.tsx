// Companies (organisation records): the list by name, one owner's or with a tag, and adding one.
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../../api/client";
import { ApiError } from "../../../api/problem";
import { companiesQuery } from "../../../api/queries/companies";
import { invalidateCompany } from "../../../api/queries/invalidate";
import { useDirectory } from "../../../api/queries/directory";
import { usePermission } from "../../../api/queries/members";
import { Empty, ErrorState, InlineError, Loading } from "../../../ui/states";
import { ListSearch } from "../../../ui/ListSearch";
import { Field } from "../../auth/AuthFrame";
import { companyForm, createBody } from "./companyForm";

export function Component() {
  const canWrite = usePermission("customers:write");
  const directory = useDirectory();
  const [owner, setOwner] = useState("");
  const [tag, setTag] = useState("");
  const [adding, setAdding] = useState(false);
  const list = useInfiniteQuery(companiesQuery({ owner, tag }));
  const companies = list.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <div className="page">
      <header className="page-head">
        <h1>Companies</h1>
        {canWrite && (
          <button type="button" className="button primary" onClick={() => setAdding((open) => !open)} aria-expanded={adding}>
            {adding ? "Close" : "Add company"}
          </button>
        )}
      </header>
      {adding && <AddCompany />}
      <div className="row filters">
        <label>
          Owner{" "}
          <select value={owner} onChange={(e) => setOwner(e.target.value)} aria-label="Owner">
            <option value="">Anyone</option>
            <option value="me">Mine</option>
            <option value="none">Nobody</option>
          </select>
        </label>
        <label>
          Tag <input value={tag} onChange={(e) => setTag(e.target.value)} placeholder="e.g. vip" aria-label="Tag" />
        </label>
      </div>
      <ListSearch type="companies" label="Search companies" filters={{ owner }}>
      {list.isPending ? (
        <Loading label="Loading companies…" />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : companies.length === 0 ? (
        <Empty title={owner || tag ? "No company matches" : "No companies yet"}>
          {owner || tag ? "Try another owner or tag." : "Add the organisations your customers and deals belong to."}
        </Empty>
      ) : (
        <table className="table" data-testid="companies">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Domain</th>
              <th scope="col">Owner</th>
              <th scope="col">Tags</th>
            </tr>
          </thead>
          <tbody>
            {companies.map((company) => (
              <tr key={company.id}>
                <td>
                  <Link to={`/sales/companies/${company.id}`}>{company.name}</Link>
                </td>
                <td>{company.domain ?? "—"}</td>
                <td>{company.owner_id ? directory.name(company.owner_id) : "—"}</td>
                <td>{company.tags.join(", ") || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.hasNextPage && (
        <button type="button" className="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          Load more
        </button>
      )}
      </ListSearch>
    </div>
  );
}

function AddCompany() {
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [form, setForm] = useState(companyForm());
  const add = useMutation({
    mutationFn: () => call(api.POST("/api/v1/companies", { body: createBody(form) })),
    onSuccess: (company) => {
      invalidateCompany(queries);
      void navigate(`/sales/companies/${company.id}`);
    },
  });
  const error = add.error instanceof ApiError ? add.error : null;
  const fieldError = (field: string) => error?.fieldError(field);
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: event.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <form className="card form" aria-label="Add a company" onSubmit={submit} noValidate>
      <div className="grid-2">
        <Field label="Name" error={fieldError("name")}>
          {(props) => <input {...props} value={form.name} onChange={set("name")} />}
        </Field>
        <Field label="Domain" error={fieldError("domain")} hint="e.g. acme.com: one company per domain.">
          {(props) => <input {...props} value={form.domain} onChange={set("domain")} />}
        </Field>
        <Field label="Phone" error={fieldError("phone")}>
          {(props) => <input {...props} value={form.phone} onChange={set("phone")} />}
        </Field>
        <Field label="Website" error={fieldError("website")}>
          {(props) => <input {...props} value={form.website} onChange={set("website")} />}
        </Field>
      </div>
      <Field label="Address" error={fieldError("address")}>
        {(props) => <textarea {...props} rows={2} value={form.address} onChange={set("address")} />}
      </Field>
      <Field label="Tags" error={fieldError("tags")} hint="Separated by commas.">
        {(props) => <input {...props} value={form.tags} onChange={set("tags")} />}
      </Field>
      {error?.slug === "domain-taken" && (
        <p className="notice warn" role="alert">
          {error.message}{" "}
          <Link to={`/sales/companies/${String(error.problem.existing_company_id ?? "")}`}>Open that company</Link>.
        </p>
      )}
      {error?.slug !== "validation-failed" && error?.slug !== "domain-taken" && <InlineError error={add.error} />}
      <div className="row end">
        <button type="submit" className="button primary" disabled={add.isPending}>
          Add company
        </button>
      </div>
    </form>
  );
}
