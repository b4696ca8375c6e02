//! Short-lived access tokens: EdDSA (Ed25519) JWTs with a `kid` header, one key pair per audience.
//!
//! Three audiences never share a key: member tokens (signed by the auth function), staff tokens (the
//! platform function) and socket tokens (the WebSocket handshake's, issued by the me function). A
//! function that issues tokens fetches its one private key from Secrets Manager at run time
//! ([`Signers`]); verifiers hold public keys alone ([`TokenVerifier`]), so a verifier's environment
//! can sign nothing. Each audience's public keys are a JWK set: the current key and, during a
//! rotation, the previous one (docs/operations.md "Rotating the token signing keys").
//!
//! The token names who the caller is; the authorizer still checks the member is active and reads the
//! current role from storage, so a role change or deactivation applies within the authorizer cache TTL.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use futures::future::BoxFuture;
use jiff::Timestamp;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::domain::ids::{StaffId, UserId, WorkspaceId};

/// Whom a token is for: each audience has its own keys, so one kind of token never passes for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// A workspace member's access token (REST API).
    Member,
    /// A platform staff member's access token (REST API, /api/v1/platform).
    Staff,
    /// A member's one-minute token for the WebSocket handshake (it travels in the URL's query).
    Socket,
}

impl Audience {
    pub const ALL: [Audience; 3] = [Audience::Member, Audience::Staff, Audience::Socket];

    /// The `aud` claim.
    pub fn claim(self) -> &'static str {
        match self {
            Audience::Member => "switchboard:member",
            Audience::Staff => "switchboard:staff",
            Audience::Socket => "switchboard:socket",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Audience::Member => "member",
            Audience::Staff => "staff",
            Audience::Socket => "socket",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    /// user id or staff id
    pub sub: String,
    /// workspace id for members (and their socket tokens); absent for staff
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ws: Option<String>,
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
}

/// Who a token names, before the authorizer checks storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSubject {
    Member { workspace_id: WorkspaceId, user_id: UserId },
    Staff { staff_id: StaffId },
}

impl TokenSubject {
    fn claims(&self) -> (String, Option<String>) {
        match self {
            TokenSubject::Member { workspace_id, user_id } => (user_id.to_string(), Some(workspace_id.to_string())),
            TokenSubject::Staff { staff_id } => (staff_id.to_string(), None),
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token was signed with a key this audience does not list")]
    UnknownKey,
    #[error("the token is expired, for another audience, or its signature is invalid")]
    Invalid,
}

/// A key set was not a JWK set of Ed25519 public keys.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("{0}")]
pub struct KeySetError(pub String);

/// One audience's public keys by `kid`: the current key first, then any still accepted (rotation).
#[derive(Clone, Default)]
pub struct PublicKeys {
    keys: Vec<(String, DecodingKey)>,
}

impl std::fmt::Debug for PublicKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.kids()).finish()
    }
}

#[derive(Deserialize)]
struct JwkSet {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    crv: String,
    kid: String,
    x: String,
}

impl PublicKeys {
    /// Reads a JWK set (`{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"…","x":"…"}]}`); an empty text is
    /// an empty set (the function verifies no token of this audience).
    pub fn parse(raw: &str) -> Result<Self, KeySetError> {
        if raw.trim().is_empty() {
            return Ok(Self::default());
        }
        let set: JwkSet =
            serde_json::from_str(raw).map_err(|err| KeySetError(format!("not a JWK set of public keys: {err}")))?;
        let mut keys = Vec::with_capacity(set.keys.len());
        for jwk in set.keys {
            if jwk.kty != "OKP" || jwk.crv != "Ed25519" {
                return Err(KeySetError(format!(
                    "key {:?} is not an Ed25519 public key (kty OKP, crv Ed25519)",
                    jwk.kid
                )));
            }
            if jwk.kid.trim().is_empty() {
                return Err(KeySetError("a key has an empty kid".to_owned()));
            }
            let x = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(jwk.x.trim_end_matches('='))
                .map_err(|_| KeySetError(format!("key {:?}: x is not base64url", jwk.kid)))?;
            if x.len() != 32 {
                return Err(KeySetError(format!("key {:?}: x is not a 32-byte Ed25519 public key", jwk.kid)));
            }
            if keys.iter().any(|(kid, _)| *kid == jwk.kid) {
                return Err(KeySetError(format!("kid {:?} is listed twice", jwk.kid)));
            }
            keys.push((jwk.kid, DecodingKey::from_ed_der(&x)));
        }
        Ok(Self { keys })
    }

    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|(kid, _)| kid.as_str())
    }

    fn get(&self, kid: &str) -> Option<&DecodingKey> {
        self.keys.iter().find(|(id, _)| id == kid).map(|(_, key)| key)
    }
}

