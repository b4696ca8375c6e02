//! Authentication: password hashing, access tokens (JWT), refresh tokens, and the verified principal.

pub mod passwords;
pub mod principal;
pub mod refresh;
pub mod tokens;
pub mod totp;

pub use principal::{ApiKeyPrincipal, MemberPrincipal, Principal};
