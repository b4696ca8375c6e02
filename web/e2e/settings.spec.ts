// The owner's settings: members, the report, API keys, webhooks (delivered signed to a receiver this
// test runs on 127.0.0.1, logged, replayed) and Slack.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { eventually, expectText, logIn, test, until } from "./fixtures";

test("add a second agent through the members screen", async ({ stack, cast, api, newPage, shot }) => {
  await api.signUp(cast.owner);
  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);
  await a.goto(`${stack}/settings/members`);
  await a.getByRole("button", { name: "Add member" }).click();
  const form = a.getByRole("form", { name: "Add member" });
  await form.getByLabel("Name").fill(cast.agent.name);
  await form.getByLabel("E-mail").fill(cast.agent.email);
  await form.getByLabel("Role").selectOption("agent");
  await form.getByLabel("Initial password").fill(cast.agent.password);
  await form.getByRole("button", { name: "Add member" }).click();
  await expectText(a.getByTestId("members-table"), cast.agent.email);
  await shot(a, "08-settings-members");
});

test("the owner's plan page shows every limit against its usage", async ({ stack, cast, api, newPage, shot }) => {
  await api.workspaceWithTicket(cast);
  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);
  await a.goto(`${stack}/settings/plan`);
  const usage = a.getByLabel("Usage against the plan");
  await expectText(a.locator(".plan-tier"), "Free");
  await expectText(usage, "Tickets this month");
  await expectText(usage.getByRole("meter", { name: "Tickets this month" }).locator(".."), "1 of 100");
  await expectText(usage, "Webhooks");
  await expectText(usage, "API requests per minute");
  await shot(a, "09a-settings-plan");
});

test("reports show the day's tickets", async ({ stack, cast, api, newPage, shot }) => {
  await api.workspaceWithTicket(cast);
  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);
  await a.goto(`${stack}/reports`);
  await a.getByRole("heading", { name: "Reports" }).waitFor();
  // Counters follow the event log within seconds: reload until the created ticket is counted.
  await eventually(a, a.locator(".stat").filter({ hasText: "Tickets created" }).locator(".stat-value", { hasText: /^1$/ }), "one created ticket in the report");
  await a.locator(".chart canvas").waitFor();
  await shot(a, "09-reports");
});

test("an API key: made with a scope, its secret shown once, listed by prefix, working until revoked", async ({ stack, cast, api, newPage, shot }) => {
  await api.signUp(cast.owner);
  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);
  await a.goto(`${stack}/settings/api-keys`);
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
  const withKey = (key: string) => fetch(`${stack}/api/v1/tickets`, { headers: { authorization: `Bearer ${key}` } }).then((response) => response.status);
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

interface Delivery {
  path: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 (a free port): answers 204 and keeps every request it got. */
async function startReceiver() {
  const received: Delivery[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ path: request.url, headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/switchboard`, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** Standard Webhooks: v1,base64(HMAC-SHA256(secret, "{id}.{timestamp}.{body}")), any of the listed signatures. */
function signedWith(secret: string, delivery: Delivery) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signatures = "" } = delivery.headers as Record<string, string | undefined>;
  const expected = Buffer.from(`v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${delivery.body}`).digest("base64")}`);
  return signatures.split(" ").some((signature) => signature.length === expected.length && timingSafeEqual(Buffer.from(signature), expected));
}

test("a webhook endpoint: signing secret shown once, a ticket event delivered signed, logged and replayed; then Slack in its place", async ({ stack, cast, api, newPage, shot }) => {
  const { ticket } = await api.workspaceWithTicket(cast);
  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);
  const ticketUrl = `${stack}/tickets/${ticket.id}`;
  const receiver = await startReceiver();
  try {
    await test.step("a webhook endpoint: signing secret shown once, a ticket event delivered signed, logged and replayed", async () => {
      await a.goto(`${stack}/settings/webhooks`);
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
      await a.getByLabel("Priority").selectOption("normal");
      await expectText(a.locator(".ticket-header-meta"), "Normal");
      await until("a delivery reaching the receiver", () => receiver.received.length >= 1);
      const first = receiver.received[0];
      const payload = JSON.parse(first.body);
      if (payload.type !== "ticket.updated") throw new Error(`the receiver got ${payload.type}, not ticket.updated`);
      if (!signedWith(secret, first)) throw new Error(`the delivery's signature does not verify: ${JSON.stringify(first.headers)}`);

      // The delivery log shows it delivered (the log follows the delivery within seconds).
      await a.goto(`${stack}/settings/webhooks`);
      const openLog = async () => {
        const endpoint = a.getByTestId("webhooks").locator("li", { hasText: receiver.url });
        await endpoint.waitFor();
        const button = endpoint.getByRole("button", { name: "Deliveries", exact: true });
        if (await button.count()) await button.click();
        await endpoint.getByRole("button", { name: "Hide deliveries" }).waitFor();
      };
      // Reload until the log shows what is awaited.
      const inLog = async (locator: ReturnType<typeof a.locator>, what: string) => {
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
    });
  } finally {
    await receiver.close();
  }

  await test.step("connect Slack in place of the webhook (the free plan holds one endpoint)", async () => {
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
});

test("the e-mail settings: a template's unknown placeholder named, the preview, the signature saved, the domain's DKIM records", async ({
  stack,
  cast,
  api,
  newPage,
  shot,
}) => {
  await api.signUp(cast.owner);
  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);
  await a.goto(`${stack}/settings/email`);
  await a.getByRole("heading", { name: "E-mail", exact: true }).waitFor();
  const subject = a.getByLabel("Subject").first();
  await subject.fill("Got it {{ticket.id}}");
  await expectText(a.locator(".notice").first(), "uses unknown placeholders {{ticket.id}}");
  // The server refuses it too, naming the placeholder.
  await a.getByRole("button", { name: "Save e-mail settings" }).click();
  await expectText(a.locator(".inline-error"), "{{ticket.id}}");
  await subject.fill("Got it {{ticket.reference}}");
  await expectText(a.getByLabel("Preview of Request received"), "Got it [#1042]");
  await a.getByLabel("Signature of replies sent by e-mail").fill("Ada and the support team");
  await a.getByRole("button", { name: "Save e-mail settings" }).click();
  await expectText(a.getByRole("status").filter({ hasText: "Saved." }), "Saved.");
  await a.reload();
  const signature = a.getByLabel("Signature of replies sent by e-mail");
  await until("the signature kept", async () => (await signature.inputValue()) === "Ada and the support team");
  const records = a.locator("table", { hasText: "DKIM records" }).locator("tbody tr");
  await records.nth(2).waitFor();
  await expectText(a.locator(".badge", { hasText: "Verified" }), "Verified");
  await expectText(records.first(), "dkim.amazonses.com");
  await shot(a, "10e-settings-email");
});