/// Checks tokens against each audience's public keys. Holds no private key.
#[derive(Debug, Clone)]
pub struct TokenVerifier {
    member: PublicKeys,
    staff: PublicKeys,
    socket: PublicKeys,
    issuer: String,
}

impl TokenVerifier {
    pub fn new(member: PublicKeys, staff: PublicKeys, socket: PublicKeys, issuer: String) -> Self {
        Self { member, staff, socket, issuer }
    }

    fn keys(&self, audience: Audience) -> &PublicKeys {
        match audience {
            Audience::Member => &self.member,
            Audience::Staff => &self.staff,
            Audience::Socket => &self.socket,
        }
    }

    /// The subject of `token` if it is signed by a listed key of one of `accepted` audiences, names that
    /// audience, comes from this issuer and has not expired at `now`. Which audience matched is returned.
    pub fn verify(
        &self,
        token: &str,
        accepted: &[Audience],
        now: Timestamp,
    ) -> Result<(Audience, TokenSubject), TokenError> {
        let header = decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Invalid);
        }
        let kid = header.kid.ok_or(TokenError::Malformed)?;
        // The kid picks the audience whose keys must have signed it; the `aud` claim must agree.
        let (audience, key) = accepted
            .iter()
            .find_map(|audience| self.keys(*audience).get(&kid).map(|key| (*audience, key)))
            .ok_or(TokenError::UnknownKey)?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[audience.claim()]);
        validation.validate_exp = false; // checked below against the injectable clock
        validation.leeway = 0;
        let claims = decode::<AccessClaims>(token, key, &validation).map_err(|_| TokenError::Invalid)?.claims;
        if claims.exp <= now.as_second() {
            return Err(TokenError::Invalid);
        }
        let subject = match (audience, claims.ws) {
            (Audience::Member | Audience::Socket, Some(ws)) => TokenSubject::Member {
                workspace_id: ws.parse().map_err(|_| TokenError::Malformed)?,
                user_id: claims.sub.parse().map_err(|_| TokenError::Malformed)?,
            },
            (Audience::Staff, None) => {
                TokenSubject::Staff { staff_id: claims.sub.parse().map_err(|_| TokenError::Malformed)? }
            }
            _ => return Err(TokenError::Malformed),
        };
        Ok((audience, subject))
    }
}

/// One audience's private key, as its Secrets Manager secret holds it:
/// `{"kid":"member-2026-12","private_key":"<base64url PKCS#8 DER of an Ed25519 key>"}`.
#[derive(Deserialize)]
struct SigningSecret {
    kid: String,
    private_key: String,
}

