//! Support and sales reports, read from counters the outbox consumer keeps (no scans at read time).

use jiff::{ToSpan, civil::Date, tz::TimeZone};

use super::{ServiceError, ServiceResult};
use std::collections::BTreeMap;

use super::support_reports::{report_time_zone, time_zone_name};
use super::{leads, pipelines};
use crate::api::{
    ActivityKindCount, ClockCompliance, CurrencyValue, DailyTicketReport, DayCount, DayStats, DealsDay, MetBreached,
    MoneyTotal, OwnerConversion, OwnerCount, OwnerDeals, OwnerTotals, RepActivityCount, SalesActivities, SalesDeals,
    SalesLeads, SalesPipeline, SalesReport, SlaComplianceReport, SlaDay, SourceConversion, SourceCount, StageTotals,
    StatusCount,
};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::{
    FieldError, Gather, activities::ActivityKind, ids::PipelineId, leads::LeadSource, optional_field, sales,
};
use crate::storage::pipelines::{BoardCounts, Pipeline};

/// The longest range one report covers.
pub const MAX_DAYS: i64 = 366;
pub const DEFAULT_DAYS: i64 = 30;

pub(super) fn parse_day(raw: &str) -> Result<Date, String> {
    raw.parse::<Date>().map_err(|_| "must be a date like 2026-11-21".to_owned())
}

/// The days a report covers: `from` to `to` inclusive, dates in the workspace's report time zone
/// (default: the 30 days up to today there).
pub(super) fn report_range(
    app: &App,
    time_zone: &TimeZone,
    from: Option<String>,
    to: Option<String>,
) -> ServiceResult<(Date, Date)> {
    range_within(app, from, to, MAX_DAYS, time_zone)
}

/// `from` to `to` inclusive, at most `max_days` (default: the 30 days up to today in `time_zone`).
pub(super) fn range_within(
    app: &App,
    from: Option<String>,
    to: Option<String>,
    max_days: i64,
    time_zone: &TimeZone,
) -> ServiceResult<(Date, Date)> {
    let (to, from) =
        (optional_field("to", to.as_deref(), parse_day), optional_field("from", from.as_deref(), parse_day))
            .gather()?;
    let to = to.unwrap_or_else(|| app.clock.now().to_zoned(time_zone.clone()).date());
    let from = from.unwrap_or_else(|| to.saturating_sub((DEFAULT_DAYS - 1).days()));
    let length = (to - from).get_days() as i64 + 1;
    if length < 1 {
        return Err(ServiceError::Validation(vec![FieldError::new("from", "must not be after `to`")]));
    }
    if length > max_days {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "from",
            format!("the range may cover at most {max_days} days"),
        )]));
    }
    Ok((from, to))
}

/// Every day of the range, oldest first.
pub(super) fn days_of(from: Date, to: Date) -> impl Iterator<Item = Date> {
    std::iter::successors(Some(from), move |day| day.tomorrow().ok().filter(|next| *next <= to))
}

/// Ticket activity per report day from `from` to `to` (default: the last 30 days).
pub async fn daily_tickets(
    app: &App,
    caller: &MemberPrincipal,
    from: Option<String>,
    to: Option<String>,
) -> ServiceResult<DailyTicketReport> {
    daily_tickets_of(app, &caller.scope(), from, to).await
}

/// [`daily_tickets`] of any workspace: also the platform console's usage over time. One Query over
/// the range's day counters (one item per day with activity).
pub async fn daily_tickets_of(
    app: &App,
    scope: &crate::storage::TenantScope,
    from: Option<String>,
    to: Option<String>,
) -> ServiceResult<DailyTicketReport> {
    let time_zone = report_time_zone(app, scope).await?;
    let (from, to) = report_range(app, &time_zone, from, to)?;
    let stored = app.store.daily_counters(scope, &from.to_string(), &to.to_string()).await?;
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
    Ok(DailyTicketReport { from: from.to_string(), to: to.to_string(), time_zone: time_zone_name(&time_zone), days })
}

