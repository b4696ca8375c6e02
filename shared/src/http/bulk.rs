//! A bulk action's answer: each ticket's outcome, a refusal as the problem it would have been on its
//! own, and a summary in words naming the tickets that were not changed and why.

use super::Problem;
use crate::api::{BulkItemResult, BulkOutcome, BulkProblem, BulkUpdateResult};
use crate::domain::ids::TicketId;
use crate::services::bulk::BulkTicketOutcome;

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

pub fn bulk_result(outcomes: Vec<(TicketId, BulkTicketOutcome)>) -> BulkUpdateResult {
    let results: Vec<BulkItemResult> = outcomes
        .into_iter()
        .map(|(id, outcome)| {
            let id = id.to_string();
            match outcome {
                BulkTicketOutcome::Updated(view) => {
                    BulkItemResult { id, outcome: BulkOutcome::Updated, ticket: Some(view), problem: None }
                }
                BulkTicketOutcome::Unchanged(view) => {
                    BulkItemResult { id, outcome: BulkOutcome::Unchanged, ticket: Some(view), problem: None }
                }
                BulkTicketOutcome::Refused(err) => BulkItemResult {
                    id,
                    outcome: BulkOutcome::Failed,
                    ticket: None,
                    problem: Some(Problem::from(err).into()),
                },
            }
        })
        .collect();
    let count = |outcome: BulkOutcome| results.iter().filter(|result| result.outcome == outcome).count();
    let (updated, unchanged, failed) =
        (count(BulkOutcome::Updated), count(BulkOutcome::Unchanged), count(BulkOutcome::Failed));
    let summary = summary(&results, updated, unchanged, failed);
    BulkUpdateResult { results, updated, unchanged, failed, summary }
}

fn tickets(count: usize) -> String {
    if count == 1 { "1 ticket".to_owned() } else { format!("{count} tickets") }
}

fn summary(results: &[BulkItemResult], updated: usize, unchanged: usize, failed: usize) -> String {
    let mut parts = vec![format!("{} updated", tickets(updated))];
    if unchanged > 0 {
        parts.push(format!("{} already as asked", tickets(unchanged)));
    }
    if failed > 0 {
        let reasons: Vec<String> = results
            .iter()
            .filter_map(|result| Some(format!("{}: {}", result.id, result.problem.as_ref()?.detail)))
            .collect();
        parts.push(format!("{} not changed ({})", tickets(failed), reasons.join("; ")));
    }
    parts.join(", ")
}
