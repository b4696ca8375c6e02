import { describe, expect, it } from "vitest";
// The backend's list of event kinds, read as text: a kind added there fails here until it is worded.
import backendKinds from "../../../shared/src/domain/events.rs?raw";
import { describeEvent, EVENT_KINDS, hasFormatter, type DescribedEvent, type EventKind } from "./events";

const ADA = "0191a5a0-0000-7000-8000-00000000000a";
const BROOK = "0191a5a0-0000-7000-8000-00000000000b";
const names: Record<string, string> = { [ADA]: "Ada Lovelace", [BROOK]: "Brook Agent" };
const nameOf = (id: string) => names[id] ?? "—";

const ticket = { subject: "Export", status: "open", priority: "normal", category: null, subcategory: null, tags: [], assignee_id: null };
const member = { email: "brook@example.com", name: "Brook Agent", role: "agent", status: "active" };
const hook = { kind: "webhook", url: "https://hooks.example.com/in", events: ["ticket.created"], description: null, status: "active" };
const view = { name: "Urgent billing", shared: true, filters: { priority: "urgent" } };
const macro = { id: "m1", name: "Refund sent", shared: false, body: "Hi {{customer.name}}", internal: false, actions: {}, created_by: ADA, version: 1 };
const dealRecord = { title: "Acme renewal", value: 125_000, currency: "EUR", currency_exponent: 2, stage_id: "s1", pipeline_id: "p1", owner_id: ADA, status: "open", tags: [] };
const leadRecord = { name: "Grace Hopper", email: "grace@navy.example", company: "Navy", source: "web_form", status: "new", owner_id: null, tags: [] };
const activityRecord = { activity_id: "a1", record: "lead#l1", kind: "task", subject: "Follow up", due_at: null, assignee_id: ADA, done: false };
const key = { name: "Zapier", prefix: "sb_live_ab", scopes: ["tickets:read", "tickets:write"], revoked_at: null };