/// Signs one audience's tokens with its current private key.
pub struct TokenSigner {
    audience: Audience,
    kid: String,
    key: EncodingKey,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSigner").field("audience", &self.audience).field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl TokenSigner {
    /// Reads the secret's JSON; the key must be an Ed25519 PKCS#8 document (v1 or v2).
    pub fn from_secret(audience: Audience, secret: &str) -> Result<Self, KeySetError> {
        let parsed: SigningSecret = serde_json::from_str(secret).map_err(|_| {
            KeySetError(format!("the {} signing secret is not {{\"kid\",\"private_key\"}}", audience.name()))
        })?;
        if parsed.kid.trim().is_empty() {
            return Err(KeySetError(format!("the {} signing secret has an empty kid", audience.name())));
        }
        let der = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parsed.private_key.trim().trim_end_matches('='))
            .or_else(|_| base64::engine::general_purpose::STANDARD.decode(parsed.private_key.trim()))
            .map_err(|_| KeySetError(format!("the {} signing secret's private_key is not base64", audience.name())))?;
        let key = EncodingKey::from_ed_der(&der);
        let signer = Self { audience, kid: parsed.kid, key };
        // A key that cannot sign is refused now, not at the first login.
        let probe = AccessClaims {
            sub: String::new(),
            ws: None,
            aud: audience.claim().to_owned(),
            iss: String::new(),
            iat: 0,
            exp: 0,
        };
        encode(&signer.header(), &probe, &signer.key).map_err(|_| {
            KeySetError(format!("the {} signing secret is not an Ed25519 private key", audience.name()))
        })?;
        Ok(signer)
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    fn header(&self) -> Header {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        header
    }

    pub fn sign(&self, subject: &TokenSubject, issuer: &str, now: Timestamp, ttl_secs: i64) -> String {
        let (sub, ws) = subject.claims();
        let claims = AccessClaims {
            sub,
            ws,
            aud: self.audience.claim().to_owned(),
            iss: issuer.to_owned(),
            iat: now.as_second(),
            exp: now.as_second() + ttl_secs,
        };
        encode(&self.header(), &claims, &self.key).expect("a key that signed at load signs again")
    }
}

/// Where private keys come from: Secrets Manager in AWS (the functions that issue tokens install it),
/// moto's Secrets Manager locally. The answer is the secret's string value.
pub trait SecretSource: Send + Sync {
    fn secret_string<'a>(&'a self, secret_id: &'a str) -> BoxFuture<'a, Result<String, String>>;
}

/// Why no token could be signed: the function is not configured to issue this audience's tokens, or
/// its secret could not be read. Both are server faults.
#[derive(Debug, Error)]
pub enum SigningError {
    #[error("this function issues no {0} tokens (its signing secret is not configured)")]
    NotConfigured(&'static str),
    #[error("reading the {audience} signing secret failed: {reason}")]
    Secret { audience: &'static str, reason: String },
}

/// How long a fetched private key is used before the secret is read again, so a rotated key starts
/// signing within this time without a redeploy.
pub const SIGNING_KEY_REFRESH: Duration = Duration::from_secs(300);

/// The private keys a function may sign with: for each audience the secret id it is configured with,
/// fetched on first use and cached for [`SIGNING_KEY_REFRESH`].
#[derive(Clone, Default)]
pub struct Signers {
    secret_ids: Vec<(Audience, String)>,
    source: Option<Arc<dyn SecretSource>>,
    cache: Arc<tokio::sync::Mutex<Vec<CachedSigner>>>,
}

/// A loaded signer and when its secret was read.
type CachedSigner = (Audience, Instant, Arc<TokenSigner>);

impl std::fmt::Debug for Signers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signers").field("secret_ids", &self.secret_ids).finish_non_exhaustive()
    }
}

impl Signers {
    pub fn new(secret_ids: Vec<(Audience, String)>) -> Self {
        Self { secret_ids, ..Self::default() }
    }

    /// The function's main installs the secret store client (linked only into the issuing functions).
    pub fn set_source(&mut self, source: Arc<dyn SecretSource>) {
        self.source = Some(source);
    }

    /// A signer holding an already loaded key (tests, benches).
    pub fn with_signer(signer: TokenSigner) -> Self {
        let signers = Self::new(vec![(signer.audience, String::new())]);
        signers.cache.try_lock().expect("a new cache is free").push((
            signer.audience,
            Instant::now(),
            Arc::new(signer),
        ));
        signers
    }

