//! Support reports, read from counters the outbox consumer keeps (no scans at read time).

use jiff::{ToSpan, civil::Date, tz::TimeZone};

use super::{ServiceError, ServiceResult};
use crate::api::{DailyTicketReport, DayStats};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::{FieldError, Validator};

/// The longest range one report covers.
pub const MAX_DAYS: i64 = 366;
pub const DEFAULT_DAYS: i64 = 30;

fn parse_day(raw: &str) -> Result<Date, String> {
    raw.parse::<Date>().map_err(|_| "must be a date like 2026-11-21".to_owned())
}

/// Ticket activity per UTC day from `from` to `to` (default: the last 30 days).
pub async fn daily_tickets(
    app: &App,
    caller: &MemberPrincipal,
    from: Option<String>,
    to: Option<String>,
) -> ServiceResult<DailyTicketReport> {
    let mut v = Validator::new();
    let to = match to.as_deref() {
        None => Some(app.clock.now().to_zoned(TimeZone::UTC).date()),
        Some(raw) => v.check("to", parse_day(raw)),
    };
    let from = from.as_deref().and_then(|raw| v.check("from", parse_day(raw)));
    v.finish().map_err(ServiceError::Validation)?;
    let to = to.expect("checked above");
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
    let stored = app.store.daily_counters(&caller.scope(), &from.to_string(), &to.to_string()).await?;
    let mut days = Vec::new();
    let mut day = from;
    while day <= to {
        let date = day.to_string();
        let counters = stored.get(&date);
        let get = |name: &str| counters.and_then(|counters| counters.get(name)).copied().unwrap_or(0);
        days.push(DayStats {
            tickets_created: get("tickets_created"),
            tickets_solved: get("tickets_solved"),
            tickets_reopened: get("tickets_reopened"),
            agent_replies: get("agent_replies"),
            internal_notes: get("internal_notes"),
            customer_messages: get("customer_messages"),
            customers_created: get("customers_created"),
            date,
        });
        day = day.tomorrow().map_err(|_| ServiceError::Validation(vec![FieldError::new("to", "is out of range")]))?;
    }
    Ok(DailyTicketReport { from: from.to_string(), to: to.to_string(), days })
}