/** One event of each kind, as the backend writes it, and what a person reads. */
const SAMPLES: Record<EventKind, { event: Omit<DescribedEvent, "type">; reads: string }> = {
  "workspace.created": { event: { after: { name: "Acme Support", plan: "free" } }, reads: "Workspace “Acme Support” created on the Free plan" },
  "workspace.plan_changed": { event: { before: { plan: "free" }, after: { plan: "team" } }, reads: "Plan changed from Free to Team" },
  "workspace.standing_changed": { event: { before: { status: "past_due" }, after: { status: "suspended", reason: "payment" } }, reads: "Workspace suspended for payment" },
  "user.created": { event: { after: member }, reads: "Brook Agent joined as agent" },
  "user.updated": { event: { before: { ...member, name: "Brook" }, after: member }, reads: "Brook Agent's profile: Name: Brook → Brook Agent" },
  "user.role_changed": { event: { before: member, after: { ...member, role: "manager" } }, reads: "Brook Agent's role: Agent → Manager" },
  "user.deactivated": { event: { before: member, after: { ...member, status: "deactivated" } }, reads: "Brook Agent was deactivated" },
  "user.reactivated": { event: { before: { ...member, status: "deactivated" }, after: member }, reads: "Brook Agent was reactivated" },
  "settings.categories_updated": {
    event: {
      before: { categories: [{ name: "Billing", subcategories: [] }], version: 1 },
      after: { categories: [{ name: "Billing", subcategories: ["Refunds"] }, { name: "Technical", subcategories: [] }], version: 2 },
    },
    reads: "Categories: added Technical",
  },
  "settings.sla_policy_updated": { event: { before: null, after: { time_zone: "Europe/Paris", targets: {} } }, reads: "SLA policy set up" },
  "settings.reports_updated": { event: { before: { time_zone: null, version: 0 }, after: { time_zone: "Europe/Berlin", version: 1 } }, reads: "Reports count days in Europe/Berlin" },
  "settings.email_updated": {
    event: { before: null, after: { forwarding_address: "acme-3f9a1c@inbound.example.com", addresses: [], version: 1 } },
    reads: "E-mail channel set up at acme-3f9a1c@inbound.example.com",
  },
  "email.rejected": { event: { after: { reason: "auto_reply", from: "ada@example.com", subject: "Away" } }, reads: "E-mail from ada@example.com rejected (auto reply)" },
  "api_key.created": { event: { after: key }, reads: "API key “Zapier” created for tickets:read, tickets:write" },
  "api_key.revoked": { event: { before: key, after: { ...key, revoked_at: "2026-12-03T10:00:00.123456789Z" } }, reads: "API key “Zapier” revoked" },
  "api_key.rotated": { event: { before: key, after: key }, reads: "API key “Zapier” got a new secret" },
  "ticket.created": { event: { after: { ...ticket, priority: "urgent", assignee_id: BROOK } }, reads: "Ticket created, urgent priority, assigned to Brook Agent" },
  "ticket.updated": {
    event: { before: ticket, after: { ...ticket, status: "pending", tags: ["billing", "vip"], assignee_id: ADA } },
    reads: "Status: Open → Pending; Tags: none → billing, vip; Assignee: none → Ada Lovelace",
  },
  "ticket.assigned": {
    event: { before: { assignee_id: ADA }, after: { assignee_id: BROOK, handoff: { context: "Refund approved", next_step: "Send it" } } },
    reads: "Assigned to Brook Agent, with a handoff note",
  },
  "ticket.customer_changed": { event: { before: { customer_id: "c1" }, after: { customer_id: "c2" } }, reads: "Moved to the customer it was merged into" },
  "message.created": { event: { after: { message_id: "m1", author: "customer", internal: false } }, reads: "Customer wrote" },
  "message.delivery_updated": {
    event: { after: { message_id: "m1", state: "bounced", reason: "Permanent bounce (General) for ada@example.com" } },
    reads: "Reply bounced: Permanent bounce (General) for ada@example.com",
  },
  "attachment.added": { event: { after: { attachment_id: "a1", filename: "invoice.pdf", size: 2.5 * 1024 * 1024 } }, reads: "File attached: invoice.pdf (2.5 MB)" },
  "customer.created": { event: { after: { email: "chris@example.org", name: "Chris Customer" } }, reads: "Customer added: Chris Customer <chris@example.org>" },
  "customer.updated": {
    event: {
      before: { email: "chris@example.org", name: "Chris", phone: null, company: null, attributes: {} },
      after: { email: "chris@example.org", name: "Chris", phone: null, company: "Initech", attributes: { tier: "gold" } },
    },
    reads: "Profile: Company: none → Initech; Attributes: none → tier gold",
  },
  "customer.merged": { event: { before: { email: "old@example.org" }, after: { source_id: "c1", target_id: "c2", email: "old@example.org" } }, reads: "old@example.org was merged into another customer" },
  "customer.merge_completed": { event: { after: { source_id: "c1", target_id: "c2" } }, reads: "Customer merge finished: the tickets moved" },
  "sla.at_risk": { event: { after: { clock: "first_response", target_minutes: 30, due: "2026-12-03T10:30:00.000000001Z", counted: false } }, reads: "First response SLA at risk (target 30 min)" },
  "sla.breached": { event: { after: { clock: "resolution", target_minutes: 240, within_target: false, counted: true } }, reads: "Resolution SLA breached (target 4 h)" },
  "sla.met": { event: { after: { clock: "first_response", target_minutes: 30, within_target: false, counted: true } }, reads: "First response SLA met late (target 30 min)" },
  "lead_capture.endpoint_created": { event: { before: null, after: { name: "Pricing form", kind: "typeform", enabled: true } }, reads: "Lead-capture endpoint Pricing form added" },
  "lead_capture.endpoint_updated": { event: { before: { secret_rotated_at: null }, after: { secret_rotated_at: "2026-12-03T10:00:00Z" } }, reads: "Lead-capture endpoint got a new secret" },
  "lead_capture.endpoint_deleted": { event: { before: { name: "Pricing form" }, after: null }, reads: "Lead-capture endpoint Pricing form removed" },
  "webhook.created": { event: { before: null, after: hook }, reads: "Webhook https://hooks.example.com/in added" },
  "webhook.updated": {
    event: { before: hook, after: { ...hook, events: ["ticket.created", "sla.breached"], description: "Zapier" } },
    reads: "Webhook https://hooks.example.com/in changed: Events: ticket.created → ticket.created, sla.breached; Description: none → Zapier",
  },
  "webhook.deleted": { event: { before: hook, after: null }, reads: "Webhook https://hooks.example.com/in removed" },
  "webhook.secret_rotated": { event: { before: hook, after: hook }, reads: "Webhook https://hooks.example.com/in got a new signing secret" },
  "webhook.endpoint_paused": {
    event: {
      before: { status: "active" },
      after: { status: "paused", url: "https://hooks.example.com/in", consecutive_failures: 5, failing_since: "2026-12-03T09:00:00Z", next_probe_at: "2026-12-03T10:00:00.5Z" },
    },
    reads: `Webhook https://hooks.example.com/in paused after 5 failed deliveries; next try ${new Date("2026-12-03T10:00:00.5Z").toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}`,
  },
  "webhook.endpoint_resumed": { event: { before: { status: "paused" }, after: { status: "active", url: "https://hooks.example.com/in" } }, reads: "Webhook https://hooks.example.com/in answered again and resumed" },
  "view.created": { event: { after: view }, reads: "Shared view “Urgent billing” created" },
  "view.updated": { event: { before: view, after: { ...view, name: "Urgent" } }, reads: "Shared view “Urgent” changed: Name: Urgent billing → Urgent" },
  "view.deleted": { event: { before: view, after: null }, reads: "Shared view “Urgent billing” deleted" },
  "macro.created": { event: { after: macro }, reads: "Personal macro “Refund sent” created" },
  "macro.updated": { event: { before: macro, after: { ...macro, internal: true, version: 2 } }, reads: "Personal macro “Refund sent” changed: Internal: no → yes" },
  "macro.deleted": { event: { before: macro }, reads: "Personal macro “Refund sent” deleted" },
  "ticket.macro_applied": { event: { after: { macro_id: "m1", name: "Refund sent", message_id: "x" } }, reads: "Macro “Refund sent” applied" },
  "ticket.merged": { event: { after: { merged_into: "t2", messages: 3 } }, reads: "Merged into another ticket (3 messages copied)" },
  "ticket.duplicate_merged": { event: { after: { duplicate: "t1", messages: 1, message_ids: ["x"] } }, reads: "A duplicate was merged in (1 message)" },
  "ticket.followers_changed": {
    event: { before: { followers: [ADA], cc: [] }, after: { followers: [ADA, BROOK], cc: ["boss@example.org"] } },
    reads: "Followers: Ada Lovelace → Ada Lovelace, Brook Agent; CC: none → boss@example.org",
  },
  "pipeline.created": { event: { after: { name: "New business", stages: [{ name: "Qualified" }, { name: "Proposal" }] } }, reads: "Pipeline “New business” created with 2 stages" },
  "pipeline.updated": {
    event: { before: { name: "Sales", stages: [{ name: "Qualified" }] }, after: { name: "New business", stages: [{ name: "Qualified" }, { name: "Won" }] } },
    reads: "Pipeline “New business” changed: Name: Sales → New business; Stages: Qualified, Won",
  },
  "deal.created": { event: { after: dealRecord }, reads: "Deal “Acme renewal” (1,250.00 EUR) created for Ada Lovelace" },
  "deal.updated": {
    event: { before: dealRecord, after: { ...dealRecord, value: 150_000, tags: ["renewal"] } },
    reads: "Deal “Acme renewal”: Value: 1,250.00 EUR → 1,500.00 EUR; Tags: none → renewal",
  },
  "deal.stage_changed": { event: { before: dealRecord, after: { ...dealRecord, stage_id: "s2" } }, reads: "Deal “Acme renewal” moved to another stage" },
  "deal.assigned": { event: { before: dealRecord, after: { ...dealRecord, owner_id: BROOK } }, reads: "Deal “Acme renewal” given to Brook Agent" },
  "deal.won": { event: { before: dealRecord, after: { ...dealRecord, status: "won" } }, reads: "Deal “Acme renewal” (1,250.00 EUR) won" },
  "deal.lost": { event: { before: dealRecord, after: { ...dealRecord, status: "lost", lost_reason: "Went with a competitor" } }, reads: "Deal “Acme renewal” (1,250.00 EUR) lost: Went with a competitor" },
  "deal.deleted": { event: { before: dealRecord }, reads: "Deal “Acme renewal” deleted" },
  "deal.note_added": { event: { after: { note_id: "n2", excerpt: "Sent the quote" } }, reads: "Note added to the deal" },
  "deal.reopened": {
    event: { before: { ...dealRecord, status: "lost" }, after: { ...dealRecord, status: "open" } },
    reads: "Deal “Acme renewal” reopened (it was lost)",
  },
  "customer.note_added": { event: { after: { note_id: "n3", excerpt: "Prefers e-mail" } }, reads: "Note added to the customer" },
  "company.created": { event: { after: { name: "Acme" } }, reads: "Company “Acme” created" },
  "company.updated": { event: { before: { name: "Acme" }, after: { name: "Acme Corp" } }, reads: "Company “Acme Corp” changed" },
  "company.deleted": { event: { before: { name: "Acme" } }, reads: "Company “Acme” deleted" },
  "company.note_added": { event: { after: { note_id: "n4", excerpt: "Met the CTO" } }, reads: "Note added to the company" },
  "lead.created": { event: { after: leadRecord }, reads: "Lead Grace Hopper (Navy) came in from web form" },
  "lead.updated": { event: { before: leadRecord, after: { ...leadRecord, company: "Harvard" } }, reads: "Lead Grace Hopper (Harvard): Company: Navy → Harvard" },
  "lead.assigned": { event: { before: leadRecord, after: { ...leadRecord, owner_id: BROOK } }, reads: "Lead Grace Hopper (Navy) given to Brook Agent" },
  "lead.status_changed": { event: { before: leadRecord, after: { ...leadRecord, status: "qualified" } }, reads: "Lead Grace Hopper (Navy): New → Qualified" },
  "lead.converted": { event: { after: { name: "Grace Hopper", status: "converted", customer_created: true } }, reads: "Lead Grace Hopper converted into a new customer" },
  "lead.merged": { event: { before: leadRecord, after: { survivor_id: "l1", duplicate_id: "l2", notes_moved: 2 } }, reads: "A duplicate lead was merged in (2 notes moved)" },
  "lead.note_added": { event: { after: { note_id: "n1", body: "Called, wants a demo" } }, reads: "Note added to the lead" },
  "lead.deleted": { event: { before: leadRecord }, reads: "Lead Grace Hopper (Navy) deleted" },
  "settings.lead_statuses_updated": {
    event: { before: { statuses: ["new", "converted", "unqualified"] }, after: { statuses: ["new", "demo", "converted", "unqualified"] } },
    reads: "Lead statuses: new, demo, converted, unqualified (were new, converted, unqualified)",
  },
  "activity.created": { event: { after: { ...activityRecord, done: false } }, reads: "Task “Follow up” logged" },
  "activity.updated": {
    event: { before: activityRecord, after: { ...activityRecord, subject: "Follow up Tuesday" } },
    reads: "Task “Follow up Tuesday”: Subject: Follow up → Follow up Tuesday",
  },
  "activity.completed": { event: { before: activityRecord, after: { ...activityRecord, done: true } }, reads: "Task “Follow up” done" },
  "activity.deleted": { event: { before: activityRecord }, reads: "Task “Follow up” deleted" },
  "chat.mentioned": { event: { after: { channel_id: "c1", message_id: "m1", seq: 3, mentions: [BROOK] } }, reads: "Mentioned Brook Agent in team chat" },
};

