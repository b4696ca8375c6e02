//! A bulk action's answer (tickets, leads): each record's outcome, a refusal as the problem it would have been on its
//! own, and a summary in words naming the records that were not changed and why.

use super::Problem;
use std::fmt::Display;

use crate::api::{
    BulkItemResult, BulkOutcome, BulkProblem, BulkUpdateResult, LeadBulkItemResult, LeadBulkResult, LeadView,
};
use crate::domain::ids::{LeadId, TicketId};
use crate::services::bulk::{BulkRecordOutcome, BulkTicketOutcome};

impl From<Problem> for BulkProblem {
    fn from(problem: Problem) -> Self {
        let detail = match problem.errors.as_slice() {
            [] => problem.detail,
            errors => {
                errors.iter().map(|error| format!("{} {}", error.field, error.message)).collect::<Vec<_>>().join("; ")
            }
        };
        Self {
            kind: problem.kind.uri(),
            title: problem.kind.title().to_owned(),
            status: problem.kind.status().as_u16(),
            detail,
        }
    }
}

/// Each record's outcome of a bulk action, counted and said in words.
struct Tally<I> {
    results: Vec<I>,
    updated: usize,
    unchanged: usize,
    failed: usize,
    summary: String,
}

/// The one way every bulk action answers: `item` builds a record's result in its own shape (a
/// ticket's, a lead's); `noun` names the records in the summary (singular, plural).
fn tally<Id: Display, V, I>(
    outcomes: Vec<(Id, BulkRecordOutcome<V>)>,
    noun: (&str, &str),
    item: impl Fn(String, BulkOutcome, Option<V>, Option<BulkProblem>) -> I,
) -> Tally<I> {
    let mut counts = (0, 0, 0);
    let mut reasons = Vec::new();
    let results = outcomes
        .into_iter()
        .map(|(id, outcome)| {
            let id = id.to_string();
            match outcome {
                BulkRecordOutcome::Updated(view) => {
                    counts.0 += 1;
                    item(id, BulkOutcome::Updated, Some(view), None)
                }
                BulkRecordOutcome::Unchanged(view) => {
                    counts.1 += 1;
                    item(id, BulkOutcome::Unchanged, Some(view), None)
                }
                BulkRecordOutcome::Refused(err) => {
                    counts.2 += 1;
                    let problem: BulkProblem = Problem::from(err).into();
                    reasons.push(format!("{id}: {}", problem.detail));
                    item(id, BulkOutcome::Failed, None, Some(problem))
                }
            }
        })
        .collect();
    let (updated, unchanged, failed) = counts;
    let records = |count: usize| if count == 1 { format!("1 {}", noun.0) } else { format!("{count} {}", noun.1) };
    let mut parts = vec![format!("{} updated", records(updated))];
    if unchanged > 0 {
        parts.push(format!("{} already as asked", records(unchanged)));
    }
    if failed > 0 {
        parts.push(format!("{} not changed ({})", records(failed), reasons.join("; ")));
    }
    Tally { results, updated, unchanged, failed, summary: parts.join(", ") }
}

pub fn bulk_result(outcomes: Vec<(TicketId, BulkTicketOutcome)>) -> BulkUpdateResult {
    let Tally { results, updated, unchanged, failed, summary } =
        tally(outcomes, ("ticket", "tickets"), |id, outcome, ticket, problem| BulkItemResult {
            id,
            outcome,
            ticket,
            problem,
        });
    BulkUpdateResult { results, updated, unchanged, failed, summary }
}

pub fn lead_bulk_result(outcomes: Vec<(LeadId, BulkRecordOutcome<LeadView>)>) -> LeadBulkResult {
    let Tally { results, updated, unchanged, failed, summary } =
        tally(outcomes, ("lead", "leads"), |id, outcome, lead, problem| LeadBulkItemResult {
            id,
            outcome,
            lead,
            problem,
        });
    LeadBulkResult { results, updated, unchanged, failed, summary }
}
