// Team chat: the member's channels (with unread counts) and one channel's recent messages.
import { queryOptions } from "@tanstack/react-query";
import { api, call } from "../client";
import { chatKeys } from "./keys";

export const channelsQuery = () => queryOptions({ queryKey: chatKeys.channels(), queryFn: () => call(api.GET("/api/v1/chat/channels")) });

export const messagesQuery = (channelId: string) =>
  queryOptions({
    queryKey: chatKeys.messages(channelId),
    queryFn: () => call(api.GET("/api/v1/chat/channels/{id}/messages", { params: { path: { id: channelId }, query: { limit: 100 } } })),
  });
