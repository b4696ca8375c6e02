// The agent's day beyond one ticket: a bulk assign from the inbox, a macro from the composer by
// keyboard (text filled in, status set in the same change), and merging a duplicate into its ticket.
import { expectText, logIn, test, type TicketView } from "./fixtures";

test("a bulk assign, a macro by keyboard, and a merge that keeps the duplicate's conversation", async ({ stack, cast, api, newPage, shot }) => {
  const owner = await api.signUp(cast.owner);
  const agent = await api.request<{ id: string }>("POST", "/api/v1/users", owner.access_token, { name: cast.agent.name, email: cast.agent.email, role: "agent", password: cast.agent.password });
  const target = await api.createTicket(owner, cast);
  const duplicate = await api.request<TicketView>("POST", "/api/v1/tickets", owner.access_token, {
    subject: `Export still broken (${cast.run})`,
    body: "Second try: the export still spins.",
    customer: { email: cast.customer.email },
  });
  await api.request("POST", "/api/v1/macros", owner.access_token, {
    name: "Asked for a screenshot",
    shared: true,
    body: "Hi {{customer.name}}, could you send a screenshot? — {{agent.name}}",
    status: "pending",
  });
  const page = await newPage("owner");
  await logIn(page, stack, cast.owner);

  await test.step("select both tickets and assign them to a teammate at once", async () => {
    await expectText(page.getByTestId("ticket-list"), cast.subject);
    await page.getByRole("checkbox", { name: `Select “${cast.subject}”` }).check();
    await page.getByRole("checkbox", { name: `Select “${duplicate.subject}”` }).check();
    await expectText(page.getByTestId("bulk-bar"), "2 selected");
    await page.getByLabel("Assign selected").selectOption(agent.id);
    await expectText(page.getByTestId("bulk-summary"), "2 updated.");
    await shot(page, "20-inbox-bulk-assign");
    await page.getByTestId("view-unassigned").getByText("0").waitFor();
  });

  await test.step("apply a macro from the composer by keyboard", async () => {
    await page.goto(`${stack}/tickets/${target.id}`);
    await page.getByTestId("ticket-subject").waitFor();
    await page.locator("body").press("m");
    const picker = page.getByRole("combobox", { name: "Macro" });
    await picker.evaluate((element) => {
      if (document.activeElement !== element) throw new Error("m did not focus the macro picker");
    });
    await picker.selectOption({ label: "Asked for a screenshot (team)" });
    const text = page.getByLabel("Macro text, sent to the customer");
    await expectText(text, `Hi ${cast.customer.name}, could you send a screenshot? — ${cast.owner.name}`);
    await text.press("Control+Enter");
    await expectText(page.locator('[data-kind="reply"]'), `Hi ${cast.customer.name}, could you send a screenshot?`);
    await expectText(page.locator(".ticket-header-meta .badge").first(), "Pending");
    await shot(page, "21-ticket-macro");
  });

  await test.step("merge the duplicate into the ticket: its messages move there, it closes with a link", async () => {
    await page.goto(`${stack}/tickets/${duplicate.id}`);
    await page.getByLabel("Merge into ticket (id)").fill(target.id);
    await page.getByRole("button", { name: "Merge this ticket" }).click();
    await expectText(page.getByTestId("merged-into"), "Merged into");
    await expectText(page.locator(".ticket-header-meta .badge").first(), "Closed");
    await page.getByTestId("merged-into").getByRole("link").click();
    await page.waitForURL(`**/tickets/${target.id}`);
    await expectText(page.getByTestId("messages"), "Second try: the export still spins.");
    await expectText(page.getByTestId("merged-from"), duplicate.id.slice(-6));
    await shot(page, "22-ticket-merged");
  });
});
