// The lead's editable fields, shared by the new-lead form and the edit form on the lead page.
import { Field } from "../../auth/AuthFrame";
import { ApiError } from "../../../api/problem";
import { LEAD_SOURCES } from "../../../lib/leadFilters";
import { sourceLabel } from "./LeadBadges";
import { scoreError, type LeadFormValues } from "./leadForm";

const SHOWN = ["name", "email", "phone", "company", "title", "source", "tags", "score"];

/** Whether every complaint of a validation failure sits under a field of the form (so no summary is needed). */
export function onlyFieldErrors(error: unknown): boolean {
  if (!(error instanceof ApiError) || error.slug !== "validation-failed") return false;
  const errors = error.problem.errors ?? [];
  return errors.length > 0 && errors.every((e) => SHOWN.includes(e.field));
}

export function LeadFields({ form, setForm, error }: { form: LeadFormValues; setForm: (update: (form: LeadFormValues) => LeadFormValues) => void; error: unknown }) {
  const fieldError = (field: string) => (error instanceof ApiError ? error.fieldError(field) : undefined);
  const set = (key: keyof LeadFormValues) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: event.target.value }));
  const badScore = scoreError(form);
  return (
    <div className="grid-2">
        <Field label="Name" error={fieldError("name")}>
          {(props) => <input {...props} value={form.name} onChange={set("name")} required autoComplete="off" />}
        </Field>
        <Field label="E-mail" error={fieldError("email")}>
          {(props) => <input {...props} type="email" value={form.email} onChange={set("email")} autoComplete="off" />}
        </Field>
        <Field label="Phone" error={fieldError("phone")}>
          {(props) => <input {...props} value={form.phone} onChange={set("phone")} autoComplete="off" />}
        </Field>
        <Field label="Company" error={fieldError("company")}>
          {(props) => <input {...props} value={form.company} onChange={set("company")} autoComplete="off" />}
        </Field>
        <Field label="Job title" error={fieldError("title")}>
          {(props) => <input {...props} value={form.title} onChange={set("title")} autoComplete="off" />}
        </Field>
        <Field label="Source" error={fieldError("source")}>
          {(props) => (
            <select {...props} value={form.source} onChange={set("source")}>
              {LEAD_SOURCES.map((source) => (
                <option key={source} value={source}>
                  {sourceLabel(source)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Tags" hint="Separated by commas" error={fieldError("tags")}>
          {(props) => <input {...props} value={form.tags} onChange={set("tags")} autoComplete="off" />}
        </Field>
        <Field label="Score" hint="0 to 100, optional" error={badScore ? `Score ${badScore}` : fieldError("score")}>
          {(props) => <input {...props} inputMode="numeric" value={form.score} onChange={set("score")} autoComplete="off" />}
        </Field>
    </div>
  );
}
