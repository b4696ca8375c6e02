//! `Idempotency-Key` records: one item per caller and key, claimed before the request runs and
//! holding its answer afterwards, for 24 hours (DynamoDB's TTL on `expires_at` removes it later).

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use super::{Item, Store, StoreError, TenantScope, backend, keys, n, s, string_attr};

/// What a stored answer replays: status, the headers that describe the body, the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: u16,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

/// What claiming a key found.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key is the caller's now: run the request.
    Claimed,
    /// Another request with this key is running (or died within its lock).
    InFlight { request_digest: String },
    /// A request with this key was answered.
    Answered { request_digest: String, answer: StoredAnswer },
}

/// Where one caller's key lives.
pub struct KeyRef<'a> {
    pub scope: &'a TenantScope,
    pub caller: &'a str,
    pub key_digest: &'a str,
}

impl KeyRef<'_> {
    fn key(&self) -> [(String, AttributeValue); 2] {
        [
            (keys::PK.to_owned(), s(self.scope.pk())),
            (keys::SK.to_owned(), s(keys::idempotency_sk(self.caller, self.key_digest))),
        ]
    }
}

impl Store {
    /// Claims `key` for a request: a conditional Put that succeeds when the key is new, its record has
    /// expired, or an earlier holder's lock lapsed without an answer. Otherwise one consistent GetItem
    /// tells what holds it.
    pub(crate) async fn claim_idempotency_key(
        &self,
        key: &KeyRef<'_>,
        request_digest: &str,
        now: i64,
        lock_seconds: i64,
        keep_seconds: i64,
    ) -> Result<Claim, StoreError> {
        let mut item: Item = key.key().into_iter().collect();
        item.insert("request_digest".to_owned(), s(request_digest));
        item.insert("state".to_owned(), s("in_flight"));
        item.insert("locked_until".to_owned(), n(now + lock_seconds));
        item.insert("expires_at".to_owned(), n(now + keep_seconds));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(
                "attribute_not_exists(PK) OR expires_at < :now OR (#state = :in_flight AND locked_until < :now)",
            )
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":in_flight", s("in_flight"))
            .send()
            .await;
        match result {
            Ok(_) => return Ok(Claim::Claimed),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {}
            Err(err) => return Err(backend(err)),
        }
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key.key().into_iter().collect()))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        let Some(item) = output.item else {
            // Removed between the two calls (expired and swept): held by nobody, so an in-flight answer
            // asks the client to retry rather than running the request unguarded.
            return Ok(Claim::InFlight { request_digest: request_digest.to_owned() });
        };
        let held_for = string_attr(&item, "request_digest").unwrap_or_default();
        if string_attr(&item, "state").as_deref() != Some("answered") {
            return Ok(Claim::InFlight { request_digest: held_for });
        }
        let number = |name: &str| match item.get(name) {
            Some(AttributeValue::N(value)) => value.parse::<u16>().ok(),
            _ => None,
        };
        let answer = StoredAnswer {
            status: number("status").ok_or_else(|| StoreError::Corrupt("an answered key without a status".into()))?,
            content_type: string_attr(&item, "content_type"),
            location: string_attr(&item, "location"),
            body: match item.get("body") {
                Some(AttributeValue::B(blob)) => blob.as_ref().to_vec(),
                _ => Vec::new(),
            },
        };
        Ok(Claim::Answered { request_digest: held_for, answer })
    }

    /// Keeps the answer of the request that holds `key`.
    pub(crate) async fn answer_idempotency_key(
        &self,
        key: &KeyRef<'_>,
        answer: &StoredAnswer,
    ) -> Result<(), StoreError> {
        let mut set = vec!["#state = :answered", "#status = :status", "body = :body"];
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key.key().into_iter().collect()))
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":answered", s("answered"))
            .expression_attribute_values(":status", n(answer.status))
            .expression_attribute_values(":body", AttributeValue::B(Blob::new(answer.body.clone())));
        if let Some(content_type) = &answer.content_type {
            set.push("content_type = :content_type");
            update = update.expression_attribute_values(":content_type", s(content_type));
        }
        if let Some(location) = &answer.location {
            set.push("#location = :location");
            update = update
                .expression_attribute_names("#location", "location")
                .expression_attribute_values(":location", s(location));
        }
        let update = update.update_expression(format!("SET {} REMOVE locked_until", set.join(", ")));
        update.send().await.map_err(backend)?;
        Ok(())
    }

    /// Gives `key` back: the request failed on our side, so the client may send it again.
    pub(crate) async fn release_idempotency_key(&self, key: &KeyRef<'_>) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key.key().into_iter().collect()))
            .condition_expression("#state = :in_flight")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":in_flight", s("in_flight"))
            .send()
            .await
            .map(|_| ())
            .or_else(|err| {
                if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) {
                    Ok(())
                } else {
                    Err(backend(err))
                }
            })
    }
}
