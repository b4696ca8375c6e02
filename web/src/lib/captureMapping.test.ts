import { describe, expect, it } from "vitest";
import { inboundUrl, mappingToRows, parseSample, rowsToMapping, startingRows } from "./captureMapping";

describe("the mapping editor", () => {
  it("turns rows into the API's mapping, ignoring empty rows", () => {
    const { mapping, problems } = rowsToMapping([
      { field: "email", source: " contact.emails[0] " },
      { field: "", source: "" },
      { field: "attributes.plan", source: "meta.plan" },
    ]);
    expect(problems).toEqual([]);
    expect(mapping).toEqual({ email: "contact.emails[0]", "attributes.plan": "meta.plan" });
  });

  it("names each bad row before anything is sent", () => {
    const { problems } = rowsToMapping([
      { field: "salary", source: "x" },
      { field: "email", source: "" },
      { field: "name", source: "a" },
      { field: "name", source: "b" },
    ]);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain("Row 1");
    expect(problems[0]).toContain("salary");
    expect(problems[1]).toBe("Row 2: say where email comes from");
    expect(problems[2]).toBe("Row 4: name is mapped twice");
  });

  it("asks for a name or an e-mail", () => {
    expect(rowsToMapping([{ field: "phone", source: "tel" }]).problems).toEqual(["Map at least a name or an e-mail: a lead needs a name"]);
  });

  it("round-trips a saved mapping into rows", () => {
    const saved = { email: "work_email", name: "full_name" };
    expect(rowsToMapping(mappingToRows(saved)).mapping).toEqual(saved);
    expect(rowsToMapping(startingRows("typeform")).problems).toEqual([]);
  });

  it("parses the sample or says why not", () => {
    expect(parseSample('{"a": [1]}')).toEqual({ ok: true, payload: { a: [1] } });
    expect(parseSample("")).toMatchObject({ ok: false });
    const bad = parseSample("{name: Ada}");
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problem).toMatch(/^The sample is not JSON/);
  });

  it("gives senders an absolute URL on the API's host", () => {
    expect(inboundUrl("", "https://app.example.com", "/api/v1/inbound/leads/abc")).toBe("https://app.example.com/api/v1/inbound/leads/abc");
    expect(inboundUrl("https://api.example.com/", "https://app.example.com", "/api/v1/inbound/leads/abc")).toBe("https://api.example.com/api/v1/inbound/leads/abc");
  });
});
