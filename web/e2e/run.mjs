// Browser end-to-end test of the web app against the local stack (run by `make test`):
// sign up, create a ticket, find it in the inbox (keyboard), reply, add an internal note (shown
// apart), open the customer, set an SLA policy, add a second agent through the members screen; that
// agent logs in in a second browser context and sees the ticket. Screenshots of the main screens go
// to tests/artifacts/web/. Over the WebSocket API, the second agent sees the first one's presence,
// typing and soft claim, and a new reply without reloading. The owner makes and revokes an API key,
// registers a webhook endpoint on a receiver this test runs, sees a ticket event delivered (signed) in
// the endpoint's delivery log and replays it, then connects Slack; the agent gets 403 screens there.
import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launch } from "./browser.mjs";
import { startStack } from "./stack.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const artifacts = join(root, "tests/artifacts/web");
rmSync(artifacts, { recursive: true, force: true });
mkdirSync(artifacts, { recursive: true });

const TIMEOUT = 15_000;
const run = Date.now().toString(36);
const owner = { name: "Ada Lovelace", email: `ada-${run}@example.com`, password: "correct-horse-battery", workspace: `Acme Support ${run}` };
const agent = { name: "Brook Agent", email: `brook-${run}@example.com`, password: "another-long-password" };
const customer = { name: "Chris Customer", email: `chris-${run}@example.org` };
const subject = `Cannot export invoices (${run})`;

const pages = new Map();
const problems = [];
let stack;
let browser;

function watch(name, page) {
  pages.set(name, page);
  page.setDefaultTimeout(TIMEOUT);
  page.on("pageerror", (error) => problems.push(`[${name}] page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const text = message.text();
    // The WebSocket endpoint may not exist (the indicator says offline), and /config.json is optional.
    // Refused requests (4xx) are expected in places and shown to the user; 5xx answers are bugs.
    if (/WebSocket|\/ws\b|status of 4\d\d/.test(text)) return;
    problems.push(`[${name}] console error: ${text}`);
  });
  return page;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const accessibility = [];

/** Screenshot of a main screen, and an accessibility audit of it (axe-core: labels, names, contrast...). */
async function shot(page, name) {
  // From the top, so the sticky navigation is where a person sees it.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
      .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.slice(0, 3).map((node) => node.target.join(" ")).join(", ")}`);
  });
  for (const violation of violations) accessibility.push(`${name}: ${violation}`);
}

let current = "";
async function step(name, body) {
  current = name;
  const started = Date.now();
  await body();
  console.log(`  ok  ${name} (${Date.now() - started} ms)`);
}

/** For what follows the event log (reports, the radar): reload until it shows, within the timeout. */
async function eventually(page, locator, what) {
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

/** A webhook receiver on 127.0.0.1 (a free port): answers 204 and keeps every request it got. */
async function startReceiver() {
  const received = [];
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ path: request.url, headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/hooks/switchboard`, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** Standard Webhooks: v1,base64(HMAC-SHA256(secret, "{id}.{timestamp}.{body}")), any of the listed signatures. */
function signedWith(secret, delivery) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signatures = "" } = delivery.headers;
  const expected = Buffer.from(`v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${delivery.body}`).digest("base64")}`);
  return signatures.split(" ").some((signature) => signature.length === expected.length && timingSafeEqual(Buffer.from(signature), expected));
}