    pub async fn signer(&self, audience: Audience) -> Result<Arc<TokenSigner>, SigningError> {
        let mut cache = self.cache.lock().await;
        if let Some((_, fetched, signer)) = cache.iter().find(|(cached, _, _)| *cached == audience)
            && (fetched.elapsed() < SIGNING_KEY_REFRESH || self.source.is_none())
        {
            return Ok(signer.clone());
        }
        let secret_id = self
            .secret_ids
            .iter()
            .find(|(configured, _)| *configured == audience)
            .map(|(_, id)| id.as_str())
            .ok_or(SigningError::NotConfigured(audience.name()))?;
        let source = self.source.as_ref().ok_or(SigningError::NotConfigured(audience.name()))?;
        let fetched = source.secret_string(secret_id).await;
        let loaded = fetched.and_then(|secret| TokenSigner::from_secret(audience, &secret).map_err(|err| err.0));
        let signer = match loaded {
            Ok(signer) => Arc::new(signer),
            Err(reason) => {
                // A key read before keeps signing through a passing outage of the secret store.
                if let Some((_, _, signer)) = cache.iter().find(|(cached, _, _)| *cached == audience) {
                    tracing::warn!(audience = audience.name(), %reason, "re-reading the signing secret failed; the cached key signs");
                    return Ok(signer.clone());
                }
                return Err(SigningError::Secret { audience: audience.name(), reason });
            }
        };
        cache.retain(|(cached, _, _)| *cached != audience);
        cache.push((audience, Instant::now(), signer.clone()));
        Ok(signer)
    }
}

/// How long a socket token lasts: long enough to open the WebSocket, short enough that a URL seen in
/// a log is worthless.
pub const SOCKET_TOKEN_TTL_SECS: i64 = 60;

/// Every token operation a function needs: verify with public keys, issue with the private keys it
/// is configured for.
#[derive(Debug, Clone)]
pub struct TokenService {
    pub verifier: TokenVerifier,
    pub signers: Signers,
    issuer: String,
    access_ttl_secs: i64,
}

impl TokenService {
    pub fn new(config: &crate::config::Config) -> Self {
        Self {
            verifier: TokenVerifier::new(
                config.member_token_keys.clone(),
                config.staff_token_keys.clone(),
                config.socket_token_keys.clone(),
                config.issuer.clone(),
            ),
            signers: Signers::new(config.signing_secrets.clone()),
            issuer: config.issuer.clone(),
            access_ttl_secs: i64::try_from(config.access_token_ttl.as_secs()).unwrap_or(900),
        }
    }

    /// Seconds a new token of `audience` lasts.
    pub fn ttl_secs(&self, audience: Audience) -> i64 {
        match audience {
            Audience::Member | Audience::Staff => self.access_ttl_secs,
            Audience::Socket => SOCKET_TOKEN_TTL_SECS,
        }
    }

    pub async fn issue(
        &self,
        audience: Audience,
        subject: &TokenSubject,
        now: Timestamp,
    ) -> Result<String, SigningError> {
        let signer = self.signers.signer(audience).await?;
        Ok(signer.sign(subject, &self.issuer, now, self.ttl_secs(audience)))
    }

