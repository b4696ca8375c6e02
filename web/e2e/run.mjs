// Browser end-to-end test of the web app against the local stack (run by `make test`):
// sign up, create a ticket, find it in the inbox (keyboard), reply, add an internal note (shown
// apart), open the customer, set an SLA policy, add a second agent through the members screen; that
// agent logs in in a second browser context and sees the ticket. Screenshots of the main screens go
// to tests/artifacts/web/. Over the WebSocket API, the second agent sees the first one's presence,
// typing and soft claim, and a new reply without reloading.
import { mkdirSync, readFileSync, rmSync } from "node:fs";
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

  await step("the agent's role cannot open the members screen (403)", async () => {
    await b.goto(`${stack.url}/settings/members`);
    await b.getByRole("heading", { name: "Your role cannot open this" }).waitFor();
    await shot(b, "12-agent-forbidden");
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
