//! The support report and agent performance, read from the day cells the outbox consumer keeps
//! ([`super::support_days`]): a report is one Query per dimension over its days (plus one for the
//! backlog carried into the range), whatever the number of tickets behind it.

use std::collections::BTreeMap;

use jiff::{ToSpan, civil::Date, tz::TimeZone};

use super::reports::{days_of, range_within};
use super::support_days::{CREATED, DIMENSIONS, ONE_TOUCH, REOPENED, REPLIES, SOLVED, TIME_METRICS, sla_counter};
use super::{ServiceError, ServiceResult};
use crate::api::{
    AgentPerformance, AgentReport, BreakdownRow, DurationStats, SlaOutcomes, SupportBreakdown, SupportDayFigures,
    SupportFigures, SupportPeriod, SupportReport, TimeMetric, TimeMetrics,
};
use crate::api::{ReportSettingsView, UpdateReportSettingsRequest};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::events::EventKind;
use crate::domain::{FieldError, optional_field, rbac::Permission, reports::sketch::DurationSketch};
use crate::storage::{
    TenantScope,
    events::Event,
    settings::{ReportSettings, SettingsWriteError},
    support_days::SupportDay,
    tickets::mine_counter,
};

/// The longest range one support report covers: 13 months (a year and the month before it).
pub const MAX_DAYS: i64 = 397;

/// The time zone report days are counted in: the workspace's report setting, UTC until one is set.
pub async fn report_time_zone(app: &App, scope: &TenantScope) -> ServiceResult<TimeZone> {
    Ok(report_zone(app.store.get_report_settings(scope).await?.as_ref()))
}

/// The time zone of stored report settings: UTC without any (or with a zone no longer known).
pub fn report_zone(settings: Option<&ReportSettings>) -> TimeZone {
    settings.and_then(|settings| TimeZone::get(&settings.time_zone).ok()).unwrap_or(TimeZone::UTC)
}

fn settings_view(settings: Option<&ReportSettings>) -> ReportSettingsView {
    ReportSettingsView {
        time_zone: settings.map_or_else(|| "UTC".to_owned(), |settings| settings.time_zone.clone()),
        version: settings.map_or(0, |settings| settings.version),
    }
}

pub async fn settings(app: &App, caller: &MemberPrincipal) -> ServiceResult<ReportSettingsView> {
    Ok(settings_view(app.store.get_report_settings(&caller.scope()).await?.as_ref()))
}

/// Sets the report time zone. Days already kept stay as they were counted; events from now on are
/// counted in the new zone.
pub async fn update_settings(
    app: &App,
    caller: &MemberPrincipal,
    request: UpdateReportSettingsRequest,
) -> ServiceResult<ReportSettingsView> {
    let name = request.time_zone.trim().to_owned();
    if TimeZone::get(&name).is_err() {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "time_zone",
            "must be an IANA time zone such as Europe/Berlin",
        )]));
    }
    let scope = caller.scope();
    let conflict = |current: Option<&ReportSettings>| ServiceError::VersionConflict {
        what: "The report settings",
        current: serde_json::to_value(settings_view(current)).ok(),
    };
    for _ in 0..3 {
        let before = app.store.get_report_settings(&scope).await?;
        let current_version = before.as_ref().map_or(0, |settings| settings.version);
        if request.version.is_some_and(|version| version != current_version) {
            return Err(conflict(before.as_ref()));
        }
        if before.as_ref().is_some_and(|settings| settings.time_zone == name) {
            return Ok(settings_view(before.as_ref()));
        }
        let now = app.clock.now();
        let after = ReportSettings {
            time_zone: name.clone(),
            version: current_version + 1,
            updated_at: now,
            updated_by: Some(caller.user_id),
        };
        let event = Event::new(EventKind::SettingsReportsUpdated, Some(caller.user_id), "settings/reports".into(), now)
            .with_change(
                Some(
                    serde_json::json!({"time_zone": before.as_ref().map(|b| &b.time_zone), "version": current_version}),
                ),
                Some(serde_json::json!({"time_zone": &after.time_zone, "version": after.version})),
            );
        match app.store.put_report_settings(&scope, before.as_ref().map(|b| b.version), &after, &event).await {
            Ok(()) => return Ok(settings_view(Some(&after))),
            Err(SettingsWriteError::VersionConflict) if request.version.is_some() => {
                return Err(conflict(app.store.get_report_settings(&scope).await?.as_ref()));
            }
            Err(SettingsWriteError::VersionConflict) => continue,
            Err(SettingsWriteError::Store(err)) => return Err(err.into()),
        }
    }
    Err(ServiceError::VersionConflict { what: "The report settings", current: None })
}

