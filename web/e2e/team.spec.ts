// Working as a team: a second agent in their own browser, the roles' limits, a reply held back by a
// teammate's answer, a handoff note, live presence, typing, claims and replies, and team chat.
import type { Page } from "@playwright/test";
import { expectText, logIn, test, type Api, type Cast } from "./fixtures";

/** The owner's workspace with the cast's ticket, a reply and an internal note on it, and the agent in it. */
async function teamWithTicket(api: Api, cast: Cast) {
  const { owner, ticket } = await api.workspaceWithTicket(cast);
  await api.addMessage(owner, ticket.id, "Thanks Chris, we are looking into it.", false);
  await api.addMessage(owner, ticket.id, "Looks like the export worker queue is stuck.", true);
  await api.addMember(owner, cast.agent);
  return { owner, ticket };
}

/** Both in their browsers, logged in. */
async function bothLoggedIn(stack: string, cast: Cast, newPage: (name: string) => Promise<Page>) {
  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);
  const b = await newPage("agent");
  await logIn(b, stack, cast.agent);
  return { a, b };
}

test("the second agent, who also has a workspace of their own, picks the workspace, sees the ticket and the note, and gets 403 on admin screens", async ({ stack, cast, api, newPage, shot }) => {
  const { ticket } = await teamWithTicket(api, cast);
  await api.signUp({ ...cast.agent, workspace: `Brook's side project ${cast.run}` });
  const b = await newPage("agent");

  await test.step("log in, pick the workspace, see the ticket", async () => {
    await b.goto(`${stack}/inbox`);
    await b.waitForURL("**/login**");
    await b.getByLabel("E-mail").fill(cast.agent.email);
    await b.getByLabel("Password").fill(cast.agent.password);
    await b.getByRole("button", { name: "Log in" }).click();
    await b.getByRole("heading", { name: "Choose a workspace" }).waitFor();
    await shot(b, "10-pick-workspace");
    await b.getByRole("button", { name: cast.owner.workspace }).click();
    await b.waitForURL("**/inbox");
    await expectText(b.getByTestId("workspace-name"), cast.owner.workspace);
    await expectText(b.getByTestId("ticket-list"), cast.subject);
    await shot(b, "11-agent-inbox");
  });

  await test.step("the agent's role cannot open the members, API keys or webhooks screens (403)", async () => {
    await b.goto(`${stack}/settings/members`);
    await b.getByRole("heading", { name: "Your role cannot open this" }).waitFor();
    await shot(b, "12-agent-forbidden");
    for (const section of ["api-keys", "webhooks"]) {
      await b.goto(`${stack}/settings/${section}`);
      await b.getByRole("heading", { name: "Your role cannot open this" }).waitFor();
      if (await b.getByRole("form").count()) throw new Error(`the agent is offered a form on /settings/${section}`);
    }
  });

  await test.step("the agent opens the ticket and sees the reply and the note", async () => {
    await b.goto(`${stack}/tickets/${ticket.id}`);
    await expectText(b.locator('[data-kind="reply"]'), "we are looking into it");
    await expectText(b.locator('[data-kind="note"]'), "export worker queue");
  });
});

test("a reply drafted before a teammate answered is held back until its author decides", async ({ stack, cast, api, newPage, shot }) => {
  const { ticket } = await teamWithTicket(api, cast);
  const { a, b } = await bothLoggedIn(stack, cast, newPage);
  await a.goto(`${stack}/tickets/${ticket.id}`);
  await b.goto(`${stack}/tickets/${ticket.id}`);
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

test("hand the ticket over with a note; the new assignee sees it first", async ({ stack, cast, api, newPage }) => {
  const { ticket } = await teamWithTicket(api, cast);
  const { a, b } = await bothLoggedIn(stack, cast, newPage);
  await a.goto(`${stack}/tickets/${ticket.id}`);
  await b.goto(`${stack}/tickets/${ticket.id}`);
  await a.getByLabel("Assignee").selectOption({ label: cast.agent.name });
  const form = a.getByRole("form", { name: "Handoff note" });
  await form.getByLabel("What they need to know").fill("Export worker restarted; customer waits for confirmation.");
  await form.getByLabel("Next step").fill("Confirm the export works, then solve.");
  await form.getByRole("button", { name: "Hand over with note" }).click();
  await form.waitFor({ state: "detached" });
  await b.reload();
  await expectText(b.getByTestId("handoff-note"), "Confirm the export works");
  await expectText(b.getByTestId("handoff-note"), "to you");
});

test("live updates: presence, typing, a soft claim and a new reply without reloading", async ({ stack, cast, api, newPage, shot }) => {
  const { ticket } = await teamWithTicket(api, cast);
  const { a, b } = await bothLoggedIn(stack, cast, newPage);
  await a.goto(`${stack}/tickets/${ticket.id}`);
  await b.goto(`${stack}/tickets/${ticket.id}`);
  const status = async (page: Page) => (await page.getByTestId("live-status").textContent())?.trim();
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

test("team chat: a new channel, a message, the teammate's unread count and the message arriving live", async ({ stack, cast, api, newPage, shot }) => {
  await teamWithTicket(api, cast);
  const { a, b } = await bothLoggedIn(stack, cast, newPage);
  await a.goto(`${stack}/chat`);
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