/// SLA compliance (met within target vs breached) per clock over the range, per day, per priority and
/// per agent (the assignee when the clock was met or breached), from the counters the outbox keeps.
pub async fn sla_compliance(
    app: &App,
    caller: &MemberPrincipal,
    from: Option<String>,
    to: Option<String>,
) -> ServiceResult<SlaComplianceReport> {
    let scope = caller.scope();
    let time_zone = report_time_zone(app, &scope).await?;
    let (from, to) = report_range(app, &time_zone, from, to)?;
    let stored = app.store.daily_counters(&scope, &from.to_string(), &to.to_string()).await?;
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
    Ok(SlaComplianceReport {
        from: from.to_string(),
        to: to.to_string(),
        time_zone: time_zone_name(&time_zone),
        first_response,
        resolution,
        days,
    })
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

/// The sales dashboard over the range (default: the last 30 days) and one pipeline (default: the
/// workspace's first). Leads now: the lead counters (one read). Leads created and converted, deals
/// won and lost: the daily statistics (one Query over the range). The pipeline's open deals per stage
/// and per owner: its board counters (one GetItem).
pub async fn sales(
    app: &App,
    caller: &MemberPrincipal,
    from: Option<String>,
    to: Option<String>,
    pipeline_id: Option<String>,
) -> ServiceResult<SalesReport> {
    let named = optional_field("pipeline_id", pipeline_id.as_deref(), |raw| {
        raw.parse::<PipelineId>().map_err(|_| "must be a pipeline id".to_owned())
    });
    let scope = caller.scope();
    let time_zone = report_time_zone(app, &scope).await?;
    let range = report_range(app, &time_zone, from, to);
    let ((from, to), named) = match (range, named) {
        (Ok(range), Ok(named)) => (range, named),
        (Err(ServiceError::Validation(mut errors)), Err(error)) => {
            errors.push(error);
            return Err(ServiceError::Validation(errors));
        }
        (Err(err), _) => return Err(err),
        (_, Err(error)) => return Err(ServiceError::Validation(vec![error])),
    };
    let pipeline = match named {
        Some(id) => pipelines::find(app, &scope, id).await?,
        None => pipelines::ensure_pipelines(app, &scope, Some(caller.user_id)).await?.remove(0),
    };
    let (counts, stored, board) = futures::try_join!(
        leads::counts(app, caller),
        async { Ok(app.store.daily_counters(&scope, &from.to_string(), &to.to_string()).await?) },
        async { Ok(app.store.board_counts(&scope, pipeline.id).await?) },
    )?;
    let days: Vec<(String, &BTreeMap<String, i64>)> = {
        static EMPTY: BTreeMap<String, i64> = BTreeMap::new();
        days_of(from, to)
            .map(|day| {
                let day = day.to_string();
                let counters = stored.get(&day).unwrap_or(&EMPTY);
                (day, counters)
            })
            .collect()
    };
    Ok(SalesReport {
        from: from.to_string(),
        to: to.to_string(),
        time_zone: time_zone_name(&time_zone),
        leads: sales_leads(counts, &days),
        pipeline: sales_pipeline(&pipeline, &board),
        deals: sales_deals(&days),
        activities: sales_activities(&days),
    })
}

/// Counts per activity kind.
type KindCounts<'a> = BTreeMap<&'a str, i64>;

/// Activities per kind and per rep, summed over the days from the outbox's
/// `activities_{logged,done}[.kind.<kind> | .rep.<user>.<kind>]` counters.
fn sales_activities(days: &[(String, &BTreeMap<String, i64>)]) -> SalesActivities {
    let sum = |name: &str| days.iter().map(|(_, counters)| counters.get(name).copied().unwrap_or(0)).sum::<i64>();
    let (logged_by_kind, done_by_kind) =
        (summed_by(days, "activities_logged.kind."), summed_by(days, "activities_done.kind."));
    let by_kind = |logged: &BTreeMap<&str, i64>, done: &BTreeMap<&str, i64>| {
        ActivityKind::ALL
            .iter()
            .map(|kind| ActivityKindCount {
                kind: kind.as_str().to_owned(),
                logged: logged.get(kind.as_str()).copied().unwrap_or(0),
                done: done.get(kind.as_str()).copied().unwrap_or(0),
            })
            .collect::<Vec<_>>()
    };
    // `<user>.<kind>` keys, per rep.
    let mut reps: BTreeMap<&str, (KindCounts, KindCounts)> = BTreeMap::new();
    for (prefix, done) in [("activities_logged.rep.", false), ("activities_done.rep.", true)] {
        for (key, count) in summed_by(days, prefix) {
            let Some((rep, kind)) = key.rsplit_once('.') else { continue };
            let entry = reps.entry(rep).or_default();
            let counts = if done { &mut entry.1 } else { &mut entry.0 };
            *counts.entry(kind).or_insert(0) += count;
        }
    }
    let by_rep = reps
        .into_iter()
        .map(|(rep, (logged, done))| RepActivityCount {
            user_id: owner_of(rep),
            logged: logged.values().sum(),
            done: done.values().sum(),
            by_kind: by_kind(&logged, &done),
        })
        .filter(|rep| rep.logged != 0 || rep.done != 0)
        .collect();
    SalesActivities {
        logged: sum("activities_logged"),
        done: sum("activities_done"),
        by_kind: by_kind(&logged_by_kind, &done_by_kind),
        by_rep,
    }
}

/// The sum over the days of every counter named `prefix<key>`, per key.
fn summed_by<'a>(days: &'a [(String, &BTreeMap<String, i64>)], prefix: &'a str) -> BTreeMap<&'a str, i64> {
    let mut sums = BTreeMap::new();
    for (_, counters) in days {
        for (name, value) in counters.iter() {
            if let Some(key) = name.strip_prefix(prefix) {
                *sums.entry(key).or_insert(0) += value;
            }
        }
    }
    sums
}

fn owner_of(key: &str) -> Option<String> {
    (key != "none").then(|| key.to_owned())
}

fn sales_leads(counts: crate::api::LeadCounts, days: &[(String, &BTreeMap<String, i64>)]) -> SalesLeads {
    let get = |counters: &BTreeMap<String, i64>, name: &str| counters.get(name).copied().unwrap_or(0);
    let created_per_day = days
        .iter()
        .map(|(day, counters)| DayCount { day: day.clone(), count: get(counters, "leads_created") })
        .collect();
    let (created_by_source, converted_by_source) =
        (summed_by(days, "leads_created.source."), summed_by(days, "leads_converted.source."));
    let conversion_by_source = LeadSource::ALL
        .iter()
        .map(|source| {
            let created = created_by_source.get(source.as_str()).copied().unwrap_or(0);
            let converted = converted_by_source.get(source.as_str()).copied().unwrap_or(0);
            SourceConversion {
                source: source.as_str().to_owned(),
                created,
                converted,
                rate: sales::rate(converted, created),
            }
        })
        .collect();
    let (created_by_owner, converted_by_owner) =
        (summed_by(days, "leads_created.owner."), summed_by(days, "leads_converted.owner."));
    let owners: std::collections::BTreeSet<&str> = created_by_owner
        .iter()
        .chain(converted_by_owner.iter())
        .filter(|(_, count)| **count != 0)
        .map(|(owner, _)| *owner)
        .collect();
    let conversion_by_owner = owners
        .into_iter()
        .map(|owner| {
            let created = created_by_owner.get(owner).copied().unwrap_or(0);
            let converted = converted_by_owner.get(owner).copied().unwrap_or(0);
            OwnerConversion { owner_id: owner_of(owner), created, converted, rate: sales::rate(converted, created) }
        })
        .collect();
    SalesLeads {
        by_status: counts.by_status.into_iter().map(|(status, count)| StatusCount { status, count }).collect(),
        by_source: counts.by_source.into_iter().map(|(source, count)| SourceCount { source, count }).collect(),
        by_owner: counts
            .by_owner
            .into_iter()
            .map(|(owner, count)| OwnerCount { owner_id: owner_of(&owner), count })
            .collect(),
        created_per_day,
        conversion_by_source,
        conversion_by_owner,
    }
}

fn money(totals: Vec<(String, i64, i64)>) -> Vec<MoneyTotal> {
    totals.into_iter().map(|(currency, value, weighted)| MoneyTotal::new(currency, value, weighted)).collect()
}

fn sales_pipeline(pipeline: &Pipeline, board: &BoardCounts) -> SalesPipeline {
    SalesPipeline {
        pipeline_id: pipeline.id.to_string(),
        by_stage: pipeline
            .stages
            .iter()
            .map(|stage| StageTotals {
                stage_id: stage.id.to_string(),
                name: stage.name.clone(),
                count: board.count(stage.id),
                totals: money(board.totals(stage.id)),
            })
            .collect(),
        by_owner: board
            .owners()
            .into_iter()
            .map(|(owner, count, totals)| OwnerTotals {
                owner_id: owner.map(|owner| owner.to_string()),
                count,
                totals: money(totals),
            })
            .collect(),
    }
}

fn sales_deals(days: &[(String, &BTreeMap<String, i64>)]) -> SalesDeals {
    let get = |counters: &BTreeMap<String, i64>, name: &str| counters.get(name).copied().unwrap_or(0);
    let per_period = days
        .iter()
        .map(|(day, counters)| DealsDay {
            day: day.clone(),
            won: get(counters, "deals_won"),
            lost: get(counters, "deals_lost"),
            won_value: counters
                .iter()
                .filter_map(|(name, value)| {
                    let currency = name.strip_prefix("deals_won_value.")?;
                    Some(CurrencyValue { currency: currency.to_owned(), value: *value })
                })
                .collect(),
        })
        .collect();
    let sum = |name: &str| days.iter().map(|(_, counters)| get(counters, name)).sum::<i64>();
    let (won, lost) = (sum("deals_won"), sum("deals_lost"));
    let won_per_currency = summed_by(days, "deals_won.");
    let average_won_value = summed_by(days, "deals_won_value.")
        .into_iter()
        .filter_map(|(currency, value)| {
            let deals = won_per_currency.get(currency).copied().unwrap_or(0);
            let value = sales::average_minor(value, deals)?;
            Some(CurrencyValue { currency: currency.to_owned(), value })
        })
        .collect();
    SalesDeals {
        per_period,
        won,
        lost,
        win_rate: sales::win_rate(won, lost),
        average_won_value,
        average_cycle_days: sales::average_days(sum("deals_won_cycle_seconds"), sum("deals_won_cycle")),
        by_owner: deals_by_owner(days),
    }
}

/// Won and lost per owner from the `deals_<won|lost>_by.<owner>` and
/// `deals_won_value_by.<owner>.<currency>` counters, most won first (then most closed).
fn deals_by_owner(days: &[(String, &BTreeMap<String, i64>)]) -> Vec<OwnerDeals> {
    let (won, lost) = (summed_by(days, "deals_won_by."), summed_by(days, "deals_lost_by."));
    let mut values: BTreeMap<&str, Vec<CurrencyValue>> = BTreeMap::new();
    for (key, value) in summed_by(days, "deals_won_value_by.") {
        let Some((owner, currency)) = key.rsplit_once('.') else { continue };
        values.entry(owner).or_default().push(CurrencyValue { currency: currency.to_owned(), value });
    }
    let owners: std::collections::BTreeSet<&str> =
        won.iter().chain(lost.iter()).filter(|(_, count)| **count != 0).map(|(owner, _)| *owner).collect();
    let mut rows: Vec<OwnerDeals> = owners
        .into_iter()
        .map(|owner| {
            let (won, lost) = (won.get(owner).copied().unwrap_or(0), lost.get(owner).copied().unwrap_or(0));
            OwnerDeals {
                owner_id: owner_of(owner),
                won,
                lost,
                win_rate: sales::win_rate(won, lost),
                won_value: values.remove(owner).unwrap_or_default(),
            }
        })
        .collect();
    rows.sort_by_key(|row| (std::cmp::Reverse(row.won), std::cmp::Reverse(row.won + row.lost)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activities_are_summed_per_kind_and_per_rep_over_the_days() {
        let day = |pairs: &[(&str, i64)]| pairs.iter().map(|(name, n)| ((*name).to_owned(), *n)).collect();
        let (monday, tuesday): (BTreeMap<String, i64>, BTreeMap<String, i64>) = (
            day(&[
                ("activities_logged", 2),
                ("activities_logged.kind.call", 2),
                ("activities_logged.rep.u1.call", 1),
                ("activities_logged.rep.u2.call", 1),
                ("activities_done", 1),
                ("activities_done.kind.call", 1),
                ("activities_done.rep.u1.call", 1),
            ]),
            day(&[("activities_logged", 1), ("activities_logged.kind.task", 1), ("activities_logged.rep.u1.task", 1)]),
        );
        let days = vec![("2026-12-07".to_owned(), &monday), ("2026-12-08".to_owned(), &tuesday)];
        let report = sales_activities(&days);
        assert_eq!((report.logged, report.done), (3, 1));
        let kinds: Vec<(&str, i64, i64)> =
            report.by_kind.iter().map(|kind| (kind.kind.as_str(), kind.logged, kind.done)).collect();
        assert_eq!(kinds, [("call", 2, 1), ("meeting", 0, 0), ("task", 1, 0), ("email", 0, 0)]);
        let u1 = report.by_rep.iter().find(|rep| rep.user_id.as_deref() == Some("u1")).unwrap();
        assert_eq!((u1.logged, u1.done), (2, 1));
        assert_eq!(u1.by_kind[2].logged, 1, "u1's task on Tuesday");
        let u2 = report.by_rep.iter().find(|rep| rep.user_id.as_deref() == Some("u2")).unwrap();
        assert_eq!((u2.logged, u2.done), (1, 0));
        assert_eq!(report.by_rep.len(), 2);
    }

    #[test]
    fn closed_deals_are_summed_per_owner_most_won_first() {
        let day = |pairs: &[(&str, i64)]| pairs.iter().map(|(name, n)| ((*name).to_owned(), *n)).collect();
        let (monday, tuesday): (BTreeMap<String, i64>, BTreeMap<String, i64>) = (
            day(&[
                ("deals_won", 1),
                ("deals_won.EUR", 1),
                ("deals_won_value.EUR", 500),
                ("deals_won_by.u1", 1),
                ("deals_won_value_by.u1.EUR", 500),
                ("deals_lost_by.none", 1),
            ]),
            day(&[
                ("deals_won_by.u2", 2),
                ("deals_won_value_by.u2.USD", 70),
                ("deals_won_value_by.u2.EUR", 30),
                ("deals_lost_by.u1", 1),
            ]),
        );
        let days = vec![("2026-12-07".to_owned(), &monday), ("2026-12-08".to_owned(), &tuesday)];
        let rows = deals_by_owner(&days);
        let summary: Vec<(Option<&str>, i64, i64, Option<f64>)> =
            rows.iter().map(|row| (row.owner_id.as_deref(), row.won, row.lost, row.win_rate)).collect();
        assert_eq!(summary, [(Some("u2"), 2, 0, Some(1.0)), (Some("u1"), 1, 1, Some(0.5)), (None, 0, 1, Some(0.0))]);
        let currencies: Vec<(&str, i64)> =
            rows[0].won_value.iter().map(|value| (value.currency.as_str(), value.value)).collect();
        assert_eq!(currencies, [("EUR", 30), ("USD", 70)], "never added across currencies");
        assert_eq!(sales_deals(&days).average_won_value[0].value, 500, "the per-owner counters are not currencies");
    }

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
