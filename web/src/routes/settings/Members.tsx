// Members and roles: list (users:read), add, change role, deactivate (users:manage).
import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { ApiError } from "../../api/problem";
import { invalidateMembers } from "../../api/queries/invalidate";
import { useMe, useMembers } from "../../api/queries/members";
import type { Member } from "../../api/types";
import { label } from "../../lib/format";
import { Avatar } from "../../ui/Avatar";
import { ErrorState, Forbidden, InlineError, Loading } from "../../ui/states";
import { Field } from "../auth/AuthFrame";

const ROLES = ["owner", "admin", "manager", "agent", "viewer"] as const;

export function Component() {
  const me = useMe();
  const canRead = me.data?.permissions.includes("users:read");
  const canManage = me.data?.permissions.includes("users:manage") ?? false;
  const members = useMembers(canRead === true);
  const [adding, setAdding] = useState(false);
  if (me.isPending) return <Loading />;
  if (!canRead) return <Forbidden detail="Members are visible to owners, admins and managers." />;
  if (members.isPending) return <Loading label="Loading members…" />;
  if (members.isError) return <ErrorState error={members.error} retry={() => void members.refetch()} />;
  const seats = me.data?.plan.limits.seats;
  return (
    <section aria-labelledby="members-title">
      <header className="page-head">
        <h2 id="members-title">Members &amp; roles</h2>
        {canManage && (
          <button type="button" className="button primary" onClick={() => setAdding((a) => !a)} aria-expanded={adding}>
            {adding ? "Close" : "Add member"}
          </button>
        )}
      </header>
      <p className="muted">
        {me.data?.plan.usage.seats} of {seats ?? "unlimited"} seats used on the {me.data?.plan.tier} plan.
      </p>
      {adding && <AddMember done={() => setAdding(false)} />}
      <table className="table" data-testid="members-table">
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            {canManage && <th scope="col"><span className="sr-only">Actions</span></th>}
          </tr>
        </thead>
        <tbody>
          {members.data.map((member) => (
            <MemberRow key={member.id} member={member} canManage={canManage} myRole={me.data?.role ?? "viewer"} myId={me.data?.user.id} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function MemberRow({ member, canManage, myRole, myId }: { member: Member; canManage: boolean; myRole: string; myId?: string }) {
  const queries = useQueryClient();
  const update = useMutation({
    mutationFn: (change: { role?: string; status?: string }) =>
      call(api.PATCH("/api/v1/users/{id}", { params: { path: { id: member.id } }, body: change })),
    onSettled: () => {
      invalidateMembers(queries);
    },
  });
  // Admins cannot touch owners, and nobody deactivates themselves: the server says so too.
  const editable = canManage && (myRole === "owner" || member.role !== "owner");
  const roles = myRole === "owner" ? ROLES : ROLES.filter((role) => role !== "owner");
  return (
    <tr>
      <td>
        <span className="member">
          <Avatar name={member.name} id={member.id} size={28} />
          <span>
            <span className="strong">{member.name}</span>
            {member.id === myId && <span className="muted"> (you)</span>}
            <span className="muted small block">{member.email}</span>
          </span>
        </span>
        <InlineError error={update.error} />
      </td>
      <td>
        {editable ? (
          <select aria-label={`Role of ${member.name}`} value={member.role} disabled={update.isPending} onChange={(e) => update.mutate({ role: e.target.value })}>
            {roles.map((role) => (
              <option key={role} value={role}>
                {label(role)}
              </option>
            ))}
          </select>
        ) : (
          label(member.role)
        )}
      </td>
      <td>
        <span className={`badge ${member.status === "active" ? "status-open" : "status-closed"}`}>{label(member.status)}</span>
      </td>
      {canManage && (
        <td className="actions">
          {editable && member.id !== myId && (
            <button
              type="button"
              className="button ghost small"
              disabled={update.isPending}
              onClick={() => update.mutate({ status: member.status === "active" ? "deactivated" : "active" })}
            >
              {member.status === "active" ? "Deactivate" : "Reactivate"}
            </button>
          )}
        </td>
      )}
    </tr>
  );
}

function AddMember({ done }: { done: () => void }) {
  const queries = useQueryClient();
  const [form, setForm] = useState({ name: "", email: "", role: "agent", password: "" });
  const create = useMutation({
    mutationFn: () => call(api.POST("/api/v1/users", { body: form })),
    onSuccess: () => {
      invalidateMembers(queries);
      done();
    },
  });
  const error = create.error;
  const fieldError = (field: string) => (error instanceof ApiError ? error.fieldError(field) : undefined);
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: event.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="Add member">
      <div className="grid-2">
        <Field label="Name" error={fieldError("name")}>
          {(props) => <input {...props} value={form.name} onChange={set("name")} />}
        </Field>
        <Field label="E-mail" error={fieldError("email")}>
          {(props) => <input {...props} type="email" value={form.email} onChange={set("email")} />}
        </Field>
        <Field label="Role" error={fieldError("role")}>
          {(props) => (
            <select {...props} value={form.role} onChange={set("role")}>
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {label(role)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Initial password" error={fieldError("password")} hint="At least 10 characters; share it with them privately.">
          {(props) => <input {...props} type="password" autoComplete="new-password" value={form.password} onChange={set("password")} />}
        </Field>
      </div>
      <InlineError error={error instanceof ApiError && error.slug === "validation-failed" ? null : error} />
      <div className="row end">
        <button type="submit" className="button primary" disabled={create.isPending}>
          Add member
        </button>
      </div>
    </form>
  );
}
