import { usePermission } from "../../api/queries";
import { Forbidden } from "../../ui/states";
import { Placeholder } from "./Placeholder";

export function Component() {
  const allowed = usePermission("integrations:manage");
  if (allowed === false) return <Forbidden detail="Integrations are managed by owners and admins." />;
  return <Placeholder title="Integrations">API keys, webhooks with delivery logs and replay, and Slack will be managed here.</Placeholder>;
}
