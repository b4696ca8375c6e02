import { describe, expect, it } from "vitest";
import { hasUnclosedPlaceholder, renderTemplate, SAMPLE_VALUES, templateProblem, unknownPlaceholders, withSignature } from "./emailTemplates";

const KNOWN = ["ticket.reference", "ticket.number", "ticket.subject", "customer.name", "workspace.name"];

describe("notification templates", () => {
  it("fills known placeholders, with or without spaces inside the braces", () => {
    expect(renderTemplate("Hi {{customer.name}}, {{ ticket.reference }} is open", SAMPLE_VALUES)).toBe("Hi Ada Lovelace, [#1042] is open");
  });

  it("leaves unknown placeholders as written in the preview and names each once", () => {
    const text = "{{ticket.id}} {{customer.email}} {{ticket.id}} {{ticket.subject}}";
    expect(renderTemplate(text, SAMPLE_VALUES)).toBe("{{ticket.id}} {{customer.email}} {{ticket.id}} The printer is on fire");
    expect(unknownPlaceholders(text, KNOWN)).toEqual(["{{ticket.id}}", "{{customer.email}}"]);
  });

  it("says what is wrong with a template as the server would", () => {
    expect(templateProblem("  ", KNOWN)).toBe("is required");
    expect(templateProblem("Hi {{customer.name", KNOWN)).toMatch(/never closed/);
    expect(hasUnclosedPlaceholder("{{ticket.number}} and {{")).toBe(true);
    expect(templateProblem("Hi {{who}}", KNOWN)).toBe("uses unknown placeholders {{who}}");
    expect(templateProblem("Ticket {{ticket.reference}} } {", KNOWN)).toBeNull();
  });

  it("puts the signature below the delimiter, and nothing when it is blank", () => {
    expect(withSignature("Done.\n", "Grace\nSupport\n")).toBe("Done.\n\n-- \nGrace\nSupport");
    expect(withSignature("Done.", "   ")).toBe("Done.");
  });
});
