//! Online time per member and report day, kept from presence ticks ([`crate::domain::reports::online`]):
//! a mark per member holds their last tick (`PRESENCEMARK#<user>`), and one counter per member and day
//! (`ONLINE#<day>#<user>`) the seconds online. A tick is one UpdateItem of the mark, plus one ADD per
//! report day the gap since the previous tick falls on.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::ReturnValue;

use super::{QuerySpec, Store, StoreError, TenantScope, backend, keys, n, s, string_attr};
use crate::domain::ids::UserId;

/// How long a presence mark outlives the member's last tick (the TTL attribute): long after the
/// presence TTL, so a mark is never missing while it still matters.
const MARK_TTL_SECS: i64 = 86_400;

impl Store {
    /// Records a presence tick of `user` at `now` (epoch seconds) and returns their previous tick, if
    /// any. A tick not later than the stored one (two sockets in the same second) changes nothing and
    /// returns None, so no time is counted twice.
    pub async fn mark_presence(&self, scope: &TenantScope, user: UserId, now: i64) -> Result<Option<i64>, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::presence_mark_sk(user)))
            .update_expression("SET last_seen = :now, expires_at = :expires")
            .condition_expression("attribute_not_exists(last_seen) OR last_seen < :now")
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":expires", n(now + MARK_TTL_SECS))
            .return_values(ReturnValue::UpdatedOld)
            .send()
            .await;
        match result {
            Ok(output) => Ok(output
                .attributes
                .as_ref()
                .and_then(|old| old.get("last_seen"))
                .and_then(|value| value.as_n().ok())
                .and_then(|value| value.parse().ok())),
            Err(err) if err.as_service_error().and_then(|e| e.code()) == Some("ConditionalCheckFailedException") => {
                Ok(None)
            }
            Err(err) => Err(backend(err)),
        }
    }

    /// Adds `seconds` to `user`'s online time on `day`.
    pub async fn add_online_seconds(
        &self,
        scope: &TenantScope,
        day: &str,
        user: UserId,
        seconds: i64,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::online_day_sk(day, user)))
            .update_expression("SET #day = :day, user_id = :user ADD seconds :seconds")
            .expression_attribute_names("#day", "day")
            .expression_attribute_values(":day", s(day))
            .expression_attribute_values(":user", s(user.to_string()))
            .expression_attribute_values(":seconds", n(seconds))
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// Online seconds per member (user id) summed over the days `from` to `to` inclusive: one Query.
    pub async fn online_seconds(
        &self,
        scope: &TenantScope,
        from: &str,
        to: &str,
    ) -> Result<BTreeMap<String, i64>, StoreError> {
        let query = QuerySpec::new("PK = :pk AND SK BETWEEN :from AND :to")
            .value(":pk", s(scope.pk()))
            .value(":from", s(format!("{}{from}#", keys::ONLINE_DAY_PREFIX)))
            .value(":to", s(format!("{}{to}#\u{10FFFF}", keys::ONLINE_DAY_PREFIX)));
        let mut totals = BTreeMap::new();
        for item in self.query_all(&query).await? {
            let Some(user) = string_attr(&item, "user_id") else { continue };
            let seconds: i64 =
                item.get("seconds").and_then(|value| value.as_n().ok()).and_then(|raw| raw.parse().ok()).unwrap_or(0);
            *totals.entry(user).or_insert(0) += seconds;
        }
        Ok(totals)
    }
}
