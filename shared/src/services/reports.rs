//! Support reports, read from counters the outbox consumer keeps (no scans at read time).

use jiff::{ToSpan, civil::Date, tz::TimeZone};

use super::{ServiceError, ServiceResult};
use std::collections::BTreeMap;

use crate::api::{ClockCompliance, DailyTicketReport, DayStats, MetBreached, SlaComplianceReport, SlaDay};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::{FieldError, Gather, optional_field};

/// The longest range one report covers.
pub const MAX_DAYS: i64 = 366;
pub const DEFAULT_DAYS: i64 = 30;

fn parse_day(raw: &str) -> Result<Date, String> {
    raw.parse::<Date>().map_err(|_| "must be a date like 2026-11-21".to_owned())
}

/// The days a report covers: `from` to `to` inclusive (default: the 30 days up to today, UTC).
fn report_range(app: &App, from: Option<String>, to: Option<String>) -> ServiceResult<(Date, Date)> {
    let (to, from) =
        (optional_field("to", to.as_deref(), parse_day), optional_field("from", from.as_deref(), parse_day))
            .gather()?;
    let to = to.unwrap_or_else(|| app.clock.now().to_zoned(TimeZone::UTC).date());
    let from = from.unwrap_or_else(|| to.saturating_sub((DEFAULT_DAYS - 1).days()));
    let length = (to - from).get_days() as i64 + 1;
    if length < 1 {
        return Err(ServiceError::Validation(vec![FieldError::new("from", "must not be after `to`")]));
    }
    if length > MAX_DAYS {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "from",
            format!("the range may cover at most {MAX_DAYS} days"),
        )]));
    }
    Ok((from, to))
}

/// Every day of the range, oldest first.
fn days_of(from: Date, to: Date) -> impl Iterator<Item = Date> {
    std::iter::successors(Some(from), move |day| day.tomorrow().ok().filter(|next| *next <= to))
}

/// Ticket activity per UTC day from `from` to `to` (default: the last 30 days).
pub async fn daily_tickets(
    app: &App,
    caller: &MemberPrincipal,
    from: Option<String>,
    to: Option<String>,
) -> ServiceResult<DailyTicketReport> {
    let (from, to) = report_range(app, from, to)?;
    let stored = app.store.daily_counters(&caller.scope(), &from.to_string(), &to.to_string()).await?;
    let days = days_of(from, to)
        .map(|day| {
            let date = day.to_string();
            let counters = stored.get(&date);
            let get = |name: &str| counters.and_then(|counters| counters.get(name)).copied().unwrap_or(0);
            DayStats {
                tickets_created: get("tickets_created"),
                tickets_solved: get("tickets_solved"),
                tickets_reopened: get("tickets_reopened"),
                agent_replies: get("agent_replies"),
                internal_notes: get("internal_notes"),
                customer_messages: get("customer_messages"),
                customers_created: get("customers_created"),
                date,
            }
        })
        .collect();
    Ok(DailyTicketReport { from: from.to_string(), to: to.to_string(), days })
}

/// SLA compliance (met within target vs breached) per clock over the range, per day, per priority and
/// per agent (the assignee when the clock was met or breached), from the counters the outbox keeps.
pub async fn sla_compliance(
    app: &App,
    caller: &MemberPrincipal,
    from: Option<String>,
    to: Option<String>,
) -> ServiceResult<SlaComplianceReport> {
    let (from, to) = report_range(app, from, to)?;
    let stored = app.store.daily_counters(&caller.scope(), &from.to_string(), &to.to_string()).await?;
    let mut totals = [ClockCompliance::default(), ClockCompliance::default()];
    let mut days = Vec::new();
    for day in days_of(from, to) {
        let date = day.to_string();
        let empty = BTreeMap::new();
        let counters = stored.get(&date).unwrap_or(&empty);
        let mut per_clock = [MetBreached::default(), MetBreached::default()];
        for (name, value) in counters {
            let Some(rest) = name.strip_prefix("sla.") else { continue };
            let mut parts = rest.splitn(3, '.');
            let (Some(clock), Some(outcome)) = (parts.next(), parts.next()) else { continue };
            let index = match clock {
                "first_response" => 0,
                "resolution" => 1,
                _ => continue,
            };
            let total = &mut totals[index];
            match parts.next().and_then(|dimension| dimension.split_once('.')) {
                None => {
                    tally(&mut per_clock[index], outcome, *value);
                    tally(&mut total.overall, outcome, *value);
                }
                Some(("priority", priority)) => {
                    tally(total.by_priority.entry(priority.to_owned()).or_default(), outcome, *value)
                }
                Some(("agent", agent)) => tally(total.by_agent.entry(agent.to_owned()).or_default(), outcome, *value),
                Some(_) => {}
            }
        }
        let [first_response, resolution] = per_clock;
        days.push(SlaDay { date, first_response, resolution });
    }
    let [first_response, resolution] = totals.map(with_compliance);
    Ok(SlaComplianceReport { from: from.to_string(), to: to.to_string(), first_response, resolution, days })
}

/// Adds a counter to the tally its outcome names: the outbox counts `sla.<clock>.<outcome>[...]` with
/// `met` or `breached` as the outcome; any other is not an outcome and is left out.
fn tally(counts: &mut MetBreached, outcome: &str, count: i64) {
    match outcome {
        "met" => counts.met += count,
        "breached" => counts.breached += count,
        _ => {}
    }
}

/// The clock's totals with their compliance: the share met of all outcomes; none without outcomes.
fn with_compliance(mut clock: ClockCompliance) -> ClockCompliance {
    let MetBreached { met, breached } = clock.overall;
    clock.compliance = (met + breached > 0).then(|| met as f64 / (met + breached) as f64);
    clock
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_tallied_and_anything_else_is_left_out() {
        let mut counts = MetBreached::default();
        tally(&mut counts, "met", 3);
        tally(&mut counts, "breached", 1);
        tally(&mut counts, "unknown", 7);
        assert_eq!((counts.met, counts.breached), (3, 1));
    }

    #[test]
    fn compliance_is_the_share_met_and_none_without_outcomes() {
        let none = with_compliance(ClockCompliance::default());
        assert_eq!(none.compliance, None);
        let clock = ClockCompliance { overall: MetBreached { met: 3, breached: 1 }, ..Default::default() };
        assert_eq!(with_compliance(clock).compliance, Some(0.75));
    }
}
