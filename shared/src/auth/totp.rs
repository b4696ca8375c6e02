//! Staff second factor: time-based one-time passwords (RFC 6238) through `totp-rs`, with the settings
//! every authenticator app reads from an `otpauth://` URI: HMAC-SHA-1, 6 digits, 30-second steps, one
//! step of clock skew either way. A code is accepted once: the caller keeps the last step used and
//! refuses any step not after it (the crate leaves replay to its caller).

use jiff::Timestamp;
use rand::RngCore;
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// The name authenticator apps show beside the account.
const ISSUER: &str = "Switchboard";
/// 160 bits, the size RFC 4226 recommends.
const SECRET_BYTES: usize = 20;
const STEP_SECS: u64 = 30;

/// A shared secret, as stored and as shown once at enrolment: base32 without padding.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(String);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(…)")
    }
}

impl TotpSecret {
    pub fn generate() -> Self {
        let mut bytes = [0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(Secret::new_stack(bytes).to_base32())
    }

    /// A stored secret; None when it is not base32 of a secret long enough.
    pub fn from_stored(base32: &str) -> Option<Self> {
        let secret = Secret::try_from_base32(base32).ok()?;
        (secret.as_bytes().len() >= 16).then(|| Self(base32.to_owned()))
    }

    pub fn as_base32(&self) -> &str {
        &self.0
    }

    fn totp(&self, account: &str) -> Option<Totp> {
        let secret = Secret::try_from_base32(&self.0).ok()?;
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(6)
            .with_skew(1)
            .with_step_duration(STEP_SECS)
            .with_secret(secret)
            .with_issuer(Some(ISSUER))
            .with_account_name(account.replace(':', ""))
            .build()
            .ok()
    }

    /// The `otpauth://totp/…` URI an authenticator app imports (as text or a QR code of it).
    pub fn otpauth_uri(&self, account: &str) -> Option<String> {
        self.totp(account)?.to_url().ok()
    }

    /// The time step `code` belongs to, if it is this secret's code for `now` or one step either side.
    pub fn matched_step(&self, code: &str, now: Timestamp) -> Option<u64> {
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let now = u64::try_from(now.as_second()).ok()?;
        self.totp("")?.check(code, now)
    }

    /// The code for `at` (tests and tools that play the authenticator app).
    pub fn code_at(&self, at: Timestamp) -> Option<String> {
        let at = u64::try_from(at.as_second()).ok()?;
        Some(self.totp("")?.generate(at).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(second).unwrap()
    }

    /// RFC 6238 appendix B's SHA-1 secret ("12345678901234567890") and its 8-digit vector
    /// 94287082 at T=59: the 6-digit code is its last six digits.
    #[test]
    fn codes_follow_rfc_6238() {
        let secret = TotpSecret(Secret::new(b"12345678901234567890".to_vec().into_boxed_slice()).to_base32());
        assert_eq!(secret.code_at(at(59)).unwrap(), "287082");
        assert_eq!(secret.matched_step("287082", at(59)), Some(1));
    }

    #[test]
    fn a_code_is_good_for_its_step_and_one_either_side_only() {
        let secret = TotpSecret::generate();
        let code = secret.code_at(at(1_800_000_000)).unwrap();
        let step = 1_800_000_000 / 30;
        assert_eq!(secret.matched_step(&code, at(1_800_000_000)), Some(step));
        assert_eq!(secret.matched_step(&code, at(1_800_000_000 + 30)), Some(step));
        assert_eq!(secret.matched_step(&code, at(1_800_000_000 + 90)), None);
        assert_eq!(secret.matched_step("12345", at(1_800_000_000)), None);
        assert_eq!(secret.matched_step("abcdef", at(1_800_000_000)), None);
    }

    #[test]
    fn the_uri_names_the_issuer_account_and_settings() {
        let secret = TotpSecret::generate();
        let uri = secret.otpauth_uri("pat@example.com").unwrap();
        assert!(uri.starts_with("otpauth://totp/Switchboard:pat%40example.com?"), "{uri}");
        assert!(uri.contains(&format!("secret={}", secret.as_base32())));
        assert!(uri.contains("issuer=Switchboard"));
        assert_eq!(TotpSecret::from_stored(secret.as_base32()), Some(secret));
        assert_eq!(TotpSecret::from_stored("not base32!"), None);
    }
}
