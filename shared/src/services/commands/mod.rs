//! Requests parsed into commands. A command holds only valid values: its `TryFrom` (or `parse`, when
//! more than the body is needed) checks every field and gathers every error into one 422, so the use
//! case that takes it never checks again. Rules that need stored state (the taxonomy, the assignee's
//! membership) stay in the use case.

pub mod accounts;
pub mod activities;
pub mod companies;
pub mod customers;
pub mod deals;
pub mod leads;
pub mod macros;
pub mod members;
pub mod ticket_actions;
pub mod tickets;
pub mod views;
