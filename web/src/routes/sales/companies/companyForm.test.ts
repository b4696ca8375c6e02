import { describe, expect, it } from "vitest";
import { changeBody, companyForm, createBody } from "./companyForm";
import type { Company } from "../../../api/types";

const acme: Company = {
  id: "c1",
  name: "Acme",
  domain: "acme.com",
  phone: "+49 30 1",
  website: null,
  address: null,
  owner_id: null,
  tags: ["vip", "eu"],
  attributes: {},
  created_at: "2026-12-01T00:00:00Z",
  updated_at: "2026-12-01T00:00:00Z",
  version: 3,
};

describe("the company form", () => {
  it("leaves blank optional fields out of a new company", () => {
    const body = createBody({ ...companyForm(), name: "Beta", domain: "  ", tags: "a, ,b" });
    expect(body).toEqual({ name: "Beta", domain: undefined, phone: undefined, website: undefined, address: undefined, tags: ["a", "b"] });
  });

  it("sends only what changed, clears what was emptied, at the version it started from", () => {
    const base = companyForm(acme);
    expect(changeBody(base, base, 3)).toEqual({ version: 3 });
    const edited = { ...base, phone: "", website: " https://acme.com ", tags: "vip" };
    expect(changeBody(edited, base, 3)).toEqual({ version: 3, phone: null, website: "https://acme.com", tags: ["vip"] });
  });
});
