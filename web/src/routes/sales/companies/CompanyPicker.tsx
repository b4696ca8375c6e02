// Links a customer or a deal to a company of the workspace (or unlinks it): the record's `company` text
// then shows the company's name. The choice is saved at once; the caller says how.
import { useId } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { companyChoicesQuery } from "../../../api/queries/companies";
import { InlineError } from "../../../ui/states";

export function CompanyPicker({
  companyId,
  companyName,
  canWrite,
  pending,
  error,
  onPick,
}: {
  companyId: string | null | undefined;
  companyName: string | null | undefined;
  canWrite: boolean;
  pending: boolean;
  error: unknown;
  onPick: (companyId: string | null) => void;
}) {
  const id = useId();
  const choices = useQuery({ ...companyChoicesQuery(), enabled: canWrite });
  const items = choices.data?.items ?? [];
  // The linked company may be past the first page: it is offered all the same.
  const options = companyId && !items.some((c) => c.id === companyId) ? [{ id: companyId, name: companyName ?? "The linked company" }, ...items] : items;
  return (
    <div className="company-picker" data-testid="company-picker">
      <label htmlFor={id}>Linked company</label>{" "}
      {companyId ? (
        <Link to={`/sales/companies/${companyId}`} data-testid="company-link">
          {companyName ?? "Open the company"}
        </Link>
      ) : (
        <span className="muted">{companyName ? `${companyName} (not linked to a company record)` : "None"}</span>
      )}
      {canWrite && (
        <select id={id} value={companyId ?? ""} disabled={pending || choices.isPending} onChange={(event) => onPick(event.target.value || null)}>
          <option value="">No company</option>
          {options.map((company) => (
            <option key={company.id} value={company.id}>
              {company.name}
            </option>
          ))}
        </select>
      )}
      <InlineError error={error} />
    </div>
  );
}
