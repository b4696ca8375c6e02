import { describe, expect, it, vi } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { Composer, ReplySignature } from "./Composer";
import { ticketKeys } from "../../api/queries/keys";

// The composer is drawn from the query cache alone; the client (sessions in the browser's storage) is
// never reached.
vi.mock("../../api/client", () => ({
  api: {},
  call: () => Promise.reject(new Error("no request is made while drawing the composer")),
}));

/** The composer of a ticket as first drawn, with the reply address (and its signature) already read. */
function composer(signature: string | null) {
  const queries = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  queries.setQueryData(ticketKeys.replyAddress("t-1"), { reply_to: "acme+tok@inbound.example", subject_reference: "[#12]", signature });
  return renderToStaticMarkup(
    <QueryClientProvider client={queries}>
      <Composer ticketId="t-1" version={3} nameOf={(id) => id} onTyping={() => {}} />
    </QueryClientProvider>,
  );
}

describe("the reply composer", () => {
  it("shows under the reply box the signature the customer's e-mail will end with", () => {
    const html = composer("Grace Hopper\nAcme Support");
    expect(html).toContain('data-testid="reply-signature"');
    expect(html).toContain("-- \nGrace Hopper\nAcme Support");
    // Under the box, not in it: the text the agent types stays theirs.
    expect(html.indexOf("reply-signature")).toBeGreaterThan(html.indexOf("composer-text"));
    expect(html).not.toMatch(/<textarea[^>]*>[^<]*Grace Hopper/);
  });

  it("shows nothing when the workspace has no signature", () => {
    expect(composer(null)).not.toContain("reply-signature");
    expect(renderToStaticMarkup(<ReplySignature signature={"  \n "} />)).toBe("");
  });

  it("escapes the signature, it is text", () => {
    const html = renderToStaticMarkup(<ReplySignature signature={"<b>Grace</b> & co"} />);
    expect(html).toContain("-- \n&lt;b&gt;Grace&lt;/b&gt; &amp; co");
  });
});
