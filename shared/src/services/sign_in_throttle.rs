//! Per-account backoff on sign-up, login and staff login ([`crate::domain::sign_in_backoff`]): a locked
//! account's attempt is refused with 429 and `Retry-After` before any password is checked; a failed
//! attempt counts; a success clears the count.

use sha2::{Digest, Sha256};

use super::{ServiceError, ServiceResult};
use crate::app::App;
use crate::domain::sign_in_backoff::{BackoffPolicy, FailureCount};
use crate::storage::sign_in_failures::CounterWrite;

/// What is being attempted: each has its own counter per e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    Signup,
    Login,
    StaffLogin,
}

impl Attempt {
    fn name(self) -> &'static str {
        match self {
            Attempt::Signup => "signup",
            Attempt::Login => "login",
            Attempt::StaffLogin => "staff-login",
        }
    }

    /// Whether an attempt that ended in `err` counts against the account. Logins count wrong
    /// credentials and a missing second factor (else the password could be guessed unthrottled); sign-ups every refusal (an address taken, a bad form, a plan limit); a fault of
    /// ours never does.
    fn counts(self, err: &ServiceError) -> bool {
        match self {
            Attempt::Login | Attempt::StaffLogin => {
                matches!(err, ServiceError::Unauthenticated(_) | ServiceError::SecondFactorRequired)
            }
            Attempt::Signup => !matches!(
                err,
                ServiceError::Store(_)
                    | ServiceError::Queue(_)
                    | ServiceError::Blob(_)
                    | ServiceError::Signing(_)
                    | ServiceError::Export(_)
                    | ServiceError::TooManyAttempts { .. }
            ),
        }
    }
}

/// How often a conditional write is retried when other attempts on the account race it.
const WRITE_TRIES: usize = 5;

/// One account's counter for one kind of attempt.
pub struct Account {
    attempt: Attempt,
    email_digest: String,
}

impl Account {
    /// The account of `email` as typed: trimmed and lower-cased, so case and spaces make no new account.
    pub fn new(attempt: Attempt, email: &str) -> Self {
        let normalised = email.trim().to_lowercase();
        let digest = Sha256::digest(normalised.as_bytes());
        let email_digest = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        Self { attempt, email_digest }
    }

    /// Refuses with 429 while the account is locked.
    pub async fn check(&self, app: &App) -> ServiceResult<()> {
        let now = app.clock.now().as_second();
        let count = app.store.sign_in_failures(self.attempt.name(), &self.email_digest).await?;
        match count.and_then(|count| count.retry_after(now)) {
            Some(retry_after_secs) => Err(ServiceError::TooManyAttempts { retry_after_secs }),
            None => Ok(()),
        }
    }

    /// Records how the attempt ended: a counted failure adds to the count, a success clears it.
    pub async fn settle<T>(&self, app: &App, outcome: &ServiceResult<T>) -> ServiceResult<()> {
        match outcome {
            Ok(_) => {
                app.store.clear_sign_in_failures(self.attempt.name(), &self.email_digest).await?;
                Ok(())
            }
            Err(err) if self.attempt.counts(err) => self.record_failure(app).await,
            Err(_) => Ok(()),
        }
    }

    async fn record_failure(&self, app: &App) -> ServiceResult<()> {
        let policy = BackoffPolicy::SIGN_IN;
        for _ in 0..WRITE_TRIES {
            let now = app.clock.now().as_second();
            let previous = app.store.sign_in_failures(self.attempt.name(), &self.email_digest).await?;
            let next = FailureCount::after_failure(previous.as_ref(), now, &policy);
            let written = app
                .store
                .write_sign_in_failures(
                    self.attempt.name(),
                    &self.email_digest,
                    previous.as_ref(),
                    &next,
                    next.expires_at(&policy),
                )
                .await?;
            if written == CounterWrite::Written {
                return Ok(());
            }
        }
        // Every try lost a race: other failures were counted meanwhile, which is what the lock needs.
        tracing::warn!(attempt = self.attempt.name(), "a failed sign-in was not counted after {WRITE_TRIES} races");
        Ok(())
    }
}

/// Runs `attempt` for `email` under the account's backoff: refused while locked, counted after.
pub async fn throttled<T>(
    app: &App,
    attempt: Attempt,
    email: &str,
    run: impl std::future::Future<Output = ServiceResult<T>>,
) -> ServiceResult<T> {
    let account = Account::new(attempt, email);
    account.check(app).await?;
    let outcome = run.await;
    account.settle(app, &outcome).await?;
    outcome
}
