// What an event says to a person, in one place: the ticket and customer timelines and the activity log
// all read `describeEvent`. Every kind the backend records (EventKind in shared/src/domain/events.rs)
// has its own formatter below, so a new kind fails the type check and the test until it is worded.
// Members are named through the directory, values are shown as people read them: addresses as typed,
// times as dates, flags as words, lists joined, nothing as "none".
import { bytes, dateTime, duration, label } from "./format";

/** Every event kind, by its wire name. */
export const EVENT_KINDS = [
  "workspace.created",
  "workspace.plan_changed",
  "workspace.standing_changed",
  "user.created",
  "user.updated",
  "user.role_changed",
  "user.deactivated",
  "user.reactivated",
  "settings.categories_updated",
  "settings.sla_policy_updated",
  "settings.reports_updated",
  "settings.email_updated",
  "email.rejected",
  "api_key.created",
  "api_key.revoked",
  "api_key.rotated",
  "ticket.created",
  "ticket.updated",
  "ticket.assigned",
  "ticket.customer_changed",
  "message.created",
  "message.delivery_updated",
  "attachment.added",
  "customer.created",
  "customer.updated",
  "customer.merged",
  "customer.merge_completed",
  "sla.at_risk",
  "sla.breached",
  "sla.met",
  "webhook.created",
  "webhook.updated",
  "webhook.deleted",
  "webhook.secret_rotated",
  "webhook.endpoint_paused",
  "webhook.endpoint_resumed",
  "lead_capture.endpoint_created",
  "lead_capture.endpoint_updated",
  "lead_capture.endpoint_deleted",
  "view.created",
  "view.updated",
  "view.deleted",
  "macro.created",
  "macro.updated",
  "macro.deleted",
  "ticket.macro_applied",
  "ticket.merged",
  "ticket.duplicate_merged",
  "ticket.followers_changed",
  "pipeline.created",
  "pipeline.updated",
  "deal.created",
  "deal.updated",
  "deal.stage_changed",
  "deal.assigned",
  "deal.won",
  "deal.lost",
  "deal.deleted",
  "deal.note_added",
  "deal.reopened",
  "customer.note_added",
  "company.created",
  "company.updated",
  "company.deleted",
  "company.note_added",
  "lead.created",
  "lead.updated",
  "lead.assigned",
  "lead.status_changed",
  "lead.converted",
  "lead.merged",
  "lead.note_added",
  "lead.deleted",
  "settings.lead_statuses_updated",
  "activity.created",
  "activity.updated",
  "activity.completed",
  "activity.deleted",
  "chat.mentioned",
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

/** The part of an event a description reads. */
export interface DescribedEvent {
  type: string;
  before?: unknown;
  after?: unknown;
}

/** Names a member by id (from the directory); without one, members are not named. */
export type NameOf = (userId: string) => string;

type Fields = Record<string, unknown>;

interface Context {
  before: Fields;
  after: Fields;
  nameOf: NameOf;
}

/** Fields every change carries that say nothing to a person. */
const BOOKKEEPING = new Set(["id", "version", "created_at", "updated_at", "customer_id", "ticket_id", "workspace_id", "created_by"]);

/** Fields whose values are words of the product (statuses, roles, plans), shown capitalised. */
const WORDS = new Set(["status", "priority", "role", "plan", "kind", "clock", "author", "source"]);

/** How a field is called, when its name alone would read oddly. */
const FIELD_NAMES: Record<string, string> = {
  assignee_id: "Assignee",
  owner_id: "Owner",
  url: "URL",
  cc: "CC",
  shared: "Shared with the team",
  internal: "Internal",
  events: "Events",
  scopes: "Scopes",
};

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function fieldName(key: string): string {
  return FIELD_NAMES[key] ?? label(key.replace(/_id$/, ""));
}

/** A value as a person reads it. */
export function showValue(key: string, value: unknown, nameOf: NameOf): string {
  if (value === null || value === undefined || value === "") return "none";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) {
    const shown = value.map((item) => showValue(key === "followers" ? "user_id" : key, item, nameOf));
    return shown.length ? shown.join(", ") : "none";
  }
  if (typeof value === "object") {
    const fields = value as Fields;
    // A category ({name, subcategories}) or anything else named: its name.
    if (typeof fields.name === "string") return fields.name;
    const parts = Object.entries(fields)
      .filter(([field, inner]) => !BOOKKEEPING.has(field) && inner !== null && inner !== undefined)
      .map(([field, inner]) => `${fieldName(field).toLowerCase()} ${showValue(field, inner, nameOf)}`);
    return parts.length ? parts.join(", ") : "none";
  }
  const text = String(value);
  if (key === "assignee_id" || key === "owner_id" || key === "user_id" || key === "actor") return nameOf(text);
  if (TIMESTAMP.test(text)) return dateTime(text);
  return WORDS.has(key) ? label(text) : text;
}

