// Selling as a team: the owner adds a deal on the kanban and moves it (keyboard and the "Move to" menu),
// the agent's board in another browser follows without reloading, the owner wins the deal on its page
// and it leaves the agent's board; the sales dashboard shows the pipeline's totals; a stage that holds
// an open deal cannot be removed in the pipeline settings. Every main screen gets the accessibility audit.
import type { Locator, Page } from "@playwright/test";
import { expect, expectText, logIn, test } from "./fixtures";

/** Live frames must do it: well under the board's one-minute polling. */
const LIVE = 20_000;

const column = (page: Page, stage: string) => page.locator(`[data-testid="stage-column"][data-stage="${stage}"]`);
const card = (scope: Locator, title: string) => scope.getByTestId("deal-card").filter({ hasText: title });

async function waitLive(...pages: Page[]) {
  for (const page of pages) await expect(page.getByTestId("live-status")).toHaveText("Live", { timeout: LIVE });
}

test("a deal on the kanban: added and moved by the owner, followed live by the agent, won, on the dashboard", async ({ stack, cast, api, newPage, shot }) => {
  const owner = await api.signUp(cast.owner);
  await api.addMember(owner, cast.agent);
  const title = `Acme renewal ${cast.run}`;

  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);
  const b = await newPage("agent");
  await logIn(b, stack, cast.agent);

  await test.step("the owner adds a deal; it is first in the first stage with the stage's totals", async () => {
    await a.goto(`${stack}/sales/deals`);
    await column(a, "Qualified").waitFor();
    await a.getByRole("button", { name: "New deal" }).click();
    const form = a.getByRole("form", { name: "New deal" });
    await form.getByLabel("Value").fill("12x");
    await form.getByLabel("Title").fill(title);
    await form.getByRole("button", { name: "Add deal" }).click();
    await expectText(form, "Value must be an amount");
    await form.getByLabel("Value").fill("1250");
    await form.getByRole("button", { name: "Add deal" }).click();
    await card(column(a, "Qualified"), title).waitFor();
    await expect(column(a, "Qualified").getByTestId("stage-count")).toHaveText("1");
    await expectText(column(a, "Qualified"), "weighted €125.00");
    await shot(a, "40-deals-kanban");
  });

  await test.step("both boards are live; the agent sees the deal", async () => {
    await b.goto(`${stack}/sales/deals`);
    await card(column(b, "Qualified"), title).waitFor();
    await waitLive(a, b);
  });

  await test.step("the owner moves the card with ] and the Move to menu; the agent's board follows without a reload", async () => {
    const ownCard = card(column(a, "Qualified"), title);
    await ownCard.focus();
    await a.keyboard.press("]");
    await card(column(a, "Contact made"), title).waitFor();
    await expect(card(column(a, "Contact made"), title)).toBeFocused();
    await expect(column(a, "Qualified").getByTestId("stage-count")).toHaveText("0");
    await card(column(b, "Contact made"), title).waitFor({ timeout: LIVE });

    await card(column(a, "Contact made"), title).getByLabel(`Move ${title} to`).selectOption({ label: "Move to Proposal made" });
    await card(column(a, "Proposal made"), title).waitFor();
    await expectText(column(a, "Proposal made"), "weighted €750.00");
    await card(column(b, "Proposal made"), title).waitFor({ timeout: LIVE });
    await expect(column(b, "Contact made").getByTestId("deal-card")).toHaveCount(0);
    await expectText(column(b, "Proposal made"), "weighted €750.00");
    await shot(b, "41-deals-kanban-agent-live");
  });

  await test.step("the dashboard shows the open pipeline per stage", async () => {
    await a.goto(`${stack}/sales/dashboard`);
    await expectText(a.getByTestId("stat-open-EUR"), "€1,250.00");
    await expectText(a.getByTestId("stage-totals").getByRole("row", { name: /Proposal made/ }), "€750.00");
    await shot(a, "42-sales-dashboard");
  });

  await test.step("a stage holding the open deal cannot be removed in the pipeline settings", async () => {
    await a.goto(`${stack}/settings/pipelines`);
    await a.getByRole("button", { name: /^Edit / }).click();
    const form = a.getByRole("form", { name: /^Edit / });
    await form.getByRole("button", { name: "Remove stage Proposal made" }).click();
    await form.getByRole("button", { name: "Save stages" }).click();
    await expectText(form.getByTestId("stage-not-empty"), "“Proposal made” still holds 1 open deal");
    await shot(a, "43-pipelines-stage-not-empty");
    await form.getByRole("button", { name: "Keep the stage" }).click();
    await expect(form.getByTestId("stage-row")).toHaveCount(5);
    await form.getByRole("button", { name: "Cancel" }).click();
  });

  await test.step("the owner opens the deal, sees its stage history and wins it; it leaves the agent's board", async () => {
    await a.goto(`${stack}/sales/deals`);
    await card(column(a, "Proposal made"), title).getByRole("link", { name: title }).click();
    await a.getByRole("heading", { name: title }).waitFor();
    const history = a.getByTestId("stage-history");
    await expect(history.getByRole("row")).toHaveCount(4);
    await expectText(history, "Still here");
    await shot(a, "44-deal-page");
    await a.getByRole("button", { name: "Mark won" }).click();
    await expect(a.getByTestId("deal-status")).toHaveText("Won");
    await expect(card(b.getByTestId("kanban"), title)).toHaveCount(0, { timeout: LIVE });
    await expect(column(b, "Proposal made").getByTestId("stage-count")).toHaveText("0");
  });
});