    pub fn verify(
        &self,
        token: &str,
        accepted: &[Audience],
        now: Timestamp,
    ) -> Result<(Audience, TokenSubject), TokenError> {
        self.verifier.verify(token, accepted, now)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A fresh Ed25519 key pair: the signing secret's JSON and the public JWK.
    pub(crate) fn key_pair(kid: &str) -> (String, serde_json::Value) {
        use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&aws_lc_rs::rand::SystemRandom::new()).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let secret = serde_json::json!({"kid": kid, "private_key": b64(pkcs8.as_ref())}).to_string();
        let jwk = serde_json::json!({"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "kid": kid, "x": b64(pair.public_key().as_ref())});
        (secret, jwk)
    }

    fn set(jwks: &[&serde_json::Value]) -> PublicKeys {
        PublicKeys::parse(&serde_json::json!({ "keys": jwks }).to_string()).unwrap()
    }

    fn now() -> Timestamp {
        Timestamp::from_second(1_800_000_000).unwrap()
    }

    fn member() -> TokenSubject {
        TokenSubject::Member { workspace_id: WorkspaceId::generate(), user_id: UserId::generate() }
    }

    struct Keys {
        member: (String, serde_json::Value),
        staff: (String, serde_json::Value),
        socket: (String, serde_json::Value),
    }

    fn keys() -> Keys {
        Keys { member: key_pair("member-1"), staff: key_pair("staff-1"), socket: key_pair("socket-1") }
    }

    fn verifier(keys: &Keys) -> TokenVerifier {
        TokenVerifier::new(set(&[&keys.member.1]), set(&[&keys.staff.1]), set(&[&keys.socket.1]), "iss".into())
    }

    fn sign(secret: &str, audience: Audience, subject: &TokenSubject, at: Timestamp) -> String {
        TokenSigner::from_secret(audience, secret).unwrap().sign(subject, "iss", at, 900)
    }

    #[test]
    fn a_token_verifies_until_it_expires_and_carries_its_kid() {
        let keys = keys();
        let subject = member();
        let token = sign(&keys.member.0, Audience::Member, &subject, now());
        assert_eq!(decode_header(&token).unwrap().kid.as_deref(), Some("member-1"));
        assert_eq!(decode_header(&token).unwrap().alg, Algorithm::EdDSA);
        let verifier = verifier(&keys);
        assert_eq!(verifier.verify(&token, &[Audience::Member], now()), Ok((Audience::Member, subject)));
        let later = Timestamp::from_second(1_800_000_900).unwrap();
        assert_eq!(verifier.verify(&token, &[Audience::Member], later), Err(TokenError::Invalid));
    }

    #[test]
    fn each_audience_refuses_the_others_tokens() {
        let keys = keys();
        let verifier = verifier(&keys);
        let staff = TokenSubject::Staff { staff_id: StaffId::generate() };
        let member_token = sign(&keys.member.0, Audience::Member, &member(), now());
        let staff_token = sign(&keys.staff.0, Audience::Staff, &staff, now());
        let socket_token = sign(&keys.socket.0, Audience::Socket, &member(), now());
        for (token, audience) in
            [(&member_token, Audience::Member), (&staff_token, Audience::Staff), (&socket_token, Audience::Socket)]
        {
            for other in Audience::ALL.into_iter().filter(|other| *other != audience) {
                assert_eq!(
                    verifier.verify(token, &[other], now()),
                    Err(TokenError::UnknownKey),
                    "{audience:?} as {other:?}"
                );
            }
            assert_eq!(verifier.verify(token, &[audience], now()).unwrap().0, audience);
        }
        // The REST API accepts members and staff, never a socket token.
        assert!(verifier.verify(&socket_token, &[Audience::Member, Audience::Staff], now()).is_err());
    }

    #[test]
    fn a_key_listed_for_another_audience_cannot_make_a_token_pass_as_it() {
        // Even a kid that collides across sets: the aud claim must name the audience whose key signed.
        let (secret, jwk) = key_pair("shared-kid");
        let verifier = TokenVerifier::new(set(&[&jwk]), set(&[]), set(&[&jwk]), "iss".into());
        let token = sign(&secret, Audience::Member, &member(), now());
        assert_eq!(verifier.verify(&token, &[Audience::Socket], now()), Err(TokenError::Invalid));
    }

    #[test]
    fn rotation_keeps_tokens_of_the_previous_key_valid_until_it_is_retired() {
        let (old_secret, old_jwk) = key_pair("member-1");
        let (new_secret, new_jwk) = key_pair("member-2");
        let empty = PublicKeys::default;
        let before = TokenVerifier::new(set(&[&old_jwk]), empty(), empty(), "iss".into());
        let during = TokenVerifier::new(set(&[&new_jwk, &old_jwk]), empty(), empty(), "iss".into());
        let after = TokenVerifier::new(set(&[&new_jwk]), empty(), empty(), "iss".into());
        let old_token = sign(&old_secret, Audience::Member, &member(), now());
        let new_token = sign(&new_secret, Audience::Member, &member(), now());
        assert!(before.verify(&old_token, &[Audience::Member], now()).is_ok());
        assert!(during.verify(&old_token, &[Audience::Member], now()).is_ok(), "the previous key still verifies");
        assert!(during.verify(&new_token, &[Audience::Member], now()).is_ok(), "the new key signs");
        assert_eq!(after.verify(&old_token, &[Audience::Member], now()), Err(TokenError::UnknownKey), "retired");
        assert!(after.verify(&new_token, &[Audience::Member], now()).is_ok());
    }

    #[test]
    fn a_forged_signature_or_a_symmetric_token_fails() {
        let keys = keys();
        let verifier = verifier(&keys);
        // Same kid, another private key.
        let (forger, _) = key_pair("member-1");
        let forged = sign(&forger, Audience::Member, &member(), now());
        assert_eq!(verifier.verify(&forged, &[Audience::Member], now()), Err(TokenError::Invalid));
        assert_eq!(verifier.verify("garbage", &[Audience::Member], now()), Err(TokenError::Malformed));
        // An HS256 token keyed with the public key's text (the classic algorithm confusion).
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("member-1".into());
        let x = keys.member.1["x"].as_str().unwrap();
        let claims = AccessClaims {
            sub: UserId::generate().to_string(),
            ws: Some(WorkspaceId::generate().to_string()),
            aud: Audience::Member.claim().into(),
            iss: "iss".into(),
            iat: now().as_second(),
            exp: now().as_second() + 900,
        };
        let hs = encode(&header, &claims, &EncodingKey::from_secret(x.as_bytes())).unwrap();
        assert_eq!(verifier.verify(&hs, &[Audience::Member], now()), Err(TokenError::Invalid));
    }

    #[test]
    fn key_sets_and_secrets_are_checked_when_read() {
        assert!(PublicKeys::parse("").unwrap().kids().next().is_none());
        assert!(PublicKeys::parse("{\"keys\":[{\"kty\":\"oct\",\"crv\":\"\",\"kid\":\"a\",\"x\":\"\"}]}").is_err());
        assert!(PublicKeys::parse("{{resolve:ssm:/x}}").is_err());
        let (_, jwk) = key_pair("k");
        assert!(PublicKeys::parse(&serde_json::json!({"keys": [&jwk, &jwk]}).to_string()).is_err(), "kid twice");
        assert!(TokenSigner::from_secret(Audience::Member, "{\"kid\":\"k\",\"private_key\":\"AAAA\"}").is_err());
        assert!(TokenSigner::from_secret(Audience::Member, "not json").is_err());
    }

    struct FixedSource(String);

    impl SecretSource for FixedSource {
        fn secret_string<'a>(&'a self, secret_id: &'a str) -> BoxFuture<'a, Result<String, String>> {
            let answer = if secret_id == "member-secret" { Ok(self.0.clone()) } else { Err("no such secret".into()) };
            Box::pin(async move { answer })
        }
    }

    #[tokio::test]
    async fn signers_fetch_only_the_secrets_they_are_configured_with() {
        let keys = keys();
        let mut signers = Signers::new(vec![(Audience::Member, "member-secret".into())]);
        assert!(matches!(signers.signer(Audience::Member).await, Err(SigningError::NotConfigured(_))), "no source yet");
        signers.set_source(Arc::new(FixedSource(keys.member.0.clone())));
        let signer = signers.signer(Audience::Member).await.unwrap();
        assert_eq!(signer.kid(), "member-1");
        assert!(matches!(signers.signer(Audience::Staff).await, Err(SigningError::NotConfigured("staff"))));
    }
}
