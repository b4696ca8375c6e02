//! Refresh tokens: opaque, random, stored only as a SHA-256 hash, rotated on every use.
//! Format: `rt1.<workspace id>.<user id>.<session id>.<secret>`; the ids locate the session item,
//! the secret proves possession. Presenting a rotated-out secret revokes the whole session (reuse detection).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::domain::ids::{SessionId, UserId, WorkspaceId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub workspace_id: WorkspaceId,
    pub user_id: UserId,
    pub session_id: SessionId,
    secret: String,
}

const PREFIX: &str = "rt1";

impl RefreshToken {
    /// A fresh secret for a session (new login, or a rotation).
    pub fn generate(workspace_id: WorkspaceId, user_id: UserId, session_id: SessionId) -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self { workspace_id, user_id, session_id, secret: URL_SAFE_NO_PAD.encode(bytes) }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        let mut parts = raw.trim().split('.');
        if parts.next()? != PREFIX {
            return None;
        }
        let token = Self {
            workspace_id: parts.next()?.parse().ok()?,
            user_id: parts.next()?.parse().ok()?,
            session_id: parts.next()?.parse().ok()?,
            secret: parts.next()?.to_owned(),
        };
        (parts.next().is_none() && token.secret.len() == 43).then_some(token)
    }

    /// What storage keeps: the hash, never the secret.
    pub fn secret_hash(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.secret.as_bytes()))
    }

    pub fn encode(&self) -> String {
        format!("{PREFIX}.{}.{}.{}.{}", self.workspace_id, self.user_id, self.session_id, self.secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_hashes_stably() {
        let token = RefreshToken::generate(WorkspaceId::generate(), UserId::generate(), SessionId::generate());
        let parsed = RefreshToken::parse(&token.encode()).unwrap();
        assert_eq!(parsed, token);
        assert_eq!(parsed.secret_hash(), token.secret_hash());
        let rotated = RefreshToken::generate(token.workspace_id, token.user_id, token.session_id);
        assert_ne!(rotated.secret_hash(), token.secret_hash());
    }

    #[test]
    fn rejects_malformed_tokens() {
        assert!(RefreshToken::parse("").is_none());
        assert!(RefreshToken::parse("rt1.a.b.c.d").is_none());
        let token = RefreshToken::generate(WorkspaceId::generate(), UserId::generate(), SessionId::generate());
        assert!(RefreshToken::parse(&format!("{}.extra", token.encode())).is_none());
    }
}
