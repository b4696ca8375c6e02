import { describe, expect, it } from "vitest";
import { activeMention, insertMention, matchMembers, mentionMarkup, segments } from "./mentions";

const ADA = { id: "0190a1b2-0000-7000-8000-00000000000a", name: "Ada Lovelace", active: true };
const BO = { id: "0190a1b2-0000-7000-8000-00000000000b", name: "Bo Brook", active: true };
const GONE = { id: "0190a1b2-0000-7000-8000-00000000000c", name: "Adam Gone", active: false };

describe("typing a mention", () => {
  it("starts at an @ at the start or after a space and stops at a line break", () => {
    expect(activeMention("@Ad", 3)).toEqual({ at: 0, query: "Ad" });
    expect(activeMention("hi @", 4)).toEqual({ at: 3, query: "" });
    expect(activeMention("hi @Ada Lo", 10)).toEqual({ at: 3, query: "Ada Lo" });
    expect(activeMention("mail me@home", 12)).toBeNull();
    expect(activeMention("@Ada\nnext", 9)).toBeNull();
    expect(activeMention("no at sign", 5)).toBeNull();
    expect(activeMention(`${mentionMarkup(ADA)} done`, 40)).toBeNull();
  });

  it("offers active members by any word of their name", () => {
    expect(matchMembers([BO, ADA, GONE], "")).toEqual([ADA, BO]);
    expect(matchMembers([BO, ADA, GONE], "lov")).toEqual([ADA]);
    expect(matchMembers([BO, ADA, GONE], "AD")).toEqual([ADA]);
    expect(matchMembers([BO, ADA, GONE], "zed")).toEqual([]);
  });

  it("replaces the typed query with the markup and puts the caret after it", () => {
    const text = "please @Ad look";
    const mention = activeMention(text, 10)!;
    const result = insertMention(text, 10, mention, ADA);
    expect(result.text).toBe(`please @[Ada Lovelace](${ADA.id})  look`);
    expect(result.text.slice(0, result.caret)).toBe(`please @[Ada Lovelace](${ADA.id}) `);
    expect(mentionMarkup({ id: ADA.id, name: "[x] y" })).toBe(`@[x y](${ADA.id})`);
  });
});

describe("showing mentions", () => {
  it("splits a body into text and mentions", () => {
    expect(segments(`hi ${mentionMarkup(ADA)}, and @[Bo](not-an-id)`)).toEqual([
      { text: "hi " },
      { mention: ADA.id, name: "Ada Lovelace" },
      { text: ", and @[Bo](not-an-id)" },
    ]);
    expect(segments("plain")).toEqual([{ text: "plain" }]);
  });
});
