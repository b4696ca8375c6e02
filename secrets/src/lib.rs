//! Reads token signing keys from Secrets Manager. Its own crate so that only the functions that issue
//! tokens (auth, platform, me) and the local stack link the Secrets Manager client; every other
//! function, the authorizer included, holds public keys alone.

use std::sync::Arc;

use futures::future::BoxFuture;
use shared::App;
use shared::adapters::LazyClient;
use shared::auth::tokens::SecretSource;

/// [`SecretSource`] over Secrets Manager's GetSecretValue (the secret's current version, AWSCURRENT).
pub struct SecretsManager {
    client: LazyClient<aws_sdk_secretsmanager::Client>,
}

impl SecretsManager {
    pub fn new(aws: &aws_config::SdkConfig) -> Self {
        let aws = aws.clone();
        Self { client: LazyClient::new(move || aws_sdk_secretsmanager::Client::new(&aws)) }
    }
}

impl SecretSource for SecretsManager {
    fn secret_string<'a>(&'a self, secret_id: &'a str) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async move {
            let answer = self
                .client
                .get()
                .get_secret_value()
                .secret_id(secret_id)
                .send()
                .await
                .map_err(|err| aws_sdk_secretsmanager::error::DisplayErrorContext(err).to_string())?;
            answer.secret_string.ok_or_else(|| format!("secret {secret_id} holds no string"))
        })
    }
}

/// Lets `app` sign the tokens its configuration names a secret for.
pub fn install(app: &mut App) {
    let source = Arc::new(SecretsManager::new(&app.aws));
    app.tokens.signers.set_source(source);
}
