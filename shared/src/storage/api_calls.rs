//! API calls per workspace, counted on the month's usage item (`USAGE#<YYYY-MM>`, beside the tickets
//! and leads of the month): `api_calls` for the month and `api_calls_d<DD>` for each day of it. One
//! UpdateItem with `ADD` per call raises both, so concurrent calls never lose a count and one write
//! request unit is the whole cost (the item stays far under 1 KB: 32 numbers at most). The month's
//! figure of many workspaces is one BatchGetItem; one workspace's days over a range one BatchGetItem
//! of the months it spans.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;

use super::{Item, Store, StoreError, TenantScope, counter_of, keys, n, s, string_attr};
use crate::domain::ids::WorkspaceId;

/// The month's count on the usage item.
pub const API_CALLS: &str = "api_calls";

/// The count of one day of the month, e.g. `api_calls_d07`.
fn day_counter(day: Date) -> String {
    format!("{API_CALLS}_d{:02}", day.day())
}

fn month_of(day: Date) -> String {
    day.strftime("%Y-%m").to_string()
}

impl Store {
    /// Counts one API call of the workspace on `day` (UTC).
    pub async fn count_api_call(&self, scope: &TenantScope, day: Date) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::usage_sk(&month_of(day))))
            .update_expression("ADD #month :one, #day :one")
            .expression_attribute_names("#month", API_CALLS)
            .expression_attribute_names("#day", day_counter(day))
            .expression_attribute_values(":one", n(1))
            .send()
            .await
            .map_err(super::backend)?;
        Ok(())
    }

    /// Each workspace's API calls in `month` (`YYYY-MM`).
    pub async fn api_calls_in_month_of(
        &self,
        workspaces: &[WorkspaceId],
        month: &str,
    ) -> Result<HashMap<WorkspaceId, u64>, StoreError> {
        let items = self.month_usage_items(workspaces, &[month.to_owned()]).await?;
        Ok(workspaces
            .iter()
            .map(|id| {
                let pk = keys::workspace_pk(*id);
                let item = items.iter().find(|item| string_attr(item, keys::PK).as_deref() == Some(pk.as_str()));
                (*id, counter_of(item, API_CALLS))
            })
            .collect())
    }

    /// The workspace's API calls on each day from `from` to `to` (inclusive) that had any.
    pub async fn api_calls_per_day(
        &self,
        scope: &TenantScope,
        from: Date,
        to: Date,
    ) -> Result<BTreeMap<Date, u64>, StoreError> {
        let mut months = Vec::new();
        let mut day = from.first_of_month();
        while day <= to {
            months.push(month_of(day));
            day = day.last_of_month().tomorrow().map_err(|err| StoreError::Corrupt(err.to_string()))?;
        }
        let items = self.month_usage_items(&[scope.workspace_id()], &months).await?;
        let by_month: HashMap<String, &Item> = items
            .iter()
            .filter_map(|item| {
                let sk = string_attr(item, keys::SK)?;
                Some((sk.strip_prefix(&keys::usage_sk(""))?.to_owned(), item))
            })
            .collect();
        let mut days = BTreeMap::new();
        let mut day = from;
        while day <= to {
            let calls = counter_of(by_month.get(&month_of(day)).copied(), &day_counter(day));
            if calls > 0 {
                days.insert(day, calls);
            }
            day = day.tomorrow().map_err(|err| StoreError::Corrupt(err.to_string()))?;
        }
        Ok(days)
    }

    async fn month_usage_items(&self, workspaces: &[WorkspaceId], months: &[String]) -> Result<Vec<Item>, StoreError> {
        let keys: Vec<Item> = workspaces
            .iter()
            .flat_map(|id| months.iter().map(move |month| (id, month)))
            .map(|(id, month)| {
                [(keys::PK.to_owned(), s(keys::workspace_pk(*id))), (keys::SK.to_owned(), s(keys::usage_sk(month)))]
                    .into_iter()
                    .collect::<Item>()
            })
            .collect();
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        self.batch_get(keys).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_days_count_sits_on_its_months_usage_item() {
        let day = jiff::civil::date(2026, 12, 7);
        assert_eq!(day_counter(day), "api_calls_d07");
        assert_eq!(keys::usage_sk(&month_of(day)), "USAGE#2026-12");
    }
}