test("a stale card is refused and taken back; a stale edit on the deal page says a teammate changed it", async ({ stack, cast, api, newPage }) => {
  const owner = await api.signUp(cast.owner);
  const pipelines = await api.request<{ items: { id: string; stages: { id: string; name: string }[] }[] }>("GET", "/api/v1/pipelines", owner.access_token);
  const [pipeline] = pipelines.items;
  const title = `Globex pilot ${cast.run}`;
  const deal = await api.request<{ id: string; version: number }>("POST", "/api/v1/deals", owner.access_token, { title, value: 500_00, currency: "EUR", pipeline_id: pipeline.id });
  const a = await newPage("owner");
  // This tab gets no live frames, so it keeps showing the card's old version as a tab that missed them would.
  await a.routeWebSocket(/\/ws/, () => {});
  await logIn(a, stack, cast.owner);

  await test.step("kanban: a move of a card another tab changed is taken back with the reason", async () => {
    await a.goto(`${stack}/sales/deals`);
    await card(column(a, "Qualified"), title).waitFor();
    // Another tab (the API) changes the deal; this board still shows the old version.
    await api.request("PATCH", `/api/v1/deals/${deal.id}`, owner.access_token, { version: deal.version, title: `${title} (edited)` });
    await card(column(a, "Qualified"), title).getByLabel(`Move ${title} to`).selectOption({ label: "Move to Negotiation" });
    await expectText(a.getByTestId("move-error"), "A teammate changed this deal first");
    await card(column(a, "Qualified"), `${title} (edited)`).waitFor();
    await expect(column(a, "Negotiation").getByTestId("deal-card")).toHaveCount(0);
  });

  await test.step("deal page: saving over a teammate's change shows the conflict and keeps the edits", async () => {
    await a.goto(`${stack}/sales/deals/${deal.id}`);
    await a.getByRole("heading", { name: `${title} (edited)` }).waitFor();
    const current = await api.request<{ version: number }>("GET", `/api/v1/deals/${deal.id}`, owner.access_token);
    await api.request("PATCH", `/api/v1/deals/${deal.id}`, owner.access_token, { version: current.version, company: "Globex" });
    await a.getByLabel("Title").fill(`${title} (mine)`);
    await a.getByRole("button", { name: "Save" }).click();
    await expectText(a.getByTestId("deal-conflict"), "A teammate changed this deal");
    // The teammate's version is loaded before the edits are saved again on top of it.
    await expectText(a.getByTestId("deal-conflict"), `now version ${current.version + 1}`);
    await expect(a.getByLabel("Title")).toHaveValue(`${title} (mine)`);
    await a.getByRole("button", { name: "Save" }).click();
    await a.getByRole("heading", { name: `${title} (mine)` }).waitFor();
    await expect(a.getByTestId("deal-conflict")).toHaveCount(0);
    // Only the title was sent: the teammate's company stays.
    // The details form's text field (the picker beside it is "Linked company").
    await expect(a.getByLabel("Company", { exact: true })).toHaveValue("Globex");
  });
});
