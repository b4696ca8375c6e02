// Search: the owner presses Ctrl-K, types a subject with a typo and sees the ticket as they type,
// moves to it with the arrows and opens it with Enter; "/" opens the palette again, a lead is found
// by a prefix of its name, and the last search is offered when the box is empty.
import { expect, logIn, test } from "./fixtures";

test("the search palette finds records as you type and opens them from the keyboard", async ({ stack, cast, api, newPage, shot }) => {
  const owner = await api.signUp(cast.owner);
  const ticket = await api.createTicket(owner, cast);
  const lead = await api.request<{ id: string }>("POST", "/api/v1/leads", owner.access_token, { name: `Wilhelmina Quartz ${cast.run}` });
  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);

  await test.step("Ctrl-K opens the palette; a typo still finds the ticket, highlighted", async () => {
    // The shortcut listens once the sidebar's search box is there.
    await expect(a.getByRole("button", { name: /Search…/ })).toBeVisible();
    await a.keyboard.press("Control+k");
    const box = a.getByRole("combobox", { name: "Search tickets, customers, companies, leads and deals" });
    await expect(box).toBeFocused();
    await box.pressSequentially("exprot invoices");
    const option = a.getByRole("option").filter({ hasText: cast.subject });
    await expect(option).toBeVisible();
    await expect(option.locator("mark").first()).toHaveText(/export/i);
    await shot(a, "60-search-palette");
    // The first result is selected; the arrows move and wrap, Enter opens the selected one.
    const options = a.getByRole("option");
    const count = await options.count();
    const target = await options.evaluateAll((items, subject) => items.findIndex((item) => item.textContent?.includes(subject)), cast.subject);
    for (let i = 0; i < target; i++) await box.press("ArrowDown");
    await expect(options.nth(target)).toHaveAttribute("aria-selected", "true");
    expect(count).toBeGreaterThan(0);
    await box.press("Enter");
    await expect(a).toHaveURL(new RegExp(`/tickets/${ticket.id}$`));
    await expect(a.getByRole("dialog", { name: "Search" })).toBeHidden();
  });

  await test.step("/ opens it again; the last word is a prefix; Escape closes", async () => {
    // Outside a text field: the ticket page may have put the focus in its composer.
    await a.getByRole("heading", { level: 1 }).first().click();
    await a.keyboard.press("/");
    const box = a.getByRole("combobox", { name: "Search tickets, customers, companies, leads and deals" });
    await expect(box).toBeFocused();
    await expect(a.getByRole("button", { name: "exprot invoices" })).toBeVisible();
    await box.fill("wilhelmina quar");
    await expect(a.getByRole("option").filter({ hasText: "Wilhelmina Quartz" })).toBeVisible();
    await box.press("Escape");
    await expect(a.getByRole("dialog", { name: "Search" })).toBeHidden();
    await a.getByRole("button", { name: /Search…/ }).click();
    await box.fill("wilhelmina quar");
    await a.getByRole("option").filter({ hasText: "Wilhelmina Quartz" }).click();
    await expect(a).toHaveURL(new RegExp(`/sales/leads/${lead.id}$`));
  });
});

// A list's own search field: the leads list narrows to a misspelt name as it is typed, under the
// list's filters, and clearing the field brings the whole list back.
test("a list's search field narrows the list as you type, typos and all", async ({ stack, cast, api, newPage, shot }) => {
  const owner = await api.signUp(cast.owner);
  const lead = await api.request<{ id: string }>("POST", "/api/v1/leads", owner.access_token, { name: `Bartholomew Finch ${cast.run}` });
  await api.request("POST", "/api/v1/leads", owner.access_token, { name: `Other Person ${cast.run}` });
  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);
  await a.goto(`${stack}/sales/leads`);
  await expect(a.getByTestId("lead-list")).toContainText("Other Person");

  const field = a.getByRole("combobox", { name: "Search leads" });
  await field.pressSequentially("bartholomwe fin");
  const results = a.getByTestId("list-search-results");
  await expect(results.getByRole("option").filter({ hasText: "Bartholomew Finch" })).toBeVisible();
  await expect(results).not.toContainText("Other Person");
  await shot(a, "61-list-search");

  // Escape clears the field: the list is back.
  await field.press("Escape");
  await expect(field).toHaveValue("");
  await expect(a.getByTestId("lead-list")).toContainText("Other Person");

  // Enter opens the selected result.
  await field.pressSequentially("bartholomwe");
  await expect(results.getByRole("option").first()).toHaveAttribute("aria-selected", "true");
  await field.press("Enter");
  await expect(a).toHaveURL(new RegExp(`/sales/leads/${lead.id}$`));
});
