// A ticket's life: created for a new customer, found in the inbox by keyboard, answered, noted (shown
// apart), attached to, its timeline; the customer's page, search and merge; SLA clocks and the radar.
import { readFileSync } from "node:fs";
import { eventually, expectText, logIn, test } from "./fixtures";

test("a ticket: created for a new customer, found in the inbox by keyboard, answered, noted, attached to, its timeline", async ({ stack, cast, api, newPage, shot }) => {
  await api.signUp(cast.owner);
  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);
  let ticketUrl = "";

  await test.step("create a ticket for a new customer", async () => {
    await a.getByRole("link", { name: "New ticket" }).click();
    await a.getByLabel("Customer e-mail").fill(cast.customer.email);
    await a.getByLabel("Customer name").fill(cast.customer.name);
    await a.getByLabel("Subject").fill(cast.subject);
    await a.getByLabel("What the customer asked").fill("The export button spins forever since this morning.");
    await a.getByLabel("Priority").selectOption("high");
    await a.getByLabel("Tags").fill("billing, export");
    await shot(a, "02-new-ticket");
    await a.getByRole("button", { name: "Create ticket" }).click();
    await a.waitForURL("**/tickets/*");
    await expectText(a.getByTestId("ticket-subject"), cast.subject);
    ticketUrl = a.url();
  });

  await test.step("the ticket is in the inbox with its count, and j + Enter opens it", async () => {
    await a.getByRole("link", { name: /^Inbox/ }).first().click();
    await expectText(a.getByTestId("ticket-list"), cast.subject);
    await expectText(a.getByTestId("view-unassigned"), "1");
    await shot(a, "03-inbox");
    // Filters narrow the view; none matching says so.
    await a.getByLabel("Priority filter").selectOption("urgent");
    await a.getByText("No ticket matches these filters.").waitFor();
    await a.getByLabel("Priority filter").selectOption("high");
    await expectText(a.getByTestId("ticket-list"), cast.subject);
    await a.locator("body").press("j");
    await a.locator("body").press("Enter");
    await a.waitForURL(ticketUrl);
  });

  await test.step("reply to the customer, then add an internal note shown apart", async () => {
    await a.getByLabel("Reply, sent to the customer").fill("Thanks Chris, we are looking into it.");
    await a.getByRole("button", { name: "Send reply" }).click();
    await expectText(a.locator('[data-kind="reply"]'), "we are looking into it");
    await a.getByRole("radio", { name: "Internal note" }).click();
    await a.getByLabel("Internal note, visible to your team only").fill("Looks like the export worker queue is stuck.");
    await a.getByRole("button", { name: "Add note" }).click();
    const note = a.locator('[data-kind="note"]').filter({ hasText: "export worker queue" });
    await note.waitFor();
    await expectText(note, "Internal note");
    const background = (locator: typeof note) => locator.evaluate((element) => getComputedStyle(element).backgroundColor);
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

  await test.step("attach a file (upload straight to storage) and download it back", async () => {
    const content = "date,amount\n" + "2026-11-01,42.00\n".repeat(2000);
    await a.locator("#attach-file").setInputFiles({ name: "invoices.csv", mimeType: "text/csv", buffer: Buffer.from(content) });
    const file = a.getByTestId("attachments").getByRole("button", { name: "invoices.csv" });
    await file.waitFor();
    const [download] = await Promise.all([a.waitForEvent("download"), file.click()]);
    if (readFileSync(await download.path(), "utf8") !== content) throw new Error("the downloaded file differs from the uploaded one");
    await a.goto(ticketUrl);
  });

  await test.step("the timeline lists what happened", async () => {
    await a.getByRole("tab", { name: /Timeline/ }).click();
    await expectText(a.getByTestId("timeline").locator("li"), "Ticket created");
    await expectText(a.getByTestId("timeline").locator("li"), "Internal note added");
    await expectText(a.getByTestId("timeline").locator("li"), "File attached");
    await a.getByRole("tab", { name: /Conversation/ }).click();
  });
});

test("a customer: profile and ticket history, search, a duplicate added and merged into it", async ({ stack, cast, api, newPage, shot }) => {
  const { ticket } = await api.workspaceWithTicket(cast);
  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);
  let customerUrl = "";

  await test.step("open the customer from the ticket: profile, ticket history, timeline", async () => {
    await a.goto(`${stack}/tickets/${ticket.id}`);
    await a.getByTestId("customer-link").click();
    await a.waitForURL("**/customers/*");
    customerUrl = a.url();
    await expectText(a.getByTestId("customer-name"), cast.customer.name);
    await expectText(a.locator(".history"), cast.subject);
    await shot(a, "05-customer");
    await a.getByRole("link", { name: "Customers" }).first().click();
    await a.getByLabel("Search customers by name or e-mail").fill("chris");
    await expectText(a.getByTestId("list-search-results"), cast.customer.name);
  });

  await test.step("add a duplicate customer and merge it into the first", async () => {
    await a.getByRole("button", { name: "Add customer" }).click();
    const dup = `chris.dup-${cast.run}@example.org`;
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
});

test("SLA: a policy, the ticket's clocks, the radar", async ({ stack, cast, api, newPage, shot }) => {
  const { owner, ticket } = await api.workspaceWithTicket(cast);
  // The first response, so that clock is met.
  await api.addMessage(owner, ticket.id, "Thanks Chris, we are looking into it.", false);
  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);
  const ticketUrl = `${stack}/tickets/${ticket.id}`;

  await test.step("set an SLA policy; the ticket shows its clocks", async () => {
    await a.goto(`${stack}/settings/sla`);
    await a.getByLabel("Time zone").fill("Europe/Paris");
    await shot(a, "06-settings-sla");
    // Around the clock, so the ticket's 16-hour resolution target falls within the radar's next day.
    await a.getByLabel("Around the clock (no business hours)").check();
    await a.getByRole("button", { name: "Save policy" }).click();
    await a.getByText("Saved. Every ticket's clocks now follow this policy.").waitFor();
    await a.goto(ticketUrl);
    await a.getByTestId("sla-first-response").waitFor();
    await expectText(a.getByTestId("sla-first-response"), "Met on time");
    await expectText(a.getByTestId("sla-resolution"), "Due in");
    // Raising the priority shortens the resolution target to 4 hours.
    await a.getByLabel("Priority").selectOption("urgent");
    await expectText(a.locator(".ticket-header-meta"), "Urgent");
    await expectText(a.getByTestId("sla-resolution"), "Due in 3 h 59 min");
  });

  await test.step("the SLA radar lists the ticket as due within a day", async () => {
    await a.goto(`${stack}/sla-radar?within=1440`);
    // The radar follows ticket changes through the event log within seconds.
    await eventually(a, a.getByTestId("radar-list").filter({ hasText: cast.subject }), "the ticket on the SLA radar");
    await expectText(a.getByTestId("radar-list"), "Due soon");
    await shot(a, "07-sla-radar");
  });
});
