//! Opaque, tamper-proof pagination cursors: the DynamoDB LastEvaluatedKey, bound to the workspace and
//! the listing it came from, signed with HMAC-SHA256. A cursor from another tenant or another list fails.

use std::collections::BTreeMap;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::{Item, s};

#[derive(Clone)]
pub struct CursorCodec {
    key: Vec<u8>,
}

impl std::fmt::Debug for CursorCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorCodec")
    }
}

#[derive(Serialize, Deserialize)]
struct Payload {
    /// which listing (e.g. "users")
    l: String,
    /// whose data (workspace id, or "platform")
    o: String,
    /// the last evaluated key; all key attributes of this table are strings
    k: BTreeMap<String, String>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("the cursor is invalid or belongs to another listing")]
pub struct InvalidCursor;

type HmacSha256 = Hmac<Sha256>;

impl CursorCodec {
    /// Derives the cursor MAC key from the cursor secret (`SWITCHBOARD_CURSOR_KEY`, its own secret: no
    /// token key is reused for cursors).
    pub fn derive_from(secret: &[u8]) -> Self {
        let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts any key length");
        mac.update(b"switchboard pagination cursor v1");
        Self { key: mac.finalize().into_bytes().to_vec() }
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.key).expect("HMAC accepts any key length")
    }

    pub fn encode(&self, listing: &str, owner: &str, last_key: &Item) -> String {
        let payload = Payload {
            l: listing.to_owned(),
            o: owner.to_owned(),
            k: last_key
                .iter()
                .filter_map(|(name, value)| value.as_s().ok().map(|v| (name.clone(), v.clone())))
                .collect(),
        };
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).expect("cursor payload serialises"));
        let mut mac = self.mac();
        mac.update(body.as_bytes());
        format!("{body}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    }

    pub fn decode(&self, listing: &str, owner: &str, cursor: &str) -> Result<Item, InvalidCursor> {
        let (body, signature) = cursor.split_once('.').ok_or(InvalidCursor)?;
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| InvalidCursor)?;
        let mut mac = self.mac();
        mac.update(body.as_bytes());
        mac.verify_slice(&signature).map_err(|_| InvalidCursor)?;
        let payload: Payload = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).map_err(|_| InvalidCursor)?)
            .map_err(|_| InvalidCursor)?;
        if payload.l != listing || payload.o != owner {
            return Err(InvalidCursor);
        }
        Ok(payload.k.into_iter().map(|(name, value)| (name, s(value))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Item {
        [("PK".to_owned(), s("WS#1")), ("SK".to_owned(), s("USER#2"))].into_iter().collect()
    }

    #[test]
    fn round_trips_for_the_same_listing_and_owner() {
        let codec = CursorCodec::derive_from(b"secret");
        let cursor = codec.encode("users", "ws-1", &key());
        assert_eq!(codec.decode("users", "ws-1", &cursor).unwrap(), key());
    }

    #[test]
    fn rejects_tampering_other_owners_and_other_keys() {
        let codec = CursorCodec::derive_from(b"secret");
        let cursor = codec.encode("users", "ws-1", &key());
        assert_eq!(codec.decode("users", "ws-2", &cursor), Err(InvalidCursor));
        assert_eq!(codec.decode("events", "ws-1", &cursor), Err(InvalidCursor));
        let mut tampered = cursor.clone();
        tampered.insert(3, 'x');
        assert_eq!(codec.decode("users", "ws-1", &tampered), Err(InvalidCursor));
        assert_eq!(CursorCodec::derive_from(b"other").decode("users", "ws-1", &cursor), Err(InvalidCursor));
        assert_eq!(codec.decode("users", "ws-1", "nonsense"), Err(InvalidCursor));
    }
}
