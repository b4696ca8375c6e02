//! A secret as it is stored: sealed by envelope encryption (services::envelope), with nothing in it
//! that reveals the secret without the key service.

use serde::{Deserialize, Serialize};

/// The format, the wrapped data key, the nonce and the ciphertext, each base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    pub format: u8,
    /// The data key, wrapped by the master key (base64).
    pub wrapped_key: String,
    /// The AES-GCM nonce (base64).
    pub nonce: String,
    /// The value and its authentication tag (base64).
    pub ciphertext: String,
}
