// Notifications: the owner mentions the agent in an internal note through the @ picker; the agent's
// bell counts it live, the centre lists it and leads to the ticket, reading it clears the count, and a
// kind turned off stays off.
import { expect, logIn, test } from "./fixtures";

test("a mention in a note reaches the teammate's bell live, and the centre reads it and keeps preferences", async ({ stack, cast, api, newPage, shot }) => {
  const { owner, ticket } = await api.workspaceWithTicket(cast);
  await api.addMember(owner, cast.agent);
  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);
  const b = await newPage("agent");
  await logIn(b, stack, cast.agent);
  await expect(b.getByTestId("live-status")).toHaveText("Live");
  await expect(b.getByTestId("notification-bell")).toHaveAccessibleName("Notifications");

  await test.step("the owner mentions the agent with the @ picker", async () => {
    await a.goto(`${stack}/tickets/${ticket.id}`);
    await a.getByRole("radio", { name: "Internal note" }).click();
    const note = a.getByLabel("Internal note, visible to your team only");
    await note.click();
    await note.pressSequentially("Can you look, @Bro");
    const picker = a.getByRole("listbox", { name: "Mention a teammate" });
    await expect(picker.getByRole("option")).toHaveCount(1);
    await note.press("Enter");
    await expect(note).toHaveValue(/^Can you look, @\[Brook Agent\]\([0-9a-f-]{36}\) $/);
    await note.pressSequentially("today?");
    await note.press("Control+Enter");
    await expect(a.locator('[data-kind="note"] .mention')).toHaveText("@Brook Agent");
  });

  await test.step("the agent's bell counts it live and the centre leads to the ticket", async () => {
    await expect(b.getByTestId("notification-bell")).toHaveAccessibleName("Notifications 1 unread");
    await b.getByTestId("notification-bell").click();
    await b.getByRole("heading", { name: "Notifications" }).waitFor();
    const item = b.getByTestId("notifications").getByRole("link", { name: /Ada Lovelace mentioned you in a note/ });
    await expect(item).toBeVisible();
    await expect(b.getByTestId("unread-count")).toHaveText("1 unread");
    await shot(b, "60-notification-centre");
    await item.click();
    await b.waitForURL(`**/tickets/${ticket.id}`);
    await expect(b.getByTestId("notification-bell")).toHaveAccessibleName("Notifications");
  });

  await test.step("read stays read, and a kind turned off stays off after a reload", async () => {
    await b.goto(`${stack}/notifications`);
    await expect(b.getByTestId("unread-count")).toHaveText("0 unread");
    await b.getByRole("tab", { name: "Unread" }).click();
    await b.getByRole("heading", { name: "All read" }).waitFor();
    const assigned = b.getByLabel("A ticket is assigned to me");
    await expect(assigned).toBeChecked();
    await assigned.uncheck();
    await expect(assigned).not.toBeChecked();
    await b.reload();
    await expect(b.getByLabel("A ticket is assigned to me")).not.toBeChecked();
    await expect(b.getByLabel("Someone mentions me in a note or chat")).toBeChecked();
  });
});
