// An admin sets up lead capture: a JSON endpoint whose mapping is tried on a sample first, its URL and
// secret shown once; a delivery with the secret makes a lead, and the delivery log shows it.
import { expectText, logIn, test } from "./fixtures";

test("a capture endpoint: mapping tried on a sample, secret shown once, a delivery makes a lead and is logged", async ({ stack, cast, api, newPage, shot }) => {
  await api.signUp(cast.owner);
  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);
  await a.goto(`${stack}/settings/lead-capture`);
  const form = a.getByRole("form", { name: "New capture endpoint" });
  await form.getByLabel("Name").fill("Pricing page");
  await form.getByLabel("Kind").selectOption("json");
  await form.getByLabel("Source 1").fill("person.name");
  await form.getByLabel("Source 2").fill("person.emails[0]");
  await form.getByLabel("Source 3").fill("org");
  const email = `lead-${cast.run}@example.com`;
  await form.getByLabel("Sample payload").fill(JSON.stringify({ person: { name: "Grace Hopper", emails: [email] }, org: "Navy" }));
  await form.getByRole("button", { name: "Test mapping" }).click();
  await expectText(a.getByTestId("mapping-result"), "This payload makes the lead Grace Hopper");
  await expectText(a.getByTestId("mapping-result"), "Navy");
  await shot(a, "10c-settings-lead-capture-tester");

  await form.getByRole("button", { name: "Make endpoint" }).click();
  const secret = (await a.getByTestId("one-time-secret").locator(".secret-value").textContent())?.trim() ?? "";
  if (!secret.startsWith("lcsec_")) throw new Error(`the endpoint secret looks wrong: ${secret}`);
  const url = (await a.getByTestId("capture-made").locator("code").first().textContent())?.trim() ?? "";
  if (!url.includes("/api/v1/inbound/leads/")) throw new Error(`the inbound URL looks wrong: ${url}`);
  await a.getByRole("button", { name: "I have stored it" }).click();

  // A sender posts to the URL it was given, with the secret.
  const delivered = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-capture-secret": secret },
    body: JSON.stringify({ person: { name: "Katherine Johnson", emails: [`kj-${cast.run}@example.com`] }, org: "NASA" }),
  });
  if (delivered.status !== 201) throw new Error(`the delivery answered ${delivered.status}: ${await delivered.text()}`);

  const endpoint = a.getByTestId("capture-endpoints").locator("li", { hasText: "Pricing page" });
  await endpoint.getByRole("button", { name: "Deliveries" }).click();
  await expectText(endpoint.getByTestId("capture-deliveries"), "Created");
  await endpoint.getByRole("button", { name: "Payload" }).click();
  await expectText(endpoint.getByTestId("capture-deliveries"), "Katherine Johnson");
  await shot(a, "10d-settings-lead-capture-log");
  await endpoint.getByRole("link", { name: "Open lead" }).click();
  await expectText(a.locator("h1"), "Katherine Johnson");
});