/** "Status: New → Open; Tags: none → billing", for the fields that changed. */
function changes({ before, after, nameOf }: Context, skip: readonly string[] = []): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys
    .filter((key) => !BOOKKEEPING.has(key) && !skip.includes(key) && JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null))
    .map((key) =>
      key in before
        ? `${fieldName(key)}: ${showValue(key, before[key], nameOf)} → ${showValue(key, after[key], nameOf)}`
        : `${fieldName(key)}: ${showValue(key, after[key], nameOf)}`,
    );
}

/** `what` with its changes, or `fallback` when nothing readable changed. */
function withChanges(what: string, context: Context, fallback: string, skip: readonly string[] = []): string {
  const changed = changes(context, skip);
  return changed.length ? `${what}: ${changed.join("; ")}` : fallback;
}

function text(fields: Fields, key: string): string | undefined {
  const value = fields[key];
  return typeof value === "string" && value ? value : undefined;
}

/** `API key “Zapier”`, or just `API key` when it has no name. */
function titled(noun: string, name: string | undefined): string {
  return name ? `${noun} “${name}”` : noun;
}

/** The one a record is about: its state after the change, or before it for removals. */
function either(context: Context, key: string): string | undefined {
  return text(context.after, key) ?? text(context.before, key);
}

function clockName(fields: Fields): string {
  return fields.clock === "resolution" ? "Resolution" : "First response";
}

function target(fields: Fields): string {
  return typeof fields.target_minutes === "number" ? ` (target ${duration(fields.target_minutes * 60)})` : "";
}

function captureName(context: Context): string {
  return text(context.after, "name") ?? text(context.before, "name") ?? "";
}

function endpoint(context: Context): string {
  const url = either(context, "url");
  const slack = (context.after.kind ?? context.before.kind) === "slack";
  return slack ? "Slack connection" : url ? `Webhook ${url}` : "Webhook";
}

function savedThing(noun: string, verb: string) {
  return (context: Context) => {
    const name = either(context, "name");
    const shared = (context.after.shared ?? context.before.shared) === true ? "shared" : "personal";
    const what = titled(`${label(shared)} ${noun}`, name);
    return verb === "updated" ? withChanges(`${what} changed`, context, `${what} changed`, ["body", "actions"]) : `${what} ${verb}`;
  };
}

/** "1,250.00 EUR" from a deal's value in minor units of its currency. */
function money(fields: Fields): string | undefined {
  if (typeof fields.value !== "number" || typeof fields.currency !== "string") return undefined;
  const exponent = typeof fields.currency_exponent === "number" ? fields.currency_exponent : 2;
  const amount = (fields.value / 10 ** exponent).toLocaleString("en", { minimumFractionDigits: exponent, maximumFractionDigits: exponent });
  return `${amount} ${fields.currency}`;
}

/** `Deal “Acme renewal”`, with its value when `withValue`. */
function deal(context: Context, withValue = false): string {
  const what = titled("Deal", either(context, "title"));
  const value = withValue ? money(context.after) ?? money(context.before) : undefined;
  return value ? `${what} (${value})` : what;
}

/** `Company Acme`. */
function company(context: Context): string {
  return titled("Company", either(context, "name"));
}

/** `Lead Ada Lovelace (Analytical Engines)`. */
/** "Call “Intro”" from an activity event's state. */
function activity(context: Context): string {
  const kind = either(context, "kind");
  return titled(kind ? label(kind) : "Activity", either(context, "subject"));
}

function lead(context: Context): string {
  const name = either(context, "name") ?? either(context, "email");
  const company = either(context, "company");
  return `Lead ${name ?? "without a name"}${company ? ` (${company})` : ""}`;
}

/** Fields of a deal that its own wording shows, or that say nothing to a person. */
const DEAL_DERIVED = ["value", "currency", "currency_exponent", "weighted_value", "stage_entered_at", "time_in_stage_seconds", "stuck", "probability_overridden", "pipeline_id", "stage_id", "owner_id", "status", "closed_at"];

function categoryNames(value: unknown): string[] {
  return Array.isArray(value) ? value.map((category) => (typeof category === "string" ? category : String((category as Fields)?.name ?? ""))) : [];
}