async function until(what, check, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function expectText(locator, text) {
  await locator.filter({ hasText: text }).first().waitFor({ state: "visible" });
}

async function main() {
  stack = await startStack(root);
  console.log(`web e2e: stack at ${stack.url}`);
  browser = await launch();
  const ownerContext = await browser.newContext({ viewport: { width: 1360, height: 860 } });
  const a = watch("owner", await ownerContext.newPage());

  await step("sign up creates a workspace and lands in the empty inbox", async () => {
    await a.goto(`${stack.url}/signup`);
    await a.getByLabel("Workspace name").fill(owner.workspace);
    await a.getByLabel("Your name").fill(owner.name);
    await a.getByLabel("Work e-mail").fill(owner.email);
    await a.getByLabel("Password").fill("short");
    await a.getByRole("button", { name: "Create workspace" }).click();
    // The server's field rule, in plain words, next to the field.
    await expectText(a.locator(".field-error"), "at least 10 characters");
    await a.getByLabel("Password").fill(owner.password);
    await a.getByRole("button", { name: "Create workspace" }).click();
    await a.waitForURL("**/inbox");
    await expectText(a.getByTestId("workspace-name"), owner.workspace);
    await a.getByRole("heading", { name: "No tickets here" }).waitFor();
    await shot(a, "01-inbox-empty");
  });

  let ticketUrl = "";
  await step("create a ticket for a new customer", async () => {
    await a.getByRole("link", { name: "New ticket" }).click();
    await a.getByLabel("Customer e-mail").fill(customer.email);
    await a.getByLabel("Customer name").fill(customer.name);
    await a.getByLabel("Subject").fill(subject);
    await a.getByLabel("What the customer asked").fill("The export button spins forever since this morning.");
    await a.getByLabel("Priority").selectOption("high");
    await a.getByLabel("Tags").fill("billing, export");
    await shot(a, "02-new-ticket");
    await a.getByRole("button", { name: "Create ticket" }).click();
    await a.waitForURL("**/tickets/*");
    await expectText(a.getByTestId("ticket-subject"), subject);
    ticketUrl = a.url();
  });

  await step("the ticket is in the inbox with its count, and j + Enter opens it", async () => {
    await a.getByRole("link", { name: /^Inbox/ }).first().click();
    await expectText(a.getByTestId("ticket-list"), subject);
    await expectText(a.getByTestId("view-unassigned"), "1");
    await shot(a, "03-inbox");
    // Filters narrow the view; none matching says so.
    await a.getByLabel("Priority filter").selectOption("urgent");
    await a.getByText("No ticket matches these filters.").waitFor();
    await a.getByLabel("Priority filter").selectOption("high");
    await expectText(a.getByTestId("ticket-list"), subject);
    await a.locator("body").press("j");
    await a.locator("body").press("Enter");
    await a.waitForURL(ticketUrl);
  });

  await step("reply to the customer, then add an internal note shown apart", async () => {
    await a.getByLabel("Reply, sent to the customer").fill("Thanks Chris, we are looking into it.");
    await a.getByRole("button", { name: "Send reply" }).click();
    await expectText(a.locator('[data-kind="reply"]'), "we are looking into it");
    await a.getByRole("radio", { name: "Internal note" }).click();
    await a.getByLabel("Internal note, visible to your team only").fill("Looks like the export worker queue is stuck.");
    await a.getByRole("button", { name: "Add note" }).click();
    const note = a.locator('[data-kind="note"]').filter({ hasText: "export worker queue" });
    await note.waitFor();
    await expectText(note, "Internal note");
    const background = (locator) => locator.evaluate((element) => getComputedStyle(element).backgroundColor);
    const [noteBg, replyBg] = [await background(note), await background(a.locator('[data-kind="reply"]').first())];
    if (noteBg === replyBg) throw new Error(`an internal note looks like a reply (both ${noteBg})`);
    // Replying moved the ticket from new to open.
    await expectText(a.locator(".ticket-header-meta .badge"), "Open");
    // A reply can end the turn: send it and set the ticket pending in one go.
    await a.getByRole("radio", { name: "Reply to customer" }).click();
    await a.getByLabel("Reply, sent to the customer").fill("Could you send us a screenshot of the export page?");
    await a.getByLabel("After sending").selectOption("pending");
    await a.getByRole("button", { name: "Send and set pending" }).click();
    await expectText(a.locator('[data-kind="reply"]'), "send us a screenshot");
    await expectText(a.locator(".ticket-header-meta .badge"), "Pending");
    await a.getByLabel("Status").selectOption("open");
    await expectText(a.locator(".ticket-header-meta .badge"), "Open");
    await shot(a, "04-ticket");
  });

  await step("attach a file (upload straight to storage) and download it back", async () => {
    const content = "date,amount\n" + "2026-11-01,42.00\n".repeat(2000);
    await a.locator("#attach-file").setInputFiles({ name: "invoices.csv", mimeType: "text/csv", buffer: Buffer.from(content) });
    const file = a.getByTestId("attachments").getByRole("button", { name: "invoices.csv" });
    await file.waitFor();
    const [download] = await Promise.all([a.waitForEvent("download"), file.click()]);
    const path = await download.path();
    const { readFileSync } = await import("node:fs");
    if (readFileSync(path, "utf8") !== content) throw new Error("the downloaded file differs from the uploaded one");
    await a.goto(ticketUrl);
  });

  await step("the timeline lists what happened", async () => {
    await a.getByRole("tab", { name: /Timeline/ }).click();
    await expectText(a.getByTestId("timeline").locator("li"), "Ticket created");
    await expectText(a.getByTestId("timeline").locator("li"), "Internal note added");
    await expectText(a.getByTestId("timeline").locator("li"), "File attached");
    await a.getByRole("tab", { name: /Conversation/ }).click();
  });

  let customerUrl = "";
  await step("open the customer: profile, ticket history, timeline", async () => {
    await a.getByTestId("customer-link").click();
    await a.waitForURL("**/customers/*");
    customerUrl = a.url();
    await expectText(a.getByTestId("customer-name"), customer.name);
    await expectText(a.locator(".history"), subject);
    await shot(a, "05-customer");
    await a.getByRole("link", { name: "Customers" }).first().click();
    await a.getByLabel("Search customers by name or e-mail").fill("chris");
    await expectText(a.getByTestId("customer-table"), customer.email);
  });

  await step("add a duplicate customer and merge it into the first", async () => {
    await a.getByRole("button", { name: "Add customer" }).click();
    const dup = `chris.dup-${run}@example.org`;
    await a.getByLabel("E-mail", { exact: true }).fill(dup);
    await a.getByLabel("Name", { exact: true }).fill("Chris C.");
    await a.getByRole("button", { name: "Add", exact: true }).click();
    await a.waitForURL((url) => url.pathname.startsWith("/customers/") && url.href !== customerUrl);
    await expectText(a.getByTestId("customer-name"), "Chris C.");
    await a.goto(customerUrl);
    await a.getByRole("button", { name: "Merge a duplicate" }).click();
    await a.getByLabel("Duplicate's e-mail").fill("chris.dup");
    await a.getByRole("button", { name: /Chris C\./ }).click();
    await a.getByRole("button", { name: "Merge", exact: true }).click();
    await a.getByText("1 duplicate merged into this customer").waitFor();
  });

  await step("set an SLA policy; the ticket shows its clocks", async () => {
    await a.goto(`${stack.url}/settings/sla`);
    await a.getByLabel("Time zone").fill("Europe/Paris");
    await shot(a, "06-settings-sla");
    // Around the clock, so the ticket's 16-hour resolution target falls within the radar's next day.
    await a.getByLabel("Around the clock (no business hours)").check();
    await a.getByRole("button", { name: "Save policy" }).click();
    await a.getByText("Saved. Every ticket's clocks now follow this policy.").waitFor();
    await a.goto(ticketUrl);
    await a.getByTestId("sla-first-response").waitFor();
    await expectText(a.getByTestId("sla-first-response"), "Met");
    await expectText(a.getByTestId("sla-resolution"), "left");
    // Raising the priority shortens the resolution target to 4 hours.
    await a.getByLabel("Priority").selectOption("urgent");
    await expectText(a.locator(".ticket-header-meta"), "Urgent");
    await expectText(a.getByTestId("sla-resolution"), "3 h 59 min left");
  });

  await step("the SLA radar lists the ticket as due within a day", async () => {
    await a.goto(`${stack.url}/sla-radar?within=1440`);
    // The radar follows ticket changes through the event log within seconds.
    await eventually(a, a.getByTestId("radar-list").filter({ hasText: subject }), "the ticket on the SLA radar");
    await expectText(a.getByTestId("radar-list"), "Due soon");
    await shot(a, "07-sla-radar");
  });

  await step("add a second agent through the members screen", async () => {
    await a.goto(`${stack.url}/settings/members`);
    await a.getByRole("button", { name: "Add member" }).click();
    const form = a.getByRole("form", { name: "Add member" });
    await form.getByLabel("Name").fill(agent.name);
    await form.getByLabel("E-mail").fill(agent.email);
    await form.getByLabel("Role").selectOption("agent");
    await form.getByLabel("Initial password").fill(agent.password);
    await form.getByRole("button", { name: "Add member" }).click();
    await expectText(a.getByTestId("members-table"), agent.email);
    await shot(a, "08-settings-members");
  });

  await step("reports show the day's tickets", async () => {
    await a.goto(`${stack.url}/reports`);
    await a.getByRole("heading", { name: "Reports" }).waitFor();
    // Counters follow the event log within seconds: reload until the created ticket is counted.
    await eventually(a, a.locator(".stat").filter({ hasText: "Tickets created" }).locator(".stat-value", { hasText: /^1$/ }), "one created ticket in the report");
    await a.locator(".chart canvas").waitFor();
    await shot(a, "09-reports");
  });

  await step("an API key: made with a scope, its secret shown once, listed by prefix, working until revoked", async () => {
    await a.goto(`${stack.url}/settings/api-keys`);
    await a.getByLabel("Key name").fill("CRM sync");
    // Member and key management stay with people: never offered as a key scope.
    if (await a.getByRole("checkbox", { name: "users:manage" }).count()) throw new Error("users:manage is offered as a key scope");
    await a.getByRole("checkbox", { name: "tickets:read" }).waitFor();
    await a.getByRole("button", { name: "Make key" }).click();
    const secret = (await a.getByTestId("one-time-secret").locator(".secret-value").textContent())?.trim() ?? "";
    if (!secret.startsWith("sbk_")) throw new Error(`the new key's secret looks wrong: ${secret}`);
    const row = a.getByTestId("api-keys").locator("tr", { hasText: "CRM sync" });
    await expectText(row, "tickets:read");
    const prefix = (await row.locator("code").textContent())?.replace("…", "").trim() ?? "";
    if (!prefix || !secret.startsWith(prefix) || prefix.length >= secret.length) throw new Error(`the key is listed as ${prefix}, not as a prefix of its secret`);
    const withKey = (key) => fetch(`${stack.url}/api/v1/tickets`, { headers: { authorization: `Bearer ${key}` } }).then((response) => response.status);
    if ((await withKey(secret)) !== 200) throw new Error("the new key cannot read tickets");
    await shot(a, "10a-settings-api-keys");
    await a.getByRole("button", { name: "I have stored it" }).click();
    await a.getByTestId("one-time-secret").waitFor({ state: "detached" });
    await a.reload();
    await expectText(a.getByTestId("api-keys"), "CRM sync");
    if ((await a.content()).includes(secret)) throw new Error("the key's secret is shown again");
    // Rotating shows a new secret once. The gateway caches the authorizer's answer for a used key (as API
    // Gateway does, for the template's TTL), so revocation is checked with the new, never used secret.
    await a.getByTestId("api-keys").locator("tr", { hasText: "CRM sync" }).getByRole("button", { name: "Rotate" }).click();
    const rotated = (await a.getByTestId("one-time-secret").locator(".secret-value").filter({ hasNotText: secret }).textContent())?.trim() ?? "";
    if (!rotated.startsWith("sbk_") || rotated === secret) throw new Error(`rotating did not show a new secret: ${rotated}`);
    await a.getByRole("button", { name: "I have stored it" }).click();
    a.once("dialog", (dialog) => void dialog.accept());
    await a.getByTestId("api-keys").locator("tr", { hasText: "CRM sync" }).getByRole("button", { name: "Revoke" }).click();
    await expectText(a.getByTestId("api-keys").locator("tr", { hasText: "CRM sync" }), "Revoked");
    const refused = await withKey(rotated);
    if (refused !== 401) throw new Error(`a revoked key answers HTTP ${refused}, not 401`);
  });

  await step("a webhook endpoint: signing secret shown once, a ticket event delivered signed, logged and replayed", async () => {
    const receiver = await startReceiver();
    try {
      await a.goto(`${stack.url}/settings/webhooks`);
      const form = a.getByRole("form", { name: "New webhook" });
      await form.getByLabel("Endpoint URL").fill(receiver.url);
      await form.getByLabel("Description").fill("Local receiver");
      await form.getByRole("checkbox", { name: "ticket.created" }).uncheck();
      await form.getByRole("checkbox", { name: "ticket.updated" }).check();
      await form.getByRole("button", { name: "Add endpoint" }).click();
      const secret = (await a.getByTestId("one-time-secret").locator(".secret-value").textContent())?.trim() ?? "";
      if (!secret.startsWith("whsec_")) throw new Error(`the signing secret looks wrong: ${secret}`);
      await a.getByRole("button", { name: "I have stored it" }).click();
      await a.getByTestId("one-time-secret").waitFor({ state: "detached" });
      const hook = a.getByTestId("webhooks").locator("li", { hasText: receiver.url });
      await expectText(hook, "ticket.updated");
      await expectText(hook, "Active");

      // A ticket event: lowering the ticket's priority.
      await a.goto(ticketUrl);
      await a.getByLabel("Priority").selectOption("high");
      await expectText(a.locator(".ticket-header-meta"), "High");
      await until("a delivery reaching the receiver", () => receiver.received.length >= 1);
      const first = receiver.received[0];
      const payload = JSON.parse(first.body);
      if (payload.type !== "ticket.updated") throw new Error(`the receiver got ${payload.type}, not ticket.updated`);
      if (!signedWith(secret, first)) throw new Error(`the delivery's signature does not verify: ${JSON.stringify(first.headers)}`);

      // The delivery log shows it delivered (the log follows the delivery within seconds).
      await a.goto(`${stack.url}/settings/webhooks`);
      const openLog = async () => {
        const endpoint = a.getByTestId("webhooks").locator("li", { hasText: receiver.url });
        await endpoint.waitFor();
        const button = endpoint.getByRole("button", { name: "Deliveries", exact: true });
        if (await button.count()) await button.click();
        await endpoint.getByRole("button", { name: "Hide deliveries" }).waitFor();
      };
      // Reload until the log shows what is awaited.
      const inLog = async (locator, what) => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          await openLog();
          try {
            await locator.first().waitFor({ state: "visible", timeout: 2_000 });
            return;
          } catch {
            if (Date.now() > deadline) throw new Error(`${what} did not show in the delivery log within 30 s`);
            await a.reload();
          }
        }
      };
      const delivered = a.locator(".deliveries tr", { hasText: "ticket.updated" }).filter({ hasText: "Delivered" });
      await inLog(delivered, "the delivered ticket.updated");
      await expectText(delivered, "HTTP 204");

      // Replaying sends the same delivery again (same webhook-id), and the log counts it.
      await delivered.first().getByRole("button", { name: "Replay" }).click();
      await until("the replayed delivery reaching the receiver", () => receiver.received.length >= 2);
      const again = receiver.received[1];
      if (again.headers["webhook-id"] !== first.headers["webhook-id"]) throw new Error("a replay came with another webhook-id");
      if (!signedWith(secret, again)) throw new Error("the replayed delivery's signature does not verify");
      await inLog(a.locator(".deliveries tr", { hasText: "replayed 1×" }).filter({ hasText: "Delivered" }), "the replay, delivered");
      await shot(a, "10b-settings-webhooks");
    } finally {
      await receiver.close();
    }
  });

  await step("connect Slack in place of the webhook (the free plan holds one endpoint)", async () => {
    const slack = a.getByRole("form", { name: "Connect Slack" });
    await slack.getByLabel("Slack webhook URL").fill("https://hooks.slack.com/services/T000/B000/e2e");
    await slack.getByRole("checkbox", { name: "A ticket was assigned" }).check();
    await slack.getByRole("button", { name: "Connect Slack" }).click();
    await expectText(slack.locator(".inline-error"), "1 of 1 webhook and Slack endpoints");
    a.once("dialog", (dialog) => void dialog.accept());
    await a.getByTestId("webhooks").locator("li").first().getByRole("button", { name: "Remove" }).click();
    await a.getByRole("heading", { name: "No webhooks yet" }).waitFor();
    await slack.getByRole("button", { name: "Connect Slack" }).click();
    await expectText(slack, "Slack connected");
    const connection = a.getByTestId("webhooks").locator("li", { hasText: "hooks.slack.com" });
    await expectText(connection, "Slack · ticket.urgent_created, sla.breached, ticket.assigned");
  });

  await step("an expired access token is refreshed silently, rotating the refresh token", async () => {
    const before = await a.evaluate(() => JSON.parse(localStorage.getItem("switchboard.session")));
    await a.evaluate(() => {
      const session = JSON.parse(localStorage.getItem("switchboard.session"));
      localStorage.setItem("switchboard.session", JSON.stringify({ ...session, accessToken: "expired", expiresAt: Date.now() - 1000 }));
    });
    await a.goto(`${stack.url}/inbox`);
    await expectText(a.getByTestId("ticket-list"), subject);
    const after = await a.evaluate(() => JSON.parse(localStorage.getItem("switchboard.session")));
    if (after.refreshToken === before.refreshToken || after.accessToken === "expired") throw new Error("the session was not refreshed");
  });

  const agentContext = await browser.newContext({ viewport: { width: 1360, height: 860 } });
  const b = watch("agent", await agentContext.newPage());
  await step("the second agent, who also has a workspace of their own, logs in, picks the workspace and sees the ticket", async () => {
    const own = await fetch(`${stack.url}/api/v1/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ workspace_name: `Brook's side project ${run}`, name: agent.name, email: agent.email, password: agent.password }),
    });
    if (own.status !== 201) throw new Error(`signing up the agent's own workspace: HTTP ${own.status} ${await own.text()}`);
    await b.goto(`${stack.url}/inbox`);
    await b.waitForURL("**/login**");
    await b.getByLabel("E-mail").fill(agent.email);
    await b.getByLabel("Password").fill(agent.password);
    await b.getByRole("button", { name: "Log in" }).click();
    await b.getByRole("heading", { name: "Choose a workspace" }).waitFor();
    await shot(b, "10-pick-workspace");
    await b.getByRole("button", { name: owner.workspace }).click();
    await b.waitForURL("**/inbox");
    await expectText(b.getByTestId("workspace-name"), owner.workspace);
    await expectText(b.getByTestId("ticket-list"), subject);
    await shot(b, "11-agent-inbox");
  });

  await step("the agent's role cannot open the members, API keys or webhooks screens (403)", async () => {
    await b.goto(`${stack.url}/settings/members`);
    await b.getByRole("heading", { name: "Your role cannot open this" }).waitFor();
    await shot(b, "12-agent-forbidden");
    for (const section of ["api-keys", "webhooks"]) {
      await b.goto(`${stack.url}/settings/${section}`);
      await b.getByRole("heading", { name: "Your role cannot open this" }).waitFor();
      if (await b.getByRole("form").count()) throw new Error(`the agent is offered a form on /settings/${section}`);
    }
  });

  await step("the agent opens the ticket and sees the reply and the note", async () => {
    await b.goto(ticketUrl);
    await expectText(b.locator('[data-kind="reply"]'), "we are looking into it");
    await expectText(b.locator('[data-kind="note"]'), "export worker queue");
  });

  await step("a reply drafted before a teammate answered is held back until its author decides", async () => {
    await a.goto(ticketUrl);
    await a.getByLabel("Reply, sent to the customer").fill("We found the cause and are fixing it.");
    await b.getByLabel("Reply, sent to the customer").fill("Hi Chris, a fix is on its way.");
    await b.getByRole("button", { name: "Send reply" }).click();
    await expectText(b.locator('[data-kind="reply"]'), "a fix is on its way");
    await a.getByRole("button", { name: "Send reply" }).click();
    await expectText(a.getByTestId("collision"), "a fix is on its way");
    await shot(a, "13-draft-conflict");
    await a.getByRole("button", { name: "Send anyway" }).click();
    await expectText(a.locator('[data-kind="reply"]'), "We found the cause");
  });

  await step("hand the ticket over with a note; the new assignee sees it first", async () => {
    await a.getByLabel("Assignee").selectOption({ label: agent.name });
    const form = a.getByRole("form", { name: "Handoff note" });
    await form.getByLabel("What they need to know").fill("Export worker restarted; customer waits for confirmation.");
    await form.getByLabel("Next step").fill("Confirm the export works, then solve.");
    await form.getByRole("button", { name: "Hand over with note" }).click();
    await form.waitFor({ state: "detached" });
    await b.reload();
    await expectText(b.getByTestId("handoff-note"), "Confirm the export works");
    await expectText(b.getByTestId("handoff-note"), "to you");
  });

  await step("live updates: presence, typing, a soft claim and a new reply without reloading", async () => {
    await a.goto(ticketUrl);
    const status = async (page) => (await page.getByTestId("live-status").textContent())?.trim();
    const deadline = Date.now() + 8_000;
    while (Date.now() < deadline && ((await status(a)) !== "Live" || (await status(b)) !== "Live")) await a.waitForTimeout(250);
    if ((await status(a)) !== "Live" || (await status(b)) !== "Live") {
      throw new Error(`the pages did not connect to live updates: they say ${await status(a)} / ${await status(b)}`);
    }
    // The agent sees the owner on the ticket (an agent cannot list members, so the avatar is unnamed).
    await b.getByTestId("presence").getByRole("img").first().waitFor();
    await a.getByTestId("presence").getByRole("img").first().waitFor();
    // Typing shows on the other page.
    await a.getByLabel("Reply, sent to the customer").fill("Update: the export works");
    await b.locator(".typing").waitFor();
    // A soft claim shows as a banner on the other page.
    await a.getByRole("button", { name: "I'm working on this" }).click();
    await expectText(b.getByTestId("claim-banner"), "is working on this ticket");
    // A public reply over the claim is held back until its author confirms.
    await b.getByLabel("Reply, sent to the customer").fill("Checking in on this one.");
    await b.getByRole("button", { name: "Send reply" }).click();
    await expectText(b.getByTestId("collision"), "is working on this ticket");
    await b.getByRole("button", { name: "Send anyway" }).click();
    await expectText(b.locator('[data-kind="reply"]'), "Checking in on this one.");
    // The owner's page got that reply live; a draft started now is based on it.
    await expectText(a.locator('[data-kind="reply"]'), "Checking in on this one.");
    await a.getByLabel("Reply, sent to the customer").fill("");
    await a.getByLabel("Reply, sent to the customer").fill("Update: the export works again.");
    await a.getByRole("button", { name: "Send reply" }).click();
    // The reply reaches the agent's open page without a reload.
    await expectText(b.locator('[data-kind="reply"]'), "the export works again");
    await shot(b, "14-agent-live");
  });

  await step("team chat: a new channel, a message, the teammate's unread count and the message arriving live", async () => {
    await a.goto(`${stack.url}/chat`);
    await a.getByRole("heading", { name: "No channels yet" }).waitFor();
    await a.getByRole("textbox", { name: "New channel" }).fill("support-leads");
    await a.getByRole("button", { name: "Create" }).click();
    await a.getByRole("heading", { name: "# support-leads" }).waitFor();
    await a.getByLabel("Message # support-leads").fill("Standup at 10, bring the export numbers.");
    await a.getByRole("button", { name: "Send" }).click();
    await expectText(a.getByTestId("chat-messages"), "bring the export numbers");
    // The agent's navigation counts it as unread without a reload, then the channel shows it.
    await b.getByRole("link", { name: /Team chat.*1 unread/ }).waitFor();
    await b.getByRole("link", { name: /Team chat/ }).click();
    await expectText(b.getByTestId("chat-messages"), "bring the export numbers");
    await a.getByLabel("Message # support-leads").fill("Thanks all.");
    await a.getByRole("button", { name: "Send" }).click();
    await expectText(b.getByTestId("chat-messages"), "Thanks all.");
    await shot(b, "15-team-chat");
  });

  await step("log out ends the session", async () => {
    await a.getByRole("button", { name: "Log out" }).click();
    await a.waitForURL("**/login");
    await a.goto(`${stack.url}/inbox`);
    await a.waitForURL("**/login**");
    await shot(a, "16-login");
  });

  await step("platform staff see every workspace in the console", async () => {
    const staff = watch("staff", await (await browser.newContext({ viewport: { width: 1360, height: 860 } })).newPage());
    await staff.goto(`${stack.url}/platform/login`);
    await staff.getByLabel("E-mail").fill("staff@switchboard.local");
    await staff.getByLabel("Password").fill("demo-staff-password");
    await staff.getByRole("button", { name: "Log in" }).click();
    await staff.waitForURL("**/platform");
    await expectText(staff.locator("table"), owner.workspace);
    await shot(staff, "17-platform-console");
  });

  if (problems.length) throw new Error(`the browser reported errors:\n${problems.join("\n")}`);
  if (accessibility.length) throw new Error(`accessibility problems (serious or critical):\n${accessibility.join("\n")}`);
}

const started = Date.now();
try {
  await main();
  console.log(`web e2e: passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${artifacts}`);
} catch (error) {
  console.error(`\nweb e2e: FAILED at step "${current}"\n${error?.stack ?? error}`);
  for (const [name, page] of pages) {
    try {
      console.error(`  ${name} page was at ${page.url()}`);
      await page.screenshot({ path: join(artifacts, `failure-${name}.png`), fullPage: true });
      console.error(`  screenshot: ${join(artifacts, `failure-${name}.png`)}`);
    } catch {
      // The page is gone.
    }
  }
  if (problems.length) console.error(`browser errors:\n${problems.join("\n")}`);
  if (stack) console.error(`last lines of the local stack:\n${stack.log()}`);
  process.exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  await stack?.stop();
}
