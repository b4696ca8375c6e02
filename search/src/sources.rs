//! Reading records for the index: one record as it is now (after a change), or every record of a
//! workspace (a rebuild), by Queries of the workspace partition, never a Scan.

use shared::App;
use shared::services::ServiceError;
use shared::services::search_feed::{SearchKind, SearchTarget};
use shared::storage::TenantScope;
use shared::storage::search::{SourceKind, SourceRecord};

use crate::document::{self, SearchDoc};

/// The record as the index should hold it now; None when it is gone (deleted, merged away) or the
/// id is not one (nothing to index).
pub async fn current(app: &App, scope: &TenantScope, target: &SearchTarget) -> Result<Option<SearchDoc>, ServiceError> {
    let store = &app.store;
    Ok(match target.kind {
        SearchKind::Tickets => match target.id.parse() {
            Ok(id) => store
                .ticket_with_history(scope, id)
                .await?
                .map(|history| document::ticket(&history.ticket, &history.messages)),
            Err(_) => None,
        },
        SearchKind::Customers => match target.id.parse() {
            Ok(id) => store.get_customer(scope, id).await?.as_ref().and_then(document::customer),
            Err(_) => None,
        },
        SearchKind::Companies => match target.id.parse() {
            Ok(id) => store.get_company(scope, id).await?.as_ref().map(document::company),
            Err(_) => None,
        },
        SearchKind::Leads => match target.id.parse() {
            Ok(id) => store.get_lead(scope, id).await?.as_ref().and_then(document::lead),
            Err(_) => None,
        },
        SearchKind::Deals => match target.id.parse() {
            Ok(id) => store.get_deal(scope, id).await?.as_ref().map(document::deal),
            Err(_) => None,
        },
    })
}

/// Every searchable record of the workspace.
pub async fn all(app: &App, scope: &TenantScope) -> Result<Vec<SearchDoc>, ServiceError> {
    let mut docs = Vec::new();
    app.store.search_each_ticket(scope, |ticket, messages| docs.push(document::ticket(&ticket, &messages))).await?;
    for kind in [SourceKind::Customers, SourceKind::Companies, SourceKind::Leads, SourceKind::Deals] {
        app.store
            .search_each_record(scope, kind, |record| {
                let doc = match record {
                    SourceRecord::Customer(customer) => document::customer(&customer),
                    SourceRecord::Company(company) => Some(document::company(&company)),
                    SourceRecord::Lead(lead) => document::lead(&lead),
                    SourceRecord::Deal(deal) => Some(document::deal(&deal)),
                };
                docs.extend(doc);
            })
            .await?;
    }
    Ok(docs)
}
