// What every browser journey shares: the stack's URL, people with unique e-mails, pages that fail the
// test on browser errors, screenshots of main screens with an accessibility audit (axe-core: labels,
// names, contrast, ARIA), set-up through the API, and a failure report (screenshots of every page,
// the stack's last log lines).
import { test as base, expect, type Browser, type Locator, type Page, type TestInfo } from "@playwright/test";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { components } from "../src/api/schema";
import { ARTIFACTS, STACK_LOG, TIMEOUT } from "./paths";

export { expect };
type Schemas = components["schemas"];

export interface Person {
  name: string;
  email: string;
  password: string;
}

/** The people and records of one journey, unique to it, so journeys never see each other's data. */
export interface Cast {
  owner: Person & { workspace: string };
  agent: Person;
  customer: { name: string; email: string };
  subject: string;
  run: string;
}

let journeys = 0;
function castFor(): Cast {
  const run = `${Date.now().toString(36)}${(journeys++).toString(36)}`;
  return {
    run,
    owner: { name: "Ada Lovelace", email: `ada-${run}@example.com`, password: "correct-horse-battery", workspace: `Acme Support ${run}` },
    agent: { name: "Brook Agent", email: `brook-${run}@example.com`, password: "another-long-password" },
    customer: { name: "Chris Customer", email: `chris-${run}@example.org` },
    subject: `Cannot export invoices (${run})`,
  };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface Fixtures {
  /** The local stack's URL, without a trailing slash. */
  stack: string;
  cast: Cast;
  /** A page in a browser context of its own (a person's browser), watched for errors. */
  newPage: (name: string) => Promise<Page>;
  /** Screenshot of a main screen to tests/artifacts/web/<name>.png, and an accessibility audit of it:
   * serious and critical problems fail the journey; with `every`, problems of any impact do. */
  shot: (page: Page, name: string, audit?: { every?: boolean }) => Promise<void>;
  /** The API, for set-up a journey does not test. */
  api: Api;
}

export const test = base.extend<Fixtures>({
  stack: async ({}, use) => {
    const url = process.env.E2E_URL;
    if (!url) throw new Error("E2E_URL is not set: the global set-up starts the stack");
    await use(url.replace(/\/$/, ""));
  },
  cast: async ({}, use) => use(castFor()),
  api: async ({ stack }, use) => use(new Api(stack)),
  newPage: async ({ browser }, use, testInfo) => {
    const watched = new Watched(testInfo);
    await use((name) => watched.open(browser, name));
    await watched.close();
  },
  shot: async ({}, use, testInfo) => {
    const violations: string[] = [];
    await use(async (page, name, audit = {}) => {
      // From the top, so the sticky navigation is where a person sees it.
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
      await page.evaluate(axeSource);
      const found = await page.evaluate(async (every) => {
        const axe = (globalThis as unknown as { axe: { run: (context: Document, options: object) => Promise<AxeResult> } }).axe;
        const result = await axe.run(document, { resultTypes: ["violations"] });
        return result.violations
          .filter((violation) => every || violation.impact === "serious" || violation.impact === "critical")
          .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.slice(0, 3).map((node) => node.target.join(" ")).join(", ")}`);
      }, audit.every ?? false);
      for (const violation of found) violations.push(`${name}: ${violation}`);
    });
    if (violations.length && testInfo.status === testInfo.expectedStatus) {
      throw new Error(`accessibility problems:\n${violations.join("\n")}`);
    }
  },
});

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
}

/** The pages of one test: their browser errors fail it; when it fails, each is shot and the stack's log attached. */
class Watched {
  private pages = new Map<string, Page>();
  private problems: string[] = [];
  constructor(private testInfo: TestInfo) {}

  async open(browser: Browser, name: string): Promise<Page> {
    // The project's screen (desktop, or the phone project's 390×844).
    const { viewport, isMobile, hasTouch } = this.testInfo.project.use;
    const context = await browser.newContext({ viewport: viewport ?? { width: 1360, height: 860 }, isMobile, hasTouch });
    const page = await context.newPage();
    this.pages.set(name, page);
    page.setDefaultTimeout(TIMEOUT);
    page.on("pageerror", (error) => this.problems.push(`[${name}] page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const text = message.text();
      // The WebSocket endpoint may not exist (the indicator says offline), and /config.json is optional.
      // Refused requests (4xx) are expected in places and shown to the user; 5xx answers are bugs.
      if (/WebSocket|\/ws\b|status of 4\d\d/.test(text)) return;
      this.problems.push(`[${name}] console error: ${text}`);
    });
    return page;
  }

  async close() {
    const failed = this.testInfo.status !== this.testInfo.expectedStatus;
    if (failed) {
      for (const [name, page] of this.pages) {
        try {
          const path = this.testInfo.outputPath(`failure-${name}.png`);
          await page.screenshot({ path, fullPage: true });
          await this.testInfo.attach(`failure-${name} (at ${page.url()})`, { path, contentType: "image/png" });
        } catch {
          // The page is gone.
        }
      }
      if (this.problems.length) await this.testInfo.attach("browser errors", { body: this.problems.join("\n"), contentType: "text/plain" });
      const log = existsSync(STACK_LOG) ? readFileSync(STACK_LOG, "utf8").trimEnd().split("\n").slice(-60).join("\n") : "(external stack)";
      await this.testInfo.attach("local stack, last lines", { body: log, contentType: "text/plain" });
      console.error(`\n${this.testInfo.title}: failed; the browser errors:\n${this.problems.join("\n") || "(none)"}\nlast lines of the local stack:\n${log}`);
    }
    for (const page of this.pages.values()) await page.context().close();
    if (!failed && this.problems.length) throw new Error(`the browser reported errors:\n${this.problems.join("\n")}`);
  }
}

/** Waits until the first element of the locator with this text is visible. */
export async function expectText(locator: Locator, text: string | RegExp) {
  await locator.filter({ hasText: text }).first().waitFor({ state: "visible" });
}

/** For what follows the event log (reports, the radar): reload until it shows, within the timeout. */
export async function eventually(page: Page, locator: Locator, what: string) {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    try {
      await locator.first().waitFor({ state: "visible", timeout: 2_000 });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${what} did not show within ${TIMEOUT} ms`);
      await page.reload();
    }
  }
}

export async function until(what: string, check: () => boolean | Promise<boolean>, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Logs in on the login page; with a workspace, picks it among the person's workspaces. */
export async function logIn(page: Page, stack: string, person: Person, workspace?: string) {
  await page.goto(`${stack}/login`);
  await page.getByLabel("E-mail").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Log in" }).click();
  if (workspace) {
    await page.getByRole("heading", { name: "Choose a workspace" }).waitFor();
    await page.getByRole("button", { name: workspace }).click();
  }
  await page.waitForURL("**/inbox");
}

export type Session = Schemas["SessionResponse"];
export type TicketView = Schemas["TicketView"];

/** The JSON API, for a journey's set-up (what the journey itself tests goes through the browser). */
export class Api {
  constructor(private stack: string) {}

  async request<T>(method: string, path: string, token: string | null, body?: unknown, expected = [200, 201]): Promise<T> {
    const response = await fetch(`${this.stack}${path}`, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!expected.includes(response.status)) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  signUp(owner: Person & { workspace: string }): Promise<Session> {
    return this.request("POST", "/api/v1/auth/signup", null, { workspace_name: owner.workspace, name: owner.name, email: owner.email, password: owner.password }, [201]);
  }

  addMember(session: Session, person: Person, role = "agent") {
    return this.request("POST", "/api/v1/users", session.access_token, { name: person.name, email: person.email, role, password: person.password });
  }

  createTicket(session: Session, cast: Cast, priority = "high"): Promise<TicketView> {
    return this.request("POST", "/api/v1/tickets", session.access_token, {
      subject: cast.subject,
      body: "The export button spins forever since this morning.",
      priority,
      tags: ["billing", "export"],
      channel: "web",
      customer: { email: cast.customer.email, name: cast.customer.name },
    });
  }

  /** A reply to the customer (internal: false) or an internal note, on the ticket's current version. */
  async addMessage(session: Session, ticketId: string, body: string, internal: boolean) {
    const detail = await this.request<Schemas["TicketDetail"]>("GET", `/api/v1/tickets/${ticketId}`, session.access_token);
    return this.request("POST", `/api/v1/tickets/${ticketId}/messages`, session.access_token, internal ? { body, internal } : { body, internal, draft_version: detail.ticket.version });
  }

  /** Replaces the workspace's SLA policy (owners and admins), on the version it has now. */
  async setSlaPolicy(session: Session, policy: Record<string, unknown>) {
    const current = await this.request<Schemas["SlaPolicyView"]>("GET", "/api/v1/sla/policy", session.access_token);
    const response = await fetch(`${this.stack}/api/v1/sla/policy`, {
      method: "PUT",
      headers: { "content-type": "application/json", authorization: `Bearer ${session.access_token}`, "if-match": String(current.version) },
      body: JSON.stringify(policy),
    });
    if (!response.ok) throw new Error(`PUT /api/v1/sla/policy: HTTP ${response.status} ${await response.text()}`);
  }

  /** Moves the local stack's clock forward (the stack runs with --clock-control); it never goes back. */
  advanceClock(seconds: number) {
    return this.request("POST", "/__local/clock", null, { advance_seconds: seconds });
  }

  /** The owner's workspace with one ticket for the cast's customer. */
  async workspaceWithTicket(cast: Cast, priority = "high") {
    const owner = await this.signUp(cast.owner);
    const ticket = await this.createTicket(owner, cast, priority);
    return { owner, ticket };
  }
}
