// Activities and my tasks: the owner logs a call that happened and a task due yesterday on a lead, and a
// task on a deal; My tasks lists the open ones overdue first, ticking one moves it to Done (beside the
// call logged done); the customer page has the same panel; the dashboard counts them per rep. The
// screens get the accessibility audit.
import { eventually, expect, expectText, logIn, test } from "./fixtures";

test("activities logged on a lead and a deal, worked through My tasks", async ({ stack, cast, api, newPage, shot }) => {
  const owner = await api.signUp(cast.owner);
  const token = owner.access_token;
  const lead = await api.request<{ id: string }>("POST", "/api/v1/leads", token, { name: `Grace ${cast.run}`, email: `grace-${cast.run}@navy.example` });
  const deal = await api.request<{ id: string }>("POST", "/api/v1/deals", token, { title: `Navy renewal ${cast.run}`, value: 100_000, currency: "USD" });
  const customer = await api.request<{ id: string }>("POST", "/api/v1/customers", token, { email: `buyer-${cast.run}@navy.example`, name: "Navy buyer" });
  await api.request("POST", `/api/v1/deals/${deal.id}/activities`, token, { kind: "task", subject: "Send the contract" });

  const page = await newPage("owner");
  await logIn(page, stack, cast.owner);

  await test.step("on the lead: a call that happened and a task due yesterday", async () => {
    await page.goto(`${stack}/sales/leads/${lead.id}`);
    const form = page.getByRole("form", { name: "Log an activity" });
    await form.getByLabel("Subject").fill("Intro call");
    await form.getByRole("button", { name: "Log activity" }).click();
    const list = page.getByTestId("lead-activities");
    await expectText(list, "Intro call");
    await form.getByLabel("Kind").selectOption("task");
    await form.getByLabel("Subject").fill("Follow up Tuesday");
    const yesterday = new Date(Date.now() - 86_400_000);
    const local = new Date(yesterday.getTime() - yesterday.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await form.getByLabel("Due").fill(local);
    await form.getByRole("button", { name: "Log activity" }).click();
    await expectText(list, "Follow up Tuesday");
    await expect(list.getByLabel("Intro call: done")).toBeChecked();
    await expect(list.getByLabel("Follow up Tuesday: done")).not.toBeChecked();
    await expectText(page.getByRole("region", { name: "Timeline" }), "Task “Follow up Tuesday” logged");
    await shot(page, "50-lead-activities");
  });

  await test.step("My tasks: overdue first, then the undated one; ticking one moves it to Done", async () => {
    await page.goto(`${stack}/sales/tasks`);
    const tasks = page.getByTestId("my-tasks");
    await expectText(tasks, "Send the contract");
    const items = tasks.getByRole("listitem");
    await expect(items).toHaveCount(2);
    await expectText(items.nth(0), "Follow up Tuesday");
    await expectText(items.nth(0), "(overdue)");
    await expectText(items.nth(1), "Send the contract");
    await shot(page, "51-my-tasks");
    await tasks.getByLabel("Follow up Tuesday: done").click();
    await expect(items).toHaveCount(1);
    await page.getByRole("tab", { name: "Done" }).click();
    // Latest done first: the task just ticked, then the call logged as done.
    const done = page.getByTestId("my-tasks").getByRole("listitem");
    await expect(done).toHaveCount(2);
    await expectText(done.nth(0), "Follow up Tuesday");
    await expectText(done.nth(1), "Intro call");
    await done.nth(0).getByRole("link", { name: `Grace ${cast.run}` }).click();
    await expect(page).toHaveURL(new RegExp(`/sales/leads/${lead.id}$`));
  });

  await test.step("the deal and the customer pages have the panel", async () => {
    await page.goto(`${stack}/sales/deals/${deal.id}`);
    await expectText(page.getByTestId("deal-activities"), "Send the contract");
    await page.goto(`${stack}/customers/${customer.id}`);
    const form = page.getByRole("form", { name: "Log an activity" });
    await form.getByLabel("Kind").selectOption("email");
    await form.getByLabel("Subject").fill("Sent the price list");
    await form.getByRole("button", { name: "Log activity" }).click();
    await expectText(page.getByTestId("customer-activities"), "Sent the price list");
    await shot(page, "52-customer-activities");
  });

  await test.step("the dashboard counts them per rep: 4 logged (a call, 2 tasks, an e-mail), 3 done (the call and the e-mail logged done, a task ticked)", async () => {
    await page.goto(`${stack}/sales/dashboard`);
    const row = page.getByTestId("activities-per-rep").getByRole("row", { name: "You 4 3 1 0 2 1" });
    await eventually(page, row, "the activities per rep");
    await shot(page, "53-dashboard-activities");
  });
});
