//! Update requests change only the fields present, and `null` clears an optional one: serde needs
//! help to tell a field left out from a field sent as `null`.

use serde::Deserialize;

/// Deserialises a field that may be absent (None), null (Some(None)) or a value (Some(Some(v))).
pub(super) fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
