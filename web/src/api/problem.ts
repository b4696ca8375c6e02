// problem+json (RFC 9457) answers turned into sentences a person can act on.
export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  request_id?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(describeProblem(problem));
    this.name = "ApiError";
    this.problem = problem;
  }
  get status() {
    return this.problem.status;
  }
  get slug() {
    return problemSlug(this.problem);
  }
  /** The message for one field of a validation failure, if any. */
  fieldError(field: string): string | undefined {
    return this.problem.errors?.find((error) => error.field === field)?.message;
  }
}

export function problemSlug(problem: Pick<Problem, "type">): string {
  return problem.type.split("/").pop() ?? problem.type;
}

const FIELD_NAMES: Record<string, string> = {
  email: "E-mail",
  password: "Password",
  name: "Name",
  workspace_name: "Workspace name",
  subject: "Subject",
  body: "Message",
  assignee_id: "Assignee",
  content_type: "File type",
  size: "File size",
  "customer.email": "Customer e-mail",
  "customer.name": "Customer name",
  customer: "Customer",
  customer_id: "Customer",
  category: "Category",
  subcategory: "Subcategory",
  tags: "Tags",
  add_tags: "Tags to add",
  priority: "Priority",
  status: "Status",
  into: "Ticket to merge into",
  assignee: "Assignee",
  followers: "Followers",
  cc: "CC",
  "filters.view": "View",
  "filters.status": "Status filter",
  "filters.priority": "Priority filter",
  "filters.assignee": "Assignee filter",
  "filters.tag": "Tag filter",
};

/** A field's name in plain words: `customer.email` reads "Customer e-mail", `tickets[2].id` "Ticket 3". */
export function fieldLabel(field: string): string {
  if (FIELD_NAMES[field]) return FIELD_NAMES[field];
  const item = /^(\w+)\[(\d+)\](?:\.(\w+))?$/.exec(field);
  if (item) {
    const [, list, index] = item;
    const noun = FIELD_NAMES[list] ?? list.replace(/s$/, "").replace(/_/g, " ");
    return `${noun.charAt(0).toUpperCase()}${noun.slice(1)} ${Number(index) + 1}`;
  }
  const words = field.split(".").pop()!.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** One or two sentences for the person looking at the screen. */
export function describeProblem(problem: Problem): string {
  const slug = problemSlug(problem);
  switch (slug) {
    case "validation-failed": {
      const errors = problem.errors ?? [];
      if (errors.length === 0) return problem.detail ?? problem.title;
      return errors.map((error) => `${fieldLabel(error.field)} ${error.message}.`).join(" ");
    }
    case "unauthenticated":
      return problem.detail && !problem.detail.includes("`") ? problem.detail : "Please log in again.";
    case "refresh-token-reused":
      return "Your session was ended for safety. Please log in again.";
    case "forbidden": {
      const permission = typeof problem.permission === "string" ? ` (needs ${problem.permission})` : "";
      return `Your role does not allow this${permission}. Ask a workspace owner or admin.`;
    }
    case "plan-limit-reached": {
      const kinds: Record<string, string> = { seats: "seats", tickets_per_month: "tickets this month", webhooks: "webhook and Slack endpoints" };
      const kind = kinds[String(problem.limit_kind)] ?? "usage";
      return `Your ${String(problem.plan ?? "current")} plan is full: ${String(problem.used ?? "?")} of ${String(problem.limit ?? "?")} ${kind}. Upgrade the plan to add more.`;
    }
    case "version-conflict":
    case "precondition-failed":
      return "Someone else changed this first. The latest version is shown; apply your change again.";
    case "invalid-transition": {
      const allowed = Array.isArray(problem.allowed) ? (problem.allowed as string[]) : [];
      return allowed.length
        ? `A ${String(problem.from)} ticket cannot become ${String(problem.to)}; it can become ${allowed.map(statusLabel).join(", ")}.`
        : "This ticket is closed and takes no more changes.";
    }
    case "ticket-claimed":
      return "A teammate is working on this ticket right now (a soft claim). Coordinate with them before replying, or send anyway.";
    case "draft-conflict":
      return "New messages arrived while you were writing. Read them, then send your reply again.";
    case "internal":
      return `Something went wrong on our side. Try again; if it keeps happening, quote reference ${problem.request_id ?? "—"}.`;
    default:
      return problem.detail || problem.title;
  }
}

export function statusLabel(status: string): string {
  return status === "on_hold" ? "on hold" : status;
}

/** Builds an ApiError from a failed answer's status and parsed body (problem+json or anything else). */
export function problemError(status: number, body: unknown): ApiError {
  if (body && typeof body === "object" && typeof (body as Problem).type === "string") {
    return new ApiError({ ...(body as Problem), status });
  }
  const fallback: Record<number, string> = {
    429: "Too many requests right now. Wait a moment and try again.",
    502: "The service did not answer. Try again in a moment.",
    503: "The service is unavailable. Try again in a moment.",
    504: "The service took too long to answer. Try again.",
  };
  return new ApiError({
    type: `/problems/http-${status}`,
    title: fallback[status] ?? `The request failed (HTTP ${status}).`,
    status,
  });
}

/** Builds an ApiError from any failed response, problem+json or not (API Gateway's own 429/5xx bodies). */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown = undefined;
  try {
    body = await response.clone().json();
  } catch {
    // Not JSON.
  }
  return problemError(response.status, body);
}

export const networkError = () =>
  new ApiError({ type: "/problems/network", title: "Cannot reach Switchboard. Check your connection and try again.", status: 0 });

/** A message for anything a query or mutation can throw. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}
