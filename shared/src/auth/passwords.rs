//! Password hashing with argon2id (the crate's defaults follow OWASP: 19 MiB, 2 passes, 1 lane).

use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};

use crate::domain::password::NewPassword;

/// Hashes a new password into a PHC string (`$argon2id$v=19$...`), salt included.
pub fn hash(password: &NewPassword) -> String {
    Argon2::default()
        .hash_password(password.expose().as_bytes())
        .expect("argon2 with default parameters cannot fail on bounded input")
        .to_string()
}

/// Whether `candidate` matches `stored`. A malformed stored hash never matches.
pub fn verify(candidate: &str, stored: &str) -> bool {
    if candidate.len() > crate::domain::password::MAX_PASSWORD_BYTES {
        return false;
    }
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    Argon2::default().verify_password(candidate.as_bytes(), &parsed).is_ok()
}

/// Spends the same time as a real verification, so a login for an unknown e-mail
/// cannot be told apart from a wrong password by timing.
pub fn verify_against_dummy(candidate: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy =
        DUMMY.get_or_init(|| hash(&NewPassword::parse("dummy password for timing").expect("valid dummy password")));
    let _ = verify(candidate, dummy);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_per_salt() {
        let password = NewPassword::parse("correct horse battery").unwrap();
        let first = hash(&password);
        let second = hash(&password);
        assert!(first.starts_with("$argon2id$"));
        assert_ne!(first, second, "each hash has its own salt");
        assert!(verify("correct horse battery", &first));
        assert!(!verify("wrong horse battery", &first));
        assert!(!verify("correct horse battery", "not a hash"));
    }
}
