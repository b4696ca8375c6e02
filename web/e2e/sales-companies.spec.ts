// Companies: the owner adds one (a second with the same domain is refused, naming the first), links a
// customer to it from the customer's page and a deal from the deal's page, sees both on the company page,
// renames the company and the customer shows the new name; a lost deal is reopened from its page.
import { expect, expectText, logIn, test } from "./fixtures";

test("a company groups a customer and a deal, a rename follows them, and a lost deal reopens", async ({ stack, cast, api, newPage, shot }) => {
  const owner = await api.signUp(cast.owner);
  const name = `Acme ${cast.run}`;
  const domain = `acme-${cast.run}.example`.toLowerCase().replace(/[^a-z0-9.-]/g, "");
  const customer = await api.request<{ id: string }>("POST", "/api/v1/customers", owner.access_token, { email: `buyer-${cast.run}@example.com`.toLowerCase(), name: "Ada Buyer" });
  const deal = await api.request<{ id: string; version: number }>("POST", "/api/v1/deals", owner.access_token, { title: `Anvils ${cast.run}`, value: 100_00, currency: "EUR" });
  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);

  await test.step("the owner adds the company; the same domain again is refused, naming the first", async () => {
    await a.goto(`${stack}/sales/companies`);
    await a.getByRole("button", { name: "Add company" }).click();
    const form = a.getByRole("form", { name: "Add a company" });
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Domain").fill(`https://www.${domain}/`);
    await form.getByRole("button", { name: "Add company" }).click();
    await expect(a.getByTestId("company-name")).toHaveText(name);
    await a.goto(`${stack}/sales/companies`);
    await a.getByRole("button", { name: "Add company" }).click();
    const again = a.getByRole("form", { name: "Add a company" });
    await again.getByLabel("Name").fill(`${name} copy`);
    await again.getByLabel("Domain").fill(domain);
    await again.getByRole("button", { name: "Add company" }).click();
    await expectText(again.getByRole("alert"), "already has the domain");
    await shot(a, "50-companies");
  });

  await test.step("the customer and the deal are linked from their pages", async () => {
    await a.goto(`${stack}/customers/${customer.id}`);
    await a.getByLabel("Linked company", { exact: true }).selectOption({ label: name });
    await expect(a.getByTestId("company-link")).toHaveText(name);
    await a.goto(`${stack}/sales/deals/${deal.id}`);
    await a.getByLabel("Linked company", { exact: true }).selectOption({ label: name });
    await expect(a.getByTestId("company-link")).toHaveText(name);
  });

  await test.step("the company page lists both; a rename shows on the customer", async () => {
    await a.getByTestId("company-link").click();
    await expectText(a.getByTestId("company-customers"), "Ada Buyer");
    await expectText(a.getByTestId("company-deals"), `Anvils ${cast.run}`);
    await expectText(a.getByTestId("company-counts"), "1 customer(s) · 1 deal(s)");
    await shot(a, "51-company-page");
    await a.getByLabel("Name").fill(`${name} Corp`);
    await a.getByRole("button", { name: "Save" }).click();
    await expect(a.getByTestId("company-name")).toHaveText(`${name} Corp`);
    await a.goto(`${stack}/customers/${customer.id}`);
    await expect(a.getByTestId("company-link")).toHaveText(`${name} Corp`);
  });

  await test.step("a lost deal is reopened from its page", async () => {
    const current = await api.request<{ version: number }>("GET", `/api/v1/deals/${deal.id}`, owner.access_token);
    await api.request("POST", `/api/v1/deals/${deal.id}/lost`, owner.access_token, { version: current.version, reason: "Budget" });
    await a.goto(`${stack}/sales/deals/${deal.id}`);
    await expect(a.getByTestId("deal-status")).toHaveText("Lost");
    await a.getByRole("button", { name: "Reopen" }).click();
    await expect(a.getByTestId("deal-status")).toHaveText("Open");
  });
});
