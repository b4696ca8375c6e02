// The e-mail channel end to end: a customer's e-mail becomes a ticket; the agent replies in the web app
// with a file; the customer gets the reply (read from the local SES's outbox) threaded on their e-mail;
// their answer to it lands on the same ticket, live in the agent's open page.
import { expectText, logIn, test, until } from "./fixtures";

interface Outbox {
  messages: { message_id: string; destinations: string[]; raw: string }[];
}

test("e-mail: a customer writes, the agent replies with a file, the answer lands live on the same ticket", async ({ stack, cast, api, newPage, shot }) => {
  const session = await api.signUp(cast.owner);
  const settings = await api.request<{ forwarding_address: string }>("GET", "/api/v1/settings/email", session.access_token);
  const inbound = async (raw: string) => {
    const response = await fetch(`${stack}/__local/inbound-email`, { method: "POST", headers: { "content-type": "message/rfc822" }, body: raw });
    const text = await response.text();
    if (!response.ok) throw new Error(`the inbound message answered ${response.status}: ${text}`);
    return text;
  };
  const customer = cast.customer.email;
  const firstId = `first-${cast.run}@mail.example.org`;
  const subject = `Invoice is missing (${cast.run})`;
  const answered = await inbound(
    [
      `From: ${cast.customer.name} <${customer}>`,
      `To: ${settings.forwarding_address}`,
      `Subject: ${subject}`,
      "Date: Mon, 7 Dec 2026 09:15:00 +0000",
      `Message-ID: <${firstId}>`,
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "Hello, my November invoice never arrived.",
      "",
    ].join("\r\n"),
  );
  const ticketId = (JSON.parse(answered) as { ticket_id?: string; results?: { ticket_id?: string }[] }).ticket_id ?? answered.match(/"ticket_id":"([^"]+)"/)?.[1];
  if (!ticketId) throw new Error(`no ticket was opened: ${answered}`);

  const a = await newPage("owner");
  await logIn(a, stack, cast.owner);
  await a.goto(`${stack}/tickets/${ticketId}`);
  await expectText(a.getByTestId("messages"), "my November invoice never arrived");

  const reply = `Sorry about that, here it is (${cast.run}).`;
  await a.locator("#composer-text").fill(reply);
  await a.locator("#reply-files").setInputFiles({ name: "invoice-november.txt", mimeType: "text/plain", buffer: Buffer.from("Invoice 2026-11: 42 EUR\n") });
  await a.getByTestId("reply-files").getByText("invoice-november.txt").waitFor();
  await a.getByRole("button", { name: "Send reply" }).click();
  await expectText(a.getByTestId("messages"), reply);
  await shot(a, "11a-ticket-email-reply");

  // What the customer got: the reply, threaded on their e-mail, with the file.
  let sent: Outbox["messages"][number] | undefined;
  await until("the reply is in the outbox", async () => {
    const outbox = (await (await fetch(`${stack}/__local/outbox`)).json()) as Outbox;
    // The "request received" auto-reply goes to the same customer with the same subject: skip it.
    sent = outbox.messages.find((message) => message.destinations.includes(customer) && message.raw.includes(cast.run) && !/^Auto-Submitted:\s*auto-/mi.test(message.raw));
    return sent !== undefined;
  });
  const raw = sent!.raw.replace(/\r\n[ \t]+/g, " ");
  for (const header of ["In-Reply-To", "References"]) {
    if (!new RegExp(`^${header}:.*<${firstId.replace(/[.]/g, "\\.")}>`, "mi").test(raw)) throw new Error(`the reply's ${header} does not name the customer's e-mail:\n${raw}`);
  }
  if (!raw.includes("invoice-november.txt")) throw new Error(`the file did not go with the reply:\n${raw}`);

  // The customer answers the reply; the open page shows it without a reload.
  const answer = `Got it, thank you (${cast.run}).`;
  await inbound(
    [
      `From: ${cast.customer.name} <${customer}>`,
      `To: ${settings.forwarding_address}`,
      `Subject: Re: ${subject}`,
      "Date: Mon, 7 Dec 2026 10:15:00 +0000",
      `Message-ID: <answer-${cast.run}@mail.example.org>`,
      `In-Reply-To: <${sent!.message_id}@us-east-1.amazonses.com>`,
      `References: <${firstId}> <${sent!.message_id}@us-east-1.amazonses.com>`,
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "",
      answer,
      "",
    ].join("\r\n"),
  );
  await expectText(a.getByTestId("messages"), answer);
});
