import { describe, expect, it } from "vitest";
import { ApiError, describeProblem, fieldLabel, problemError } from "./problem";

const base = { title: "t", detail: "d", request_id: "req-1" };

describe("describeProblem", () => {
  it("names every invalid field in plain words", () => {
    const text = describeProblem({
      ...base,
      type: "/problems/validation-failed",
      status: 422,
      errors: [
        { field: "email", message: "must be an e-mail address like name@example.com" },
        { field: "password", message: "must be at least 10 characters" },
      ],
    });
    expect(text).toBe("E-mail must be an e-mail address like name@example.com. Password must be at least 10 characters.");
  });

  it("never shows a field's wire name: nested and listed fields read as words", () => {
    expect(fieldLabel("customer.email")).toBe("Customer e-mail");
    expect(fieldLabel("tickets[2].id")).toBe("Ticket 3");
    expect(fieldLabel("cc[0]")).toBe("CC 1");
    expect(fieldLabel("filters.view")).toBe("View");
    expect(fieldLabel("changes.remove_tags")).toBe("Remove tags");
    const text = describeProblem({ ...base, type: "/problems/validation-failed", status: 422, errors: [{ field: "customer.email", message: "is required" }] });
    expect(text).toBe("Customer e-mail is required.");
  });

  it("explains plan limits with the numbers", () => {
    const text = describeProblem({ ...base, type: "/problems/plan-limit-reached", status: 402, limit_kind: "seats", limit: 3, used: 3, plan: "free" });
    expect(text).toBe("Your free plan is full: 3 of 3 seats. Upgrade the plan to add more.");
  });

  it("names the endpoint limit when a plan has no room for another webhook or Slack connection", () => {
    const text = describeProblem({ ...base, type: "/problems/plan-limit-reached", status: 402, limit_kind: "webhooks", limit: 1, used: 1, plan: "free" });
    expect(text).toBe("Your free plan is full: 1 of 1 webhook and Slack endpoints. Upgrade the plan to add more.");
  });

  it("says which statuses a ticket can move to", () => {
    const text = describeProblem({ ...base, type: "/problems/invalid-transition", status: 409, from: "solved", to: "pending", allowed: ["open", "on_hold"] });
    expect(text).toBe("A solved ticket cannot become pending; it can become open, on hold.");
  });

  it("points forbidden answers at the permission and who can grant it", () => {
    expect(describeProblem({ ...base, type: "/problems/forbidden", status: 403, permission: "users:manage" })).toMatch(/needs users:manage.*owner or admin/);
  });

  it("gives a reference for internal errors, never internal detail", () => {
    expect(describeProblem({ ...base, type: "/problems/internal", status: 500, detail: "stack trace" })).toMatch(/req-1/);
    expect(describeProblem({ ...base, type: "/problems/internal", status: 500, detail: "stack trace" })).not.toMatch(/stack/);
  });

  it("explains reply collisions", () => {
    expect(describeProblem({ ...base, type: "/problems/ticket-claimed", status: 409 })).toMatch(/working on this ticket/);
    expect(describeProblem({ ...base, type: "/problems/draft-conflict", status: 409 })).toMatch(/New messages arrived/);
  });

  it("falls back to the detail for other problems", () => {
    expect(describeProblem({ ...base, type: "/problems/conflict", status: 409, detail: "The attachment is not uploaded yet." })).toBe(
      "The attachment is not uploaded yet.",
    );
  });
});

describe("problemError", () => {
  it("keeps a problem body and exposes field errors", () => {
    const error = problemError(422, { ...base, type: "/problems/validation-failed", status: 422, errors: [{ field: "subject", message: "is required" }] });
    expect(error).toBeInstanceOf(ApiError);
    expect(error.slug).toBe("validation-failed");
    expect(error.fieldError("subject")).toBe("is required");
  });

  it("turns API Gateway's own bodies into sentences", () => {
    expect(problemError(429, { message: "Too Many Requests" }).message).toMatch(/Too many requests/);
    expect(problemError(504, "timeout").message).toMatch(/too long/);
    expect(problemError(418, null).message).toBe("The request failed (HTTP 418).");
  });
});
