// Where a reply sent to the customer by e-mail stands: queued → sent → delivered, or bounced,
// complained about, failed (with SES's reason on hover). The ticket's live stream refetches the
// ticket on every change, so the badge follows without a reload.
import type { Schemas } from "../../api/types";

type Delivery = Schemas["MessageDeliveryView"];

const LABELS: Record<Delivery["state"], string> = {
  queued: "Queued",
  sending: "Sending",
  sent: "Sent",
  delivered: "Delivered",
  bounced: "Bounced",
  complained: "Marked as spam",
  failed: "Not sent",
};

export function deliveryLabel(delivery: Delivery): string {
  return LABELS[delivery.state];
}

/** The tooltip: whom it went to, and why it did not arrive when it did not. */
export function deliveryTitle(delivery: Delivery): string {
  const to = delivery.recipients.length > 0 ? `E-mail to ${delivery.recipients.join(", ")}` : "E-mail";
  return delivery.reason ? `${to}: ${delivery.reason}` : to;
}

export function DeliveryBadge({ delivery }: { delivery: Delivery }) {
  return (
    <span className={`badge delivery delivery-${delivery.state}`} title={deliveryTitle(delivery)} data-testid="delivery-state" data-state={delivery.state}>
      {deliveryLabel(delivery)}
    </span>
  );
}
