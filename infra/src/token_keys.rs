//! The local stack's token keys: a fresh Ed25519 key pair per audience on every start, the private
//! keys stored in the local Secrets Manager (where the issuing functions read them, as in AWS), the
//! public keys handed to the verifiers as JWK sets. Nothing here comes from template.yaml, so anyone
//! with the repository still cannot sign a token a running local stack accepts.

use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
use base64::Engine;
use shared::auth::tokens::Audience;

/// One audience's key pair, made for this run.
pub struct LocalKey {
    pub audience: Audience,
    /// The Secrets Manager secret holding the private key.
    pub secret_name: String,
    /// `{"kid","private_key"}`, the secret's value.
    pub secret_value: String,
    /// The public JWK set verifiers get.
    pub public_keys: String,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A key pair named `<audience>-<random>`, in the formats docs/operations.md describes.
pub fn generate(audience: Audience, secret_name: String) -> LocalKey {
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).expect("the OS gives random bytes");
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("a key just made parses");
    let mut id = [0u8; 6];
    aws_lc_rs::rand::SecureRandom::fill(&rng, &mut id).expect("the OS gives random bytes");
    let kid = format!("{}-{}", audience.name(), b64(&id));
    let secret_value = serde_json::json!({"kid": kid, "private_key": b64(pkcs8.as_ref())}).to_string();
    let public_keys = serde_json::json!({"keys": [{
        "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": kid, "x": b64(pair.public_key().as_ref()),
    }]})
    .to_string();
    LocalKey { audience, secret_name, secret_value, public_keys }
}

/// The same key pair under another `kid` (an operator's own naming, e.g. `member-2027-01`).
pub fn with_kid(key: LocalKey, kid: &str) -> LocalKey {
    let mut secret: serde_json::Value = serde_json::from_str(&key.secret_value).expect("made here");
    let mut public: serde_json::Value = serde_json::from_str(&key.public_keys).expect("made here");
    secret["kid"] = kid.into();
    public["keys"][0]["kid"] = kid.into();
    LocalKey { secret_value: secret.to_string(), public_keys: public.to_string(), ..key }
}

/// Every audience's key for this run.
pub fn for_this_run() -> Vec<LocalKey> {
    Audience::ALL
        .into_iter()
        .map(|audience| generate(audience, format!("switchboard/local/{}-signing-key", audience.name())))
        .collect()
}

/// The variable naming the audience's signing secret, and the one holding its public keys.
pub fn variables(audience: Audience) -> (&'static str, &'static str) {
    match audience {
        Audience::Member => ("SWITCHBOARD_MEMBER_SIGNING_SECRET", "SWITCHBOARD_MEMBER_TOKEN_KEYS"),
        Audience::Staff => ("SWITCHBOARD_STAFF_SIGNING_SECRET", "SWITCHBOARD_STAFF_TOKEN_KEYS"),
        Audience::Socket => ("SWITCHBOARD_SOCKET_SIGNING_SECRET", "SWITCHBOARD_SOCKET_TOKEN_KEYS"),
    }
}

/// Stores the private keys in the local Secrets Manager (replacing a previous run's, when the stand-in
/// outlives the stack).
pub async fn store(aws: &aws_config::SdkConfig, keys: &[LocalKey]) -> Result<(), String> {
    let client = aws_sdk_secretsmanager::Client::new(aws);
    for key in keys {
        let created = client.create_secret().name(&key.secret_name).secret_string(&key.secret_value).send().await;
        if let Err(err) = created {
            let exists = err.as_service_error().is_some_and(|err| err.is_resource_exists_exception());
            if !exists {
                return Err(format!(
                    "storing {} in Secrets Manager: {}",
                    key.secret_name,
                    aws_sdk_secretsmanager::error::DisplayErrorContext(err)
                ));
            }
            client
                .put_secret_value()
                .secret_id(&key.secret_name)
                .secret_string(&key.secret_value)
                .send()
                .await
                .map_err(|err| {
                    format!("updating {}: {}", key.secret_name, aws_sdk_secretsmanager::error::DisplayErrorContext(err))
                })?;
        }
    }
    Ok(())
}
