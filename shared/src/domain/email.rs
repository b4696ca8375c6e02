use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::ids::{TicketId, WorkspaceId};

/// A syntactically plausible e-mail address, trimmed and lower-cased so it can be compared and keyed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

pub const MAX_EMAIL_LEN: usize = 254;

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err("is required".to_owned());
        }
        if email.len() > MAX_EMAIL_LEN {
            return Err(format!("must be at most {MAX_EMAIL_LEN} characters"));
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err("must be an e-mail address like name@example.com".to_owned());
        };
        let plausible = !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if !plausible {
            return Err("must be an e-mail address like name@example.com".to_owned());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Messages larger than this are not turned into tickets (SES itself accepts up to 40 MB).
pub const MAX_INBOUND_BYTES: usize = 25 * 1024 * 1024;

/// The local part of a workspace's forwarding address: its name as a slug, then a piece of its id so two
/// workspaces of the same name never share an address (`acme-support-3f9a1c`).
pub fn forwarding_local_part(workspace_name: &str, workspace: WorkspaceId, suffix_len: usize) -> String {
    let mut slug = String::new();
    for c in workspace_name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 24 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let id = workspace.as_uuid().simple().to_string();
    // The end of a UUIDv7 is random; its start is the creation time.
    let suffix = &id[id.len() - suffix_len.min(id.len())..];
    if slug.is_empty() { format!("ws-{suffix}") } else { format!("{slug}-{suffix}") }
}

const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
const TOKEN_MAC_BYTES: usize = 10;

fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

fn unbase32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let value = BASE32.iter().position(|&b| b == c.to_ascii_lowercase())? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

fn token_mac(secret: &[u8], workspace: WorkspaceId, ticket: &[u8]) -> [u8; TOKEN_MAC_BYTES] {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(workspace.as_uuid().as_bytes());
    mac.update(ticket);
    let digest = mac.finalize().into_bytes();
    let mut out = [0u8; TOKEN_MAC_BYTES];
    out.copy_from_slice(&digest[..TOKEN_MAC_BYTES]);
    out
}

/// The reply token of a ticket, for the plus-address in Reply-To: the ticket id and an HMAC over the
/// workspace and ticket under the workspace's own mail secret, in lower-case base32 (mail systems may
/// change the case of an address). Nobody can make one without the secret, and one made for workspace A
/// never verifies in workspace B.
pub fn reply_token(secret: &[u8], workspace: WorkspaceId, ticket: TicketId) -> String {
    let id = ticket.as_uuid();
    let mut bytes = id.as_bytes().to_vec();
    bytes.extend_from_slice(&token_mac(secret, workspace, id.as_bytes()));
    base32(&bytes)
}

/// The ticket a reply token names, if it was made with this workspace's secret.
pub fn verify_reply_token(secret: &[u8], workspace: WorkspaceId, token: &str) -> Option<TicketId> {
    let bytes = unbase32(token.trim())?;
    if bytes.len() != 16 + TOKEN_MAC_BYTES {
        return None;
    }
    let (id, mac) = bytes.split_at(16);
    let expected = token_mac(secret, workspace, id);
    // Constant-time comparison: no early exit on the first differing byte.
    if mac.iter().zip(expected).fold(0u8, |acc, (a, b)| acc | (a ^ b)) != 0 {
        return None;
    }
    let uuid = uuid::Uuid::from_slice(id).ok()?;
    uuid.to_string().parse().ok()
}

/// The digest a Message-ID (or an S3 object key) is keyed by: ids can be long and hold any character.
pub fn digest_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Why an inbound message was not turned into a ticket message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RejectionReason {
    /// Over [`MAX_INBOUND_BYTES`].
    TooLarge,
    /// An auto-responder: Auto-Submitted, X-Autoreply.
    AutoReply,
    /// Bulk or list mail: Precedence bulk/junk/list, List-Id.
    Bulk,
    /// One of our own messages came back.
    Loop,
    /// The receipt's spam verdict failed.
    Spam,
    /// The receipt's virus verdict failed.
    Virus,
    /// The sender is on the workspace's block list.
    BlockedSender,
    /// No usable From address.
    NoSender,
    /// Not a MIME message at all.
    Unreadable,
    /// It would open a ticket past the plan's monthly ticket limit (replies to tickets still land).
    TicketLimit,
}

impl RejectionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectionReason::TooLarge => "too_large",
            RejectionReason::AutoReply => "auto_reply",
            RejectionReason::Bulk => "bulk",
            RejectionReason::Loop => "loop",
            RejectionReason::Spam => "spam",
            RejectionReason::Virus => "virus",
            RejectionReason::BlockedSender => "blocked_sender",
            RejectionReason::NoSender => "no_sender",
            RejectionReason::Unreadable => "unreadable",
            RejectionReason::TicketLimit => "ticket_limit",
        }
    }
}

