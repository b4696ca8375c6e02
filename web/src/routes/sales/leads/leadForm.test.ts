import { describe, expect, it } from "vitest";
import { createBody, emptyLeadForm, parseScore, scoreError, splitTags, updateBody } from "./leadForm";

describe("the lead form", () => {
  it("creates with blanks left out, so the API's defaults apply", () => {
    expect(createBody({ ...emptyLeadForm, name: "  Dana Prospect ", email: "dana@example.com", tags: "trial, vip,, trial " })).toEqual({
      name: "Dana Prospect",
      email: "dana@example.com",
      phone: undefined,
      company: undefined,
      title: undefined,
      source: "manual",
      tags: ["trial", "vip"],
      score: undefined,
    });
  });

  it("edits only what was changed, at the version given; blanks clear the field", () => {
    const opened = { ...emptyLeadForm, name: "Dana", email: "dana@example.com", phone: "+1 555 0100", source: "referral" };
    const body = updateBody({ ...opened, email: " ", title: "CTO", score: " 70 " }, 4, opened);
    expect(body).toEqual({ version: 4, email: null, title: "CTO", score: 70 });
    expect(updateBody(opened, 5, opened)).toEqual({ version: 5 });
    expect(updateBody({ ...opened, score: "" }, 4, { ...opened, score: "70" }).score).toBeNull();
  });

  it("refuses a score that is no whole number before sending (it would clear the score)", () => {
    expect(scoreError({ ...emptyLeadForm, score: "4.5" })).toBe("must be a whole number from 0 to 100");
    expect(scoreError({ ...emptyLeadForm, score: "" })).toBeUndefined();
    expect(parseScore("")).toBeNull();
    expect(parseScore("42")).toBe(42);
    expect(parseScore("4.5")).toBeNaN();
    expect(splitTags(" , ")).toEqual([]);
  });
});
