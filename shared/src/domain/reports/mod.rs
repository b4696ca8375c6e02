//! Support reporting rules: what each metric of a ticket is ([`metrics`]) and how a day's durations are
//! summarised so that any period is the merge of its days ([`sketch`]).

pub mod metrics;
pub mod sketch;
