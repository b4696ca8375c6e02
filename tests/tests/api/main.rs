//! Black-box tests of the REST API over real HTTP against the local stack.

mod api_keys;
mod attachments;
mod auth;
mod companies;
mod conventions;
mod customers;
mod deals;
mod directory;
mod inbox_rows;
mod lead_actions;
mod leads;
mod macros;
mod members;
mod notes;
mod platform;
mod reports;
mod sales_dashboard;
mod settings;
mod sla;
mod tenancy;
mod ticket_actions;
mod ticket_numbers;
mod tickets;
mod views;
mod webhooks;
