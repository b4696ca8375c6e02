import { Placeholder } from "./Placeholder";

export function Component() {
  return <Placeholder title="Team chat">Channels, direct messages, unread counts and who is online will appear here once team chat is enabled for your workspace.</Placeholder>;
}