/// The IANA name of a report time zone, as reports show it.
pub(super) fn time_zone_name(time_zone: &TimeZone) -> String {
    time_zone.iana_name().unwrap_or("UTC").to_owned()
}

/// Days merged: counters added, sketches merged.
#[derive(Debug, Default, Clone)]
struct Merged {
    counters: BTreeMap<String, i64>,
    sketches: BTreeMap<String, DurationSketch>,
}

impl Merged {
    fn add(&mut self, day: &SupportDay) {
        for (name, value) in &day.counters {
            *self.counters.entry(name.clone()).or_insert(0) += value;
        }
        for (name, sketch) in &day.sketches {
            self.sketches.entry(name.clone()).or_default().merge(sketch);
        }
    }

    fn counter(&self, name: &str) -> i64 {
        self.counters.get(name).copied().unwrap_or(0)
    }

    fn stats(&self, name: &str) -> Option<DurationStats> {
        let sketch = self.sketches.get(name)?;
        Some(DurationStats {
            count: sketch.count(),
            average_seconds: sketch.mean_seconds(),
            median_seconds: sketch.quantile_seconds(0.5),
            p90_seconds: sketch.quantile_seconds(0.9),
        })
    }

    fn time(&self, metric: &str) -> TimeMetric {
        TimeMetric {
            calendar: self.stats(&format!("{metric}.calendar")).unwrap_or_default(),
            business: self.stats(&format!("{metric}.business")),
        }
    }

    fn sla(&self, clock: &str) -> SlaOutcomes {
        let (met, breached) = (self.counter(&sla_counter(clock, true)), self.counter(&sla_counter(clock, false)));
        SlaOutcomes { met, breached, compliance: share(met, met + breached) }
    }

    fn figures(&self) -> SupportFigures {
        let [first_reply, first_resolution, full_resolution, requester_wait, agent_wait, on_hold] =
            TIME_METRICS.map(|metric| self.time(metric));
        let solved = self.counter(SOLVED);
        SupportFigures {
            created: self.counter(CREATED),
            solved,
            reopened: self.counter(REOPENED),
            one_touch: self.counter(ONE_TOUCH),
            replies: self.counter(REPLIES),
            one_touch_rate: share(self.counter(ONE_TOUCH), solved),
            reopen_rate: share(self.counter(REOPENED), solved),
            sla_first_response: self.sla("first_response"),
            sla_resolution: self.sla("resolution"),
            times: TimeMetrics { first_reply, first_resolution, full_resolution, requester_wait, agent_wait, on_hold },
        }
    }
}

fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn merged<'a>(days: impl IntoIterator<Item = &'a SupportDay>) -> Merged {
    let mut merged = Merged::default();
    for day in days {
        merged.add(day);
    }
    merged
}

/// The breakdown asked for: one of [`DIMENSIONS`].
fn parse_breakdown(raw: String) -> Result<&'static str, String> {
    DIMENSIONS
        .into_iter()
        .find(|dimension| *dimension == raw)
        .ok_or_else(|| format!("must be one of {}", DIMENSIONS.join(", ")))
}

fn parse_compare(raw: String) -> Result<(), String> {
    (raw == "previous").then_some(()).ok_or_else(|| "must be `previous`".to_owned())
}

/// The range and the options of a support report, every problem named at once.
fn support_options(
    app: &App,
    time_zone: &TimeZone,
    from: Option<String>,
    to: Option<String>,
    breakdown: Option<String>,
    compare: Option<String>,
) -> ServiceResult<((Date, Date), Option<&'static str>, bool)> {
    let mut errors: Vec<FieldError> = Vec::new();
    let breakdown = optional_field("breakdown", breakdown, parse_breakdown).unwrap_or_else(|error| {
        errors.push(error);
        None
    });
    let compare = optional_field("compare", compare, parse_compare).unwrap_or_else(|error| {
        errors.push(error);
        None
    });
    match range_within(app, from, to, MAX_DAYS, time_zone) {
        Ok(range) if errors.is_empty() => Ok((range, breakdown, compare.is_some())),
        Ok(_) => Err(ServiceError::Validation(errors)),
        Err(ServiceError::Validation(mut range_errors)) => {
            range_errors.extend(errors);
            Err(ServiceError::Validation(range_errors))
        }
        Err(err) => Err(err),
    }
}

