//! Pure domain: plain Rust over plain types, no AWS. Parse, don't validate: a value of these types is valid.

pub mod api_keys;
pub mod categories;
pub mod email;
pub mod events;
pub mod ids;
pub mod names;
pub mod password;
pub mod plan;
pub mod rbac;
pub mod sla;
pub mod ticket;
pub mod user;
pub mod webhooks;

use thiserror::Error;

/// Why a value from outside could not become a domain value. `field` names the input field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// Collects field errors so one response can name every problem in a request.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the parsed value, or records the error (prefixed with `field`) and yields None.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.errors.push(FieldError::new(field, message));
                None
            }
        }
    }

    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() { Ok(()) } else { Err(self.errors) }
    }
}
