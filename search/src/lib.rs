//! Typo-tolerant search over a workspace's tickets, customers, companies, leads and deals, on
//! tantivy. Linked only into the search functions (the query API and the index writer): no other
//! function pays for the engine. docs/search.md argues the shape.

pub mod document;
pub mod engine;
pub mod index;
pub mod indexer;
pub mod sources;
pub mod text;
