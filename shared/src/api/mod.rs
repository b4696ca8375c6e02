//! The JSON shapes on the wire, one file per resource. Requests take raw strings so that every invalid
//! field can be named in one 422; responses are built from domain and storage values. These types feed
//! the generated OpenAPI document.
//!
//! Every type is also reachable as `crate::api::TypeName`.

pub mod activity;
pub mod attachments;
pub mod auth;
pub mod billing;
pub mod chat;
pub mod companies;
pub mod customers;
pub mod deals;
pub mod email;
pub mod exports;
pub mod google_contacts;
pub mod health;
pub mod integrations;
pub mod lead_capture;
pub mod leads;
pub mod macros;
pub mod members;
pub mod notifications;
pub mod plans;
pub mod platform;
pub mod reports;
pub mod sales_activities;
pub mod schema;
pub mod search;
pub mod settings;
pub mod sla;
pub mod support_reports;
pub mod ticket_actions;
pub mod tickets;
pub mod views;

mod patch;

pub use activity::*;
pub use attachments::*;
pub use auth::*;
pub use billing::*;
pub use chat::*;
pub use companies::*;
pub use customers::*;
pub use deals::*;
pub use email::*;
pub use exports::*;
pub use google_contacts::*;
pub use health::*;
pub use integrations::*;
pub use lead_capture::*;
pub use leads::*;
pub use macros::*;
pub use members::*;
pub use notifications::*;
pub use plans::*;
pub use platform::*;
pub use reports::*;
pub use sales_activities::*;
pub use search::*;
pub use settings::*;
pub use sla::*;
pub use support_reports::*;
pub use ticket_actions::*;
pub use tickets::*;
pub use views::*;