/// The support report over `from`..`to` (default: the last 30 days in the report time zone).
pub async fn support(
    app: &App,
    caller: &MemberPrincipal,
    from: Option<String>,
    to: Option<String>,
    breakdown: Option<String>,
    compare: Option<String>,
) -> ServiceResult<SupportReport> {
    let scope = caller.scope();
    let time_zone = report_time_zone(app, &scope).await?;
    let ((from, to), breakdown, compare) = support_options(app, &time_zone, from, to, breakdown, compare)?;
    let length = (to - from).get_days() + 1;
    let (previous_from, previous_to) = (from.saturating_sub(length.days()), from.saturating_sub(1.day()));
    let (from_s, to_s) = (from.to_string(), to.to_string());
    // The range's days and, for a comparison, the period before it in the same Query.
    let first = if compare { previous_from } else { from }.to_string();
    let (days, carried, breakdown_days) = futures::try_join!(
        async { Ok::<_, ServiceError>(app.store.support_days(&scope, "all", &first, &to_s).await?) },
        async { Ok(app.store.support_backlog_before(&scope, &first).await?) },
        async {
            match breakdown {
                Some(dimension) => Ok(app.store.support_days(&scope, dimension, &from_s, &to_s).await?),
                None => Ok(Vec::new()),
            }
        },
    )?;
    let by_day: BTreeMap<&str, &SupportDay> = days.iter().map(|day| (day.day.as_str(), day)).collect();
    // Backlog per day: the last stamped value carried forward.
    let mut backlog = carried.unwrap_or(0);
    let mut previous_backlog_end = backlog;
    if compare {
        for day in days_of(previous_from, previous_to) {
            if let Some(stamped) = by_day.get(day.to_string().as_str()).and_then(|cell| cell.backlog) {
                backlog = stamped;
            }
        }
        previous_backlog_end = backlog;
    }
    let mut per_day = Vec::new();
    for day in days_of(from, to) {
        let date = day.to_string();
        let cell = by_day.get(date.as_str()).copied();
        if let Some(stamped) = cell.and_then(|cell| cell.backlog) {
            backlog = stamped;
        }
        per_day.push(SupportDayFigures { date, backlog, figures: merged(cell).figures() });
    }
    let in_range = |day: &&SupportDay| day.day >= from_s && day.day <= to_s;
    let totals = merged(days.iter().filter(in_range)).figures();
    let previous = compare.then(|| {
        let (p_from, p_to) = (previous_from.to_string(), previous_to.to_string());
        SupportPeriod {
            totals: merged(days.iter().filter(|day| day.day >= p_from && day.day <= p_to)).figures(),
            from: p_from,
            to: p_to,
            backlog_end: previous_backlog_end,
        }
    });
    let breakdown = breakdown.map(|dimension| {
        let mut values: BTreeMap<&str, Merged> = BTreeMap::new();
        for day in &breakdown_days {
            values.entry(day.value.as_str()).or_default().add(day);
        }
        let mut rows: Vec<BreakdownRow> = values
            .into_iter()
            .map(|(value, merged)| BreakdownRow { value: value.to_owned(), figures: merged.figures() })
            .collect();
        rows.sort_by(|a, b| b.figures.created.cmp(&a.figures.created).then_with(|| a.value.cmp(&b.value)));
        SupportBreakdown { dimension: dimension.to_owned(), rows }
    });
    Ok(SupportReport {
        from: from_s,
        to: to_s,
        time_zone: time_zone_name(&time_zone),
        backlog_end: backlog,
        totals,
        days: per_day,
        breakdown,
        previous,
    })
}

