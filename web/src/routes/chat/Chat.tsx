// Team chat: public and private channels and direct conversations, with unread counts, who is
// online, and messages that arrive live (or by polling while offline).
import { CharCount } from "../../ui/CharCount";
import { LIMITS } from "../../lib/limits";
import { useEffect, useEffectEvent, useMemo, useRef, useState, type FormEvent } from "react";
import { useNavigate, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { ApiError } from "../../api/problem";
import { channelsQuery, messagesQuery } from "../../api/queries/chat";
import { invalidateChat } from "../../api/queries/invalidate";
import { useMe } from "../../api/queries/members";
import { useDirectory, type DirectoryMember } from "../../api/queries/directory";
import type { Schemas } from "../../api/types";
import { relativeTime } from "../../lib/format";
import { useLiveStatus, useOnline } from "../../live/live";
import { Avatar } from "../../ui/Avatar";
import { Empty, ErrorState, Forbidden, InlineError, Loading } from "../../ui/states";
import { useMentionPicker, WithMentions } from "../../ui/Mentions";

type Channel = Schemas["ChannelView"];

export function Component() {
  const { channelId } = useParams();
  const navigate = useNavigate();
  const me = useMe();
  const allowed = me.data?.permissions.includes("chat:use");
  const directory = useDirectory();
  const online = useOnline();
  const live = useLiveStatus() === "live";
  const myId = me.data?.user.id;
  const nameOf = directory.nameOrYou;
  const channels = useQuery({ ...channelsQuery(), enabled: allowed === true, refetchInterval: live ? false : 30_000 });
  const list = useMemo(() => channels.data?.items ?? [], [channels.data]);
  const current = list.find((channel) => channel.id === channelId);
  useEffect(() => {
    if (!channelId && list.length > 0) navigate(`/chat/${list[0].id}`, { replace: true });
  }, [channelId, list, navigate]);

  if (me.isPending) return <Loading />;
  if (!allowed) return <Forbidden detail="Viewers cannot use team chat." />;
  const title = (channel: Channel) =>
    channel.kind === "direct" ? nameOf(channel.member_ids.find((id) => id !== myId) ?? myId ?? "") : `# ${channel.name ?? "channel"}`;

  return (
    <div className="chat">
      <aside className="chat-side" aria-label="Channels">
        <h1 className="views-title">Team chat</h1>
        {channels.isPending ? (
          <Loading />
        ) : channels.isError ? (
          <ErrorState error={channels.error} retry={() => void channels.refetch()} />
        ) : (
          <ul className="channel-list" data-testid="channels">
            {list.map((channel) => {
              const other = channel.kind === "direct" ? channel.member_ids.find((id) => id !== myId) : undefined;
              return (
                <li key={channel.id}>
                  <button
                    type="button"
                    className={`view ${channel.id === channelId ? "active" : ""}`}
                    aria-current={channel.id === channelId ? "page" : undefined}
                    onClick={() => navigate(`/chat/${channel.id}`)}
                  >
                    <span className="channel-name">
                      {other && <span className={`dot ${online.has(other) ? "on" : ""}`} aria-label={online.has(other) ? "online" : "offline"} role="img" />}
                      {title(channel)}
                      {channel.kind === "private" && <span className="muted small"> (private)</span>}
                    </span>
                    {channel.unread > 0 && channel.id !== channelId && (
                      <span className="unread" aria-label={`${channel.unread} unread`}>
                        {channel.unread}
                      </span>
                    )}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        <NewChannel onCreated={(id) => navigate(`/chat/${id}`)} />
        {directory.workers().some((m) => m.id !== myId) && (
          <DirectPicker members={directory.workers().filter((m) => m.id !== myId)} online={online} onOpened={(id) => navigate(`/chat/${id}`)} />
        )}
      </aside>
      <section className="chat-main" aria-label={current ? title(current) : "Channel"}>
        {current ? (
          <Conversation channel={current} title={title(current)} nameOf={nameOf} online={online} live={live} />
        ) : channels.isSuccess && list.length === 0 ? (
          <Empty title="No channels yet">Create the first one on the left.</Empty>
        ) : channelId && channels.isSuccess ? (
          <Empty title="No such channel">It may be private, or it was never created.</Empty>
        ) : null}
      </section>
    </div>
  );
}

function Conversation({
  channel,
  title,
  nameOf,
  online,
  live,
}: {
  channel: Channel;
  title: string;
  nameOf: (id: string) => string;
  online: ReadonlySet<string>;
  live: boolean;
}) {
  const queries = useQueryClient();
  const directory = useDirectory();
  const path = { params: { path: { id: channel.id } } };
  const history = useQuery({ ...messagesQuery(channel.id), refetchInterval: live ? false : 15_000 });
  const messages = useMemo(() => [...(history.data?.items ?? [])].reverse(), [history.data]);
  const lastSeq = messages.length ? messages[messages.length - 1].seq : 0;
  // Reading the channel moves the read mark: once per channel and newest message.
  const markRead = useEffectEvent((seq: number) => {
    void call(api.POST("/api/v1/chat/channels/{id}/read", { ...path, body: { seq } })).then(() => invalidateChat(queries));
  });
  useEffect(() => {
    if (lastSeq > 0) markRead(lastSeq);
  }, [channel.id, lastSeq]);
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => end.current?.scrollIntoView({ block: "end" }), [messages.length]);
  const [text, setText] = useState("");
  const area = useRef<HTMLTextAreaElement>(null);
  // Everyone may be offered; the server notifies only those who may read the channel.
  const mentions = useMentionPicker({ text, setText, area, members: directory.members });
  const post = useMutation({
    mutationFn: (body: string) => call(api.POST("/api/v1/chat/channels/{id}/messages", { ...path, body: { body } })),
    onSuccess: () => {
      setText("");
      invalidateChat(queries, channel.id);
    },
  });
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (text.trim() && !post.isPending) post.mutate(text);
  };
  return (
    <>
      <header className="chat-head">
        <h2>{title}</h2>
        <span className="muted small">{channel.kind === "public" ? "Everyone in the workspace" : `${channel.member_ids.length} members`}</span>
      </header>
      <div className="chat-messages" data-testid="chat-messages">
        {history.isPending ? (
          <Loading />
        ) : history.isError ? (
          <ErrorState error={history.error} retry={() => void history.refetch()} />
        ) : messages.length === 0 ? (
          <Empty title="No messages yet">Say hello.</Empty>
        ) : (
          <ol>
            {messages.map((message) => (
              <li key={message.id} className="chat-message">
                <Avatar name={directory.name(message.author_id)} id={message.author_id} size={28} online={online.has(message.author_id)} />
                <div>
                  <div>
                    <strong>{nameOf(message.author_id)}</strong>{" "}
                    <time className="muted small" dateTime={message.created_at}>
                      {relativeTime(message.created_at)}
                    </time>
                    {message.edited_at && <span className="muted small"> (edited)</span>}
                  </div>
                  <div className={message.deleted ? "muted" : "message-body"}>{message.deleted ? "Message deleted" : <WithMentions body={message.body} nameOf={(id) => directory.member(id)?.name} />}</div>
                </div>
              </li>
            ))}
          </ol>
        )}
        <div ref={end} />
      </div>
      <form className="chat-compose" onSubmit={submit}>
        <label htmlFor="chat-text" className="sr-only">
          Message {title}
        </label>
        <textarea
          id="chat-text"
          rows={2}
          value={text}
          maxLength={LIMITS.chatMessage}
          aria-describedby="chat-count"
          placeholder={`Message ${title}`}
          ref={area}
          onChange={(e) => {
            setText(e.target.value);
            mentions.onCaret();
          }}
          onSelect={mentions.onCaret}
          onKeyDown={(e) => {
            if (mentions.onKeyDown(e)) return;
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              submit();
            }
          }}
        />
        {mentions.picker}
        <CharCount id="chat-count" length={text.length} max={LIMITS.chatMessage} />
        <button type="submit" className="button primary" disabled={!text.trim() || post.isPending}>
          Send
        </button>
      </form>
      <InlineError error={post.error} />
    </>
  );
}

function NewChannel({ onCreated }: { onCreated: (id: string) => void }) {
  const queries = useQueryClient();
  const [name, setName] = useState("");
  const [priv, setPriv] = useState(false);
  const create = useMutation({
    mutationFn: () => call(api.POST("/api/v1/chat/channels", { body: { name, private: priv } })),
    onSuccess: (channel) => {
      setName("");
      invalidateChat(queries);
      onCreated(channel.id);
    },
  });
  return (
    <form
      className="new-channel"
      aria-label="New channel"
      onSubmit={(event) => {
        event.preventDefault();
        if (name.trim()) create.mutate();
      }}
    >
      <label htmlFor="new-channel-name">New channel</label>
      <div className="row tight">
        <input id="new-channel-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="support-leads" />
        <button type="submit" className="button small" disabled={!name.trim() || create.isPending}>
          Create
        </button>
      </div>
      <label className="checkbox small">
        <input type="checkbox" checked={priv} onChange={(e) => setPriv(e.target.checked)} /> Private
      </label>
      <InlineError error={create.error instanceof ApiError ? create.error : null} />
    </form>
  );
}

function DirectPicker({ members, online, onOpened }: { members: readonly DirectoryMember[]; online: ReadonlySet<string>; onOpened: (id: string) => void }) {
  const queries = useQueryClient();
  const open = useMutation({
    mutationFn: (userId: string) => call(api.POST("/api/v1/chat/direct", { body: { user_id: userId } })),
    onSuccess: (channel) => {
      invalidateChat(queries);
      onOpened(channel.id);
    },
  });
  return (
    <div className="new-channel">
      <label htmlFor="direct-to">Direct message</label>
      <select id="direct-to" value="" onChange={(e) => e.target.value && open.mutate(e.target.value)}>
        <option value="">Choose a teammate…</option>
        {members.map((member) => (
          <option key={member.id} value={member.id}>
            {member.name}
            {online.has(member.id) ? " (online)" : ""}
          </option>
        ))}
      </select>
      <InlineError error={open.error} />
    </div>
  );
}
