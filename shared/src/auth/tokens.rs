//! Short-lived access tokens: HS256 JWTs with a `kid` header so signing keys can rotate.
//! The token names who the caller is; the authorizer still checks the member is active and reads the
//! current role from storage, so a role change or deactivation applies within the authorizer cache TTL.

use jiff::Timestamp;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::config::Config;
use crate::domain::ids::{StaffId, UserId, WorkspaceId};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    /// user id or staff id
    pub sub: String,
    /// workspace id for members; absent for staff
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ws: Option<String>,
    /// "member" or "staff"
    pub kind: String,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
}

/// Who an access token names, before the authorizer checks storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSubject {
    Member { workspace_id: WorkspaceId, user_id: UserId },
    Staff { staff_id: StaffId },
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token was signed with an unknown key")]
    UnknownKey,
    #[error("the token is expired or its signature is invalid")]
    Invalid,
}

#[derive(Clone)]
pub struct TokenService {
    keys: Vec<(String, EncodingKey, DecodingKey)>,
    issuer: String,
    ttl_secs: i64,
}

impl std::fmt::Debug for TokenService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenService").field("issuer", &self.issuer).finish_non_exhaustive()
    }
}

impl TokenService {
    pub fn new(config: &Config) -> Self {
        let keys = config
            .signing_keys
            .iter()
            .map(|key| (key.kid.clone(), EncodingKey::from_secret(&key.secret), DecodingKey::from_secret(&key.secret)))
            .collect();
        Self {
            keys,
            issuer: config.issuer.clone(),
            ttl_secs: i64::try_from(config.access_token_ttl.as_secs()).unwrap_or(900),
        }
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    pub fn issue(&self, subject: &TokenSubject, now: Timestamp) -> String {
        let (kid, key, _) = &self.keys[0];
        let (sub, ws, kind) = match subject {
            TokenSubject::Member { workspace_id, user_id } => {
                (user_id.to_string(), Some(workspace_id.to_string()), "member")
            }
            TokenSubject::Staff { staff_id } => (staff_id.to_string(), None, "staff"),
        };
        let claims = AccessClaims {
            sub,
            ws,
            kind: kind.to_owned(),
            iss: self.issuer.clone(),
            iat: now.as_second(),
            exp: now.as_second() + self.ttl_secs,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(kid.clone());
        encode(&header, &claims, key).expect("HS256 signing cannot fail")
    }

    pub fn verify(&self, token: &str, now: Timestamp) -> Result<TokenSubject, TokenError> {
        let header = decode_header(token).map_err(|_| TokenError::Malformed)?;
        let kid = header.kid.ok_or(TokenError::Malformed)?;
        let (_, _, key) = self.keys.iter().find(|(id, _, _)| *id == kid).ok_or(TokenError::UnknownKey)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&self.issuer]);
        validation.validate_exp = false; // checked below against the injectable clock
        validation.leeway = 0;
        let claims = decode::<AccessClaims>(token, key, &validation).map_err(|_| TokenError::Invalid)?.claims;
        if claims.exp <= now.as_second() {
            return Err(TokenError::Invalid);
        }
        match (claims.kind.as_str(), claims.ws) {
            ("member", Some(ws)) => Ok(TokenSubject::Member {
                workspace_id: ws.parse().map_err(|_| TokenError::Malformed)?,
                user_id: claims.sub.parse().map_err(|_| TokenError::Malformed)?,
            }),
            ("staff", None) => {
                Ok(TokenSubject::Staff { staff_id: claims.sub.parse().map_err(|_| TokenError::Malformed)? })
            }
            _ => Err(TokenError::Malformed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SigningKey;

    fn config(keys: &[(&str, &str)]) -> Config {
        Config {
            table_name: "t".into(),
            signing_keys: keys
                .iter()
                .map(|(kid, secret)| SigningKey { kid: (*kid).into(), secret: secret.as_bytes().to_vec() })
                .collect(),
            access_token_ttl: std::time::Duration::from_secs(900),
            refresh_token_ttl: std::time::Duration::from_secs(86_400),
            issuer: "switchboard-test".into(),
            attachments_bucket: None,
            s3_path_style: false,
            webhook_queue_url: None,
            search_queue_url: None,
            email_queue_url: None,
            search_bucket: None,
            webhook_time_scale: 1.0,
            webhook_allow_private_targets: false,
            webhook_ports: crate::domain::webhooks::AllowedPorts::default(),
            usage_key_prefix: None,
            ws_management_endpoint: None,
            inbound_domain: crate::config::DEFAULT_INBOUND_DOMAIN.into(),
            inbound_mail_bucket: None,
            event_bus_name: None,
        }
    }

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    fn member() -> TokenSubject {
        TokenSubject::Member { workspace_id: WorkspaceId::generate(), user_id: UserId::generate() }
    }

    #[test]
    fn a_token_verifies_until_it_expires() {
        let service = TokenService::new(&config(&[("k1", A)]));
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let subject = member();
        let token = service.issue(&subject, now);
        assert_eq!(service.verify(&token, now), Ok(subject));
        let later = Timestamp::from_second(1_800_000_900).unwrap();
        assert_eq!(service.verify(&token, later), Err(TokenError::Invalid));
    }

    #[test]
    fn rotation_keeps_old_tokens_valid_while_the_old_key_is_listed() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let old = TokenService::new(&config(&[("k1", A)]));
        let token = old.issue(&member(), now);
        let rotated = TokenService::new(&config(&[("k2", B), ("k1", A)]));
        assert!(rotated.verify(&token, now).is_ok());
        let retired = TokenService::new(&config(&[("k2", B)]));
        assert_eq!(retired.verify(&token, now), Err(TokenError::UnknownKey));
    }

    #[test]
    fn a_forged_signature_fails() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let token = TokenService::new(&config(&[("k1", A)])).issue(&member(), now);
        let forger = TokenService::new(&config(&[("k1", B)]));
        assert_eq!(forger.verify(&token, now), Err(TokenError::Invalid));
        assert_eq!(forger.verify("garbage", now), Err(TokenError::Malformed));
    }
}
