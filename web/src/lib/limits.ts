// The text limits the API enforces (shared/src/domain/ticket.rs, shared/src/services/chat.rs), so a field
// can count down to them instead of the server refusing the text after it is written.
export const LIMITS = {
  ticketSubject: 200,
  messageBody: 20_000,
  chatMessage: 4_000,
} as const;
