// The company form: what is typed, and the body a save sends (only the fields changed since the form
// started, so a teammate's change to another field is not overwritten).
import type { Company, Schemas } from "../../../api/types";

export type CompanyForm = Record<"name" | "domain" | "phone" | "website" | "address" | "tags", string>;

export function companyForm(company?: Company): CompanyForm {
  return {
    name: company?.name ?? "",
    domain: company?.domain ?? "",
    phone: company?.phone ?? "",
    website: company?.website ?? "",
    address: company?.address ?? "",
    tags: company?.tags.join(", ") ?? "",
  };
}

export function tagList(raw: string): string[] {
  return raw
    .split(",")
    .map((tag) => tag.trim())
    .filter(Boolean);
}

/** A new company: blank optional fields are left out. */
export function createBody(form: CompanyForm) {
  const text = (value: string) => (value.trim() ? value.trim() : undefined);
  return {
    name: form.name,
    domain: text(form.domain),
    phone: text(form.phone),
    website: text(form.website),
    address: text(form.address),
    tags: tagList(form.tags),
  };
}

/** A change: the fields that differ from `base`, a blank optional one cleared (`null`), at `version`. */
export function changeBody(form: CompanyForm, base: CompanyForm, version: number): Schemas["UpdateCompanyRequest"] {
  const body: Schemas["UpdateCompanyRequest"] = { version };
  for (const field of ["domain", "phone", "website", "address"] as const) {
    if (form[field] !== base[field]) body[field] = form[field].trim() ? form[field].trim() : null;
  }
  if (form.name !== base.name) body.name = form.name;
  if (form.tags !== base.tags) body.tags = tagList(form.tags);
  return body;
}