const FORMATTERS: Record<EventKind, (context: Context) => string> = {
  "workspace.created": ({ after }) => `${titled("Workspace", text(after, "name"))} created${after.plan ? ` on the ${label(String(after.plan))} plan` : ""}`,
  "workspace.plan_changed": ({ before, after, nameOf }) =>
    after.plan ? `Plan changed${before.plan ? ` from ${showValue("plan", before.plan, nameOf)}` : ""} to ${showValue("plan", after.plan, nameOf)}` : "Plan changed",
  "workspace.standing_changed": ({ after }) => {
    const status = text(after, "status");
    if (status === "suspended") return `Workspace suspended${text(after, "reason") === "payment" ? " for payment" : " by platform staff"}`;
    if (status === "past_due") return "Payment past due: the grace period started";
    return "Workspace active again";
  },
  "user.created": ({ after }) => `${text(after, "name") ?? "A member"} joined${after.role ? ` as ${label(String(after.role)).toLowerCase()}` : ""}`,
  "user.updated": (context) => withChanges(`${either(context, "name") ?? "A member"}'s profile`, context, "Member profile updated", ["status"]),
  "user.role_changed": (context) =>
    `${either(context, "name") ?? "A member"}'s role: ${showValue("role", context.before.role, context.nameOf)} → ${showValue("role", context.after.role, context.nameOf)}`,
  "user.deactivated": (context) => `${either(context, "name") ?? "A member"} was deactivated`,
  "user.reactivated": (context) => `${either(context, "name") ?? "A member"} was reactivated`,
  "settings.categories_updated": ({ before, after }) => {
    const old = categoryNames(before.categories);
    const now = categoryNames(after.categories);
    const added = now.filter((name) => !old.includes(name));
    const removed = old.filter((name) => !now.includes(name));
    const parts = [added.length ? `added ${added.join(", ")}` : "", removed.length ? `removed ${removed.join(", ")}` : ""].filter(Boolean);
    return parts.length ? `Categories: ${parts.join("; ")}` : "Categories changed";
  },
  "settings.sla_policy_updated": ({ before }) => (Object.keys(before).length ? "SLA policy changed" : "SLA policy set up"),
  "settings.reports_updated": ({ after }) => `Reports count days in ${text(after, "time_zone") ?? "a new time zone"}`,
  "settings.email_updated": ({ before, after }) =>
    Object.keys(before).length
      ? "E-mail settings changed"
      : `E-mail channel set up${text(after, "forwarding_address") ? ` at ${text(after, "forwarding_address")}` : ""}`,
  "email.rejected": ({ after }) => {
    const reason = text(after, "reason");
    const from = text(after, "from");
    return `E-mail${from ? ` from ${from}` : ""} rejected${reason ? ` (${reason.replace(/_/g, " ")})` : ""}`;
  },
  "api_key.created": ({ after, nameOf }) =>
    `${titled("API key", text(after, "name"))} created${Array.isArray(after.scopes) && after.scopes.length ? ` for ${showValue("scopes", after.scopes, nameOf)}` : ""}`,
  "api_key.revoked": (context) => `${titled("API key", either(context, "name"))} revoked`,
  "api_key.rotated": (context) => `${titled("API key", either(context, "name"))} got a new secret`,
  "ticket.created": ({ after, nameOf }) => {
    const extras = [
      after.priority && after.priority !== "normal" ? `${label(String(after.priority)).toLowerCase()} priority` : "",
      after.assignee_id ? `assigned to ${nameOf(String(after.assignee_id))}` : "",
    ].filter(Boolean);
    return extras.length ? `Ticket created, ${extras.join(", ")}` : "Ticket created";
  },
  "ticket.updated": (context) => {
    const changed = changes(context);
    return changed.length ? changed.join("; ") : "Ticket updated";
  },
  "ticket.assigned": ({ after, nameOf }) => {
    if (!after.assignee_id) return "Unassigned";
    const to = nameOf(String(after.assignee_id));
    return after.handoff ? `Assigned to ${to}, with a handoff note` : `Assigned to ${to}`;
  },
  "ticket.customer_changed": () => "Moved to the customer it was merged into",
  "message.created": ({ after }) => (after.internal ? "Internal note added" : after.author === "customer" ? "Customer wrote" : "Reply sent"),
  "message.delivery_updated": ({ after }) => {
    // A reply, or one of the notifications the workspace sends the customer by itself.
    const notification = text(after, "notification");
    const what = notification === "received" ? "“Request received” notification" : notification === "solved" ? "“Request solved” notification" : "Reply";
    const the = notification ? "the notification" : "the reply";
    const states: Record<string, string> = {
      sent: `${what} e-mailed to the customer`,
      delivered: `${what} delivered to the customer's mailbox`,
      bounced: `${what} bounced`,
      complained: `The customer marked ${the} as spam`,
      failed: `${what} not sent`,
    };
    const said = states[text(after, "state") ?? ""] ?? `${what} delivery updated`;
    const reason = text(after, "reason");
    return reason ? `${said}: ${reason}` : said;
  },
  "attachment.added": ({ after }) => {
    const name = text(after, "filename");
    const size = typeof after.size === "number" ? ` (${bytes(after.size)})` : "";
    return name ? `File attached: ${name}${size}` : "File attached";
  },
  "customer.created": ({ after }) => {
    const name = text(after, "name");
    const email = text(after, "email");
    return name || email ? `Customer added: ${[name, email && (name ? `<${email}>` : email)].filter(Boolean).join(" ")}` : "Customer added";
  },
  "customer.updated": (context) => withChanges("Profile", context, "Profile updated"),
  "customer.merged": ({ after }) => `${text(after, "email") ?? "A customer"} was merged into another customer`,
  "customer.merge_completed": () => "Customer merge finished: the tickets moved",
  "sla.at_risk": ({ after }) => `${clockName(after)} SLA at risk${target(after)}`,
  "sla.breached": ({ after }) => `${clockName(after)} SLA breached${target(after)}`,
  "sla.met": ({ after }) => `${clockName(after)} SLA met ${after.within_target === false ? "late" : "on time"}${target(after)}`,
  "lead_capture.endpoint_created": (context) => `Lead-capture endpoint ${captureName(context)} added`,
  "lead_capture.endpoint_updated": (context) =>
    "secret_rotated_at" in context.after
      ? `Lead-capture endpoint got a new secret`
      : withChanges(`Lead-capture endpoint ${captureName(context)} changed`, context, `Lead-capture endpoint ${captureName(context)} changed`),
  "lead_capture.endpoint_deleted": (context) => `Lead-capture endpoint ${captureName(context)} removed`,
  "webhook.created": (context) => `${endpoint(context)} added`,
  "webhook.updated": (context) => withChanges(`${endpoint(context)} changed`, context, `${endpoint(context)} changed`),
  "webhook.deleted": (context) => `${endpoint(context)} removed`,
  "webhook.secret_rotated": (context) => `${endpoint(context)} got a new signing secret`,
  "webhook.endpoint_paused": (context) => {
    const failures = typeof context.after.consecutive_failures === "number" ? ` after ${context.after.consecutive_failures} failed deliveries` : "";
    const probe = text(context.after, "next_probe_at");
    return `${endpoint(context)} paused${failures}${probe ? `; next try ${dateTime(probe)}` : ""}`;
  },
  "webhook.endpoint_resumed": (context) => `${endpoint(context)} answered again and resumed`,
  "view.created": savedThing("view", "created"),
  "view.updated": savedThing("view", "updated"),
  "view.deleted": savedThing("view", "deleted"),
  "macro.created": savedThing("macro", "created"),
  "macro.updated": savedThing("macro", "updated"),
  "macro.deleted": savedThing("macro", "deleted"),
  "ticket.macro_applied": ({ after }) => `${titled("Macro", text(after, "name"))} applied`,
  "ticket.merged": ({ after }) => `Merged into another ticket${typeof after.messages === "number" ? ` (${plural(after.messages, "message")} copied)` : ""}`,
  "ticket.duplicate_merged": ({ after }) => `A duplicate was merged in${typeof after.messages === "number" ? ` (${plural(after.messages, "message")})` : ""}`,
  "ticket.followers_changed": (context) => changes(context).join("; ") || "Followers changed",
  "pipeline.created": (context) => {
    const stages = Array.isArray(context.after.stages) ? context.after.stages.length : 0;
    return `${titled("Pipeline", either(context, "name"))} created${stages ? ` with ${plural(stages, "stage")}` : ""}`;
  },
  "pipeline.updated": (context) => {
    const what = `${titled("Pipeline", either(context, "name"))} changed`;
    const stagesChanged = JSON.stringify(context.before.stages ?? null) !== JSON.stringify(context.after.stages ?? null);
    const parts = [...changes(context, ["stages"]), ...(stagesChanged ? [`Stages: ${showValue("stages", context.after.stages, context.nameOf)}`] : [])];
    return parts.length ? `${what}: ${parts.join("; ")}` : what;
  },
  "deal.created": (context) => `${deal(context, true)} created${context.after.owner_id ? ` for ${context.nameOf(String(context.after.owner_id))}` : ""}`,
  "deal.updated": (context) => {
    const valueChanged = money(context.before) !== money(context.after) && money(context.after);
    const parts = [...(valueChanged ? [`Value: ${money(context.before) ?? "none"} → ${money(context.after)}`] : []), ...changes(context, DEAL_DERIVED)];
    return parts.length ? `${deal(context)}: ${parts.join("; ")}` : `${deal(context)} changed`;
  },
  "deal.stage_changed": (context) => `${deal(context)} moved to another stage`,
  "deal.assigned": (context) =>
    context.after.owner_id ? `${deal(context)} given to ${context.nameOf(String(context.after.owner_id))}` : `${deal(context)} has no owner now`,
  "deal.won": (context) => `${deal(context, true)} won`,
  "deal.lost": (context) => {
    const reason = text(context.after, "lost_reason");
    return `${deal(context, true)} lost${reason ? `: ${reason}` : ""}`;
  },
  "deal.deleted": (context) => `${deal(context)} deleted`,
  "deal.note_added": () => "Note added to the deal",
  "deal.reopened": (context) => {
    const was = text(context.before, "status");
    return `${deal(context)} reopened${was ? ` (it was ${was})` : ""}`;
  },
  "customer.note_added": () => "Note added to the customer",
  "company.created": (context) => `${company(context)} created`,
  "company.updated": (context) => `${company(context)} changed`,
  "company.deleted": (context) => `${company(context)} deleted`,
  "company.note_added": () => "Note added to the company",
  "lead.created": (context) => {
    const source = text(context.after, "source");
    return `${lead(context)} came in${source ? ` from ${label(source.replace(/_/g, " ")).toLowerCase()}` : ""}`;
  },
  "lead.updated": (context) => withChanges(lead(context), context, `${lead(context)} changed`, ["status", "owner_id", "customer_id", "converted_at"]),
  "lead.assigned": (context) =>
    context.after.owner_id ? `${lead(context)} given to ${context.nameOf(String(context.after.owner_id))}` : `${lead(context)} has no owner now`,
  "lead.status_changed": (context) =>
    `${lead(context)}: ${showValue("status", context.before.status, context.nameOf)} → ${showValue("status", context.after.status, context.nameOf)}`,
  "lead.converted": (context) => `${lead(context)} converted into ${context.after.customer_created === true ? "a new" : "an existing"} customer`,
  "lead.merged": (context) => {
    const notes = typeof context.after.notes_moved === "number" && context.after.notes_moved > 0 ? ` (${plural(context.after.notes_moved, "note")} moved)` : "";
    return `A duplicate lead was merged in${notes}`;
  },
  "lead.note_added": () => "Note added to the lead",
  "lead.deleted": (context) => `${lead(context)} deleted`,
  "activity.created": (context) => `${activity(context)} logged${context.after.done === true ? " as done" : ""}`,
  "activity.updated": (context) => withChanges(activity(context), context, `${activity(context)} changed`, ["activity_id", "record"]),
  "activity.completed": (context) => `${activity(context)} done`,
  "activity.deleted": (context) => `${activity(context)} deleted`,
  "chat.mentioned": ({ after, nameOf }) =>
    Array.isArray(after.mentions) && after.mentions.length > 0
      ? `Mentioned ${after.mentions.map((id) => nameOf(String(id))).join(", ")} in team chat`
      : "Mentioned teammates in team chat",
  "settings.lead_statuses_updated": ({ before, after, nameOf }) =>
    Array.isArray(after.statuses) ? `Lead statuses: ${showValue("statuses", after.statuses, nameOf)}${Array.isArray(before.statuses) ? ` (were ${showValue("statuses", before.statuses, nameOf)})` : ""}` : "Lead statuses changed",
};

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function isKind(type: string): type is EventKind {
  return Object.hasOwn(FORMATTERS, type);
}

function fields(value: unknown): Fields {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Fields) : {};
}

/** A short, readable description of an event; members named by `nameOf` (or "a teammate"). */
export function describeEvent(event: DescribedEvent, nameOf: NameOf = () => "a teammate"): string {
  const context = { before: fields(event.before), after: fields(event.after), nameOf };
  if (isKind(event.type)) return FORMATTERS[event.type](context);
  // A kind newer than this app: its name and what changed.
  const what = label(event.type.replace(/[._]/g, " ").toLowerCase());
  return withChanges(what, context, what);
}

/** Whether a kind has a formatter of its own (the tests check every backend kind does). */
export function hasFormatter(type: string): boolean {
  return isKind(type);
}
