// Customers: the most recent first, a search field (typo-tolerant, across every customer), add one.
import { useMemo, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { ApiError } from "../../api/problem";
import { customersQuery } from "../../api/queries/customers";
import { invalidateCustomer } from "../../api/queries/invalidate";
import { usePermission } from "../../api/queries/members";
import type { Customer } from "../../api/types";
import { relativeTime } from "../../lib/format";
import { Avatar } from "../../ui/Avatar";
import { ListSearch } from "../../ui/ListSearch";
import { ExportButton } from "../../ui/ExportButton";
import { Empty, ErrorState, InlineError, Loading } from "../../ui/states";
import { Field } from "../auth/AuthFrame";

export function Component() {
  const canWrite = usePermission("customers:write");
  const [adding, setAdding] = useState(false);

  const all = useInfiniteQuery(customersQuery());
  const customers: Customer[] = useMemo(() => all.data?.pages.flatMap((page) => page.items) ?? [], [all.data]);

  return (
    <div className="page">
      <header className="page-head">
        <h1>Customers</h1>
        <ExportButton kind="customers" what="every customer" />
        {canWrite && (
          <button type="button" className="button primary" onClick={() => setAdding((a) => !a)} aria-expanded={adding}>
            {adding ? "Close" : "Add customer"}
          </button>
        )}
      </header>
      {adding && <AddCustomer />}
      <ListSearch type="customers" label="Search customers by name or e-mail">
      {all.isPending ? (
        <Loading label="Loading customers…" />
      ) : all.isError ? (
        <ErrorState error={all.error} retry={() => void all.refetch()} />
      ) : customers.length === 0 ? (
        <Empty title="No customers yet">Customers are added when tickets arrive, or by hand.</Empty>
      ) : (
        <table className="table" data-testid="customer-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">E-mail</th>
              <th scope="col">Company</th>
              <th scope="col">Added</th>
            </tr>
          </thead>
          <tbody>
            {customers.map((customer) => (
              <tr key={customer.id}>
                <td>
                  <Link to={`/customers/${customer.id}`} className="customer-link">
                    <Avatar name={customer.name ?? customer.email} id={customer.id} size={26} />
                    {customer.name ?? <span className="muted">No name</span>}
                  </Link>
                </td>
                <td>{customer.email}</td>
                <td>{customer.company ?? <span className="muted">—</span>}</td>
                <td className="muted">{relativeTime(customer.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {all.hasNextPage && (
        <div className="load-more">
          <button type="button" className="button" onClick={() => void all.fetchNextPage()} disabled={all.isFetchingNextPage}>
            Load more
          </button>
        </div>
      )}
      </ListSearch>
    </div>
  );
}

function AddCustomer() {
  const navigate = useNavigate();
  const [form, setForm] = useState({ email: "", name: "", company: "" });
  const queries = useQueryClient();
  const create = useMutation({
    mutationFn: () => call(api.POST("/api/v1/customers", { body: { email: form.email, name: form.name || null, company: form.company || null } })),
    onSuccess: (customer) => {
      invalidateCustomer(queries, customer.id);
      navigate(`/customers/${customer.id}`);
    },
  });
  const error = create.error;
  const fieldError = (field: string) => (error instanceof ApiError ? error.fieldError(field) : undefined);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="card form grid-4" onSubmit={submit} noValidate>
      <Field label="E-mail" error={fieldError("email")}>
        {(props) => <input {...props} type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />}
      </Field>
      <Field label="Name" error={fieldError("name")}>
        {(props) => <input {...props} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
      </Field>
      <Field label="Company" error={fieldError("company")}>
        {(props) => <input {...props} value={form.company} onChange={(e) => setForm({ ...form, company: e.target.value })} />}
      </Field>
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={create.isPending}>
          Add
        </button>
      </div>
      <InlineError error={error instanceof ApiError && error.slug === "validation-failed" ? null : error} />
    </form>
  );
}