/// Each agent's performance over the range, with their live state. Without `reports:team` a member
/// sees their own row only.
pub async fn agents(
    app: &App,
    caller: &MemberPrincipal,
    from: Option<String>,
    to: Option<String>,
) -> ServiceResult<AgentReport> {
    let scope = caller.scope();
    let time_zone = report_time_zone(app, &scope).await?;
    let (from, to) = range_within(app, from, to, MAX_DAYS, &time_zone)?;
    let (from_s, to_s) = (from.to_string(), to.to_string());
    let team = caller.role.can(Permission::ReportsTeam);
    let (cells, members, inbox, connections, online_seconds) = futures::try_join!(
        async { Ok::<_, ServiceError>(app.store.support_days(&scope, "agent", &from_s, &to_s).await?) },
        async { Ok(app.store.all_members(&scope).await?) },
        async { Ok(app.store.inbox_counts(&scope).await?) },
        async { Ok(app.store.workspace_connections(&scope).await?) },
        async { Ok(app.store.online_seconds(&scope, &from_s, &to_s).await?) },
    )?;
    let now = app.clock.now().as_second();
    let me = caller.user_id.to_string();
    let mut per_agent: BTreeMap<String, Merged> = BTreeMap::new();
    for cell in cells.iter().filter(|cell| cell.value != "unassigned" && (team || cell.value == me)) {
        per_agent.entry(cell.value.clone()).or_default().add(cell);
    }
    // Everyone who can work tickets is listed, figures or not.
    for member in members.iter().filter(|member| member.is_active() && member.role.can(Permission::TicketsWrite)) {
        let id = member.id.to_string();
        if team || id == me {
            per_agent.entry(id).or_default();
        }
    }
    per_agent.entry(me.clone()).or_default();
    let mut agents: Vec<AgentPerformance> = per_agent
        .into_iter()
        .map(|(user_id, merged)| {
            let member = members.iter().find(|member| member.id.to_string() == user_id);
            let figures = merged.figures();
            AgentPerformance {
                name: member.map(|member| member.name.to_string()),
                solved: figures.solved,
                replies: figures.replies,
                one_touch: figures.one_touch,
                reopened: figures.reopened,
                first_reply: figures.times.first_reply,
                first_resolution: figures.times.first_resolution,
                full_resolution: figures.times.full_resolution,
                sla_first_response: figures.sla_first_response,
                sla_resolution: figures.sla_resolution,
                open_assigned: member.map_or(0, |member| inbox.get(&mine_counter(member.id))),
                online: connections
                    .iter()
                    .any(|connection| connection.user_id.to_string() == user_id && connection.is_live(now)),
                online_seconds: online_seconds.get(&user_id).copied().unwrap_or(0),
                user_id,
            }
        })
        .collect();
    agents.sort_by(|a, b| b.solved.cmp(&a.solved).then_with(|| a.name.cmp(&b.name)));
    Ok(AgentReport { from: from_s, to: to_s, time_zone: time_zone_name(&time_zone), agents })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(date: &str, counters: &[(&str, i64)], seconds: &[i64]) -> SupportDay {
        let mut sketch = DurationSketch::new();
        for value in seconds {
            sketch.add_seconds(*value);
        }
        SupportDay {
            day: date.to_owned(),
            dimension: "all".to_owned(),
            value: "-".to_owned(),
            counters: counters.iter().map(|(name, value)| ((*name).to_owned(), *value)).collect(),
            sketches: [("first_reply.calendar".to_owned(), sketch)].into(),
            ..SupportDay::default()
        }
    }

    #[test]
    fn a_period_adds_its_days_counts_and_merges_their_sketches() {
        let days = [
            day("2026-12-07", &[(SOLVED, 2), (ONE_TOUCH, 1), (REOPENED, 1)], &[60, 120]),
            day("2026-12-08", &[(SOLVED, 2), (ONE_TOUCH, 2)], &[600]),
        ];
        let figures = merged(&days).figures();
        assert_eq!((figures.solved, figures.one_touch, figures.reopened), (4, 3, 1));
        assert_eq!((figures.one_touch_rate, figures.reopen_rate), (Some(0.75), Some(0.25)));
        let first_reply = figures.times.first_reply;
        assert_eq!(first_reply.calendar.count, 3);
        assert_eq!(first_reply.calendar.average_seconds, Some(260.0));
        assert_eq!(first_reply.business, None, "no business time measured");
        let median = first_reply.calendar.median_seconds.unwrap();
        assert!((median - 120.0).abs() <= 1.2, "median {median}");
        assert_eq!(figures.times.on_hold.calendar, DurationStats::default(), "nothing measured");
    }

    #[test]
    fn breakdown_and_compare_are_checked() {
        assert_eq!(parse_breakdown("agent".to_owned()), Ok("agent"));
        assert!(parse_breakdown("colour".to_owned()).unwrap_err().contains("channel, category, priority, agent"));
        assert!(parse_compare("previous".to_owned()).is_ok());
        assert!(parse_compare("last_year".to_owned()).is_err());
    }
}