/// Where an agent's reply sent by e-mail stands. `queued` until the sender claims it, `sending` while
/// SES has it in hand, `sent` once SES accepted it, then what SES's event notifications say; `failed`
/// when it ran out of attempts or SES refused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Queued,
    Sending,
    Sent,
    Delivered,
    Bounced,
    Complained,
    Failed,
}

impl DeliveryState {
    /// Whether an SES notification saying `next` may replace this state. Notifications arrive in any
    /// order and more than once: a later one never goes back (a bounce after a delivery notice stands, a
    /// delivery notice after a bounce does not undo it).
    pub fn may_become(self, next: DeliveryState) -> bool {
        use DeliveryState::*;
        let rank = |state: DeliveryState| match state {
            Queued => 0,
            Sending => 1,
            Sent => 2,
            Delivered => 3,
            Bounced | Complained | Failed => 4,
        };
        self != next && rank(next) >= rank(self) && !(matches!(self, Bounced | Failed) && next == Complained)
    }
}

/// A Message-ID as SES gives it back (SES replaces the one a raw message carries): the id SendEmail
/// returns, at the region's SES domain. Replies to the message name it in In-Reply-To.
pub fn ses_message_id(ses_id: &str, region: &str) -> String {
    format!("{ses_id}@{region}.amazonses.com")
}

/// A blocked-sender entry matches the address itself or, written `@example.com`, its whole domain.
pub fn is_blocked(sender: &Email, blocked: &[String]) -> bool {
    let address = sender.as_str();
    blocked.iter().any(|entry| {
        let entry = entry.trim().to_lowercase();
        match entry.strip_prefix('@') {
            Some(domain) => address.rsplit_once('@').is_some_and(|(_, d)| d == domain),
            None => entry == address,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarding_addresses_are_slugs_with_a_piece_of_the_id() {
        let ws: WorkspaceId = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".parse().unwrap();
        assert_eq!(forwarding_local_part("Acme Support, Inc.", ws, 6), "acme-support-inc-3f4a5b");
        assert_eq!(forwarding_local_part("日本", ws, 6), "ws-3f4a5b");
        assert!(forwarding_local_part(&"x".repeat(80), ws, 6).len() <= 31);
    }

    #[test]
    fn a_reply_token_names_its_ticket_only_in_its_workspace() {
        let (a, b) = (WorkspaceId::generate(), WorkspaceId::generate());
        let ticket = TicketId::generate();
        let token = reply_token(b"secret-of-a-secret-of-a-32-bytes", a, ticket);
        assert!(token.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()), "{token}");
        assert_eq!(verify_reply_token(b"secret-of-a-secret-of-a-32-bytes", a, &token), Some(ticket));
        assert_eq!(verify_reply_token(b"secret-of-a-secret-of-a-32-bytes", a, &token.to_uppercase()), Some(ticket));
        assert_eq!(verify_reply_token(b"secret-of-b-secret-of-b-32-bytes", b, &token), None, "B's secret");
        assert_eq!(verify_reply_token(b"secret-of-a-secret-of-a-32-bytes", b, &token), None, "B's id");
        let mut forged = token.clone().into_bytes();
        forged[30] = if forged[30] == b'a' { b'b' } else { b'a' };
        assert_eq!(
            verify_reply_token(b"secret-of-a-secret-of-a-32-bytes", a, &String::from_utf8(forged).unwrap()),
            None
        );
        assert_eq!(verify_reply_token(b"secret-of-a-secret-of-a-32-bytes", a, "short"), None);
    }

    #[test]
    fn blocked_senders_match_addresses_and_domains() {
        let sender = Email::parse("spam@bad.example").unwrap();
        assert!(is_blocked(&sender, &["SPAM@bad.example".into()]));
        assert!(is_blocked(&sender, &["@bad.example".into()]));
        assert!(!is_blocked(&sender, &["@example".into(), "other@bad.example".into()]));
    }

    #[test]
    fn delivery_states_only_move_forward() {
        use DeliveryState::*;
        assert!(Queued.may_become(Sent) && Sent.may_become(Delivered) && Delivered.may_become(Bounced));
        assert!(Delivered.may_become(Complained));
        assert!(!Bounced.may_become(Delivered), "a late delivery notice does not undo a bounce");
        assert!(!Sent.may_become(Sent) && !Delivered.may_become(Sent));
        assert!(!Bounced.may_become(Complained));
        assert_eq!(ses_message_id("0100-abc", "eu-west-1"), "0100-abc@eu-west-1.amazonses.com");
    }

    #[test]
    fn normalises_case_and_whitespace() {
        assert_eq!(Email::parse("  Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
    }

    #[test]
    fn rejects_what_cannot_be_an_address() {
        for bad in ["", "ada", "ada@", "@example.com", "ada@example", "a b@example.com", "a@b@example.com"] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(250))).is_err());
    }
}