/** What a person must never read in a description. */
function expectReadable(description: string) {
  expect(description).not.toMatch(/\[object Object\]|undefined|NaN/);
  expect(description).not.toMatch(/\bHttp/);
  expect(description).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  expect(description).not.toMatch(/\b(true|false|null)\b/);
  expect(description).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
}

describe("event descriptions", () => {
  it("has a formatter for every kind the backend records", () => {
    const recorded = [...backendKinds.matchAll(/=>\s*"([a-z_]+\.[a-z_]+)"/g)].map((match) => match[1]);
    expect(recorded.length).toBeGreaterThan(40);
    expect(recorded.filter((kind) => !hasFormatter(kind))).toEqual([]);
    expect([...EVENT_KINDS].sort()).toEqual([...recorded].sort());
  });

  for (const kind of EVENT_KINDS) {
    it(`words a ${kind} event with names and readable values`, () => {
      const { event, reads } = SAMPLES[kind];
      const description = describeEvent({ type: kind, ...event }, nameOf);
      expect(description).toBe(reads);
      expectReadable(description);
    });
  }

  it("names an activity by its kind and subject, and what a change did", () => {
    expect(describeEvent({ type: "activity.created", after: { kind: "call", subject: "Intro", done: true } })).toBe("Call “Intro” logged as done");
    expect(describeEvent({ type: "activity.completed", after: { kind: "task", subject: "Follow up", done: true } })).toBe("Task “Follow up” done");
    const rescheduled = describeEvent({ type: "activity.updated", before: { kind: "task", subject: "Follow up", due_at: null }, after: { kind: "task", subject: "Follow up", due_at: "2030-01-08T09:00:00Z" } });
    expect(rescheduled.startsWith("Task “Follow up”: ")).toBe(true);
  });

  it("tells a notification's delivery from a reply's", () => {
    expect(describeEvent({ type: "message.delivery_updated", after: { message_id: "m1", state: "delivered", notification: "received" } })).toBe(
      "“Request received” notification delivered to the customer's mailbox",
    );
    expect(describeEvent({ type: "message.delivery_updated", after: { message_id: "m1", state: "sent", notification: null } })).toBe("Reply e-mailed to the customer");
  });

  it("tells a reply and an internal note apart, without the note's text", () => {
    expect(describeEvent({ type: "message.created", after: { author: "agent", internal: true } })).toBe("Internal note added");
    expect(describeEvent({ type: "message.created", after: { author: "agent", internal: false } })).toBe("Reply sent");
  });

  it("says unassigned, and a teammate when the directory is not loaded", () => {
    expect(describeEvent({ type: "ticket.assigned", before: { assignee_id: ADA }, after: { assignee_id: null } }, nameOf)).toBe("Unassigned");
    expect(describeEvent({ type: "ticket.assigned", after: { assignee_id: ADA } })).toBe("Assigned to a teammate");
  });

  it("names a kind it does not know and what changed, readably", () => {
    const description = describeEvent({ type: "quote.stage_changed", before: { stage: "lead" }, after: { stage: "won", at: "2026-12-03T10:00:00.000000001Z" } }, nameOf);
    expect(description.startsWith("Quote stage changed: Stage: lead → won")).toBe(true);
    expectReadable(description);
  });
});
