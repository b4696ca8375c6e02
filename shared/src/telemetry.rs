//! Structured JSON logs (one object per line, span fields such as request_id, workspace_id and
//! user_id included), as CloudWatch Logs Insights expects. `SWITCHBOARD_LOG_FORMAT=pretty` for humans.

use tracing_subscriber::{EnvFilter, fmt};

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let pretty = std::env::var("SWITCHBOARD_LOG_FORMAT").is_ok_and(|format| format == "pretty");
    let result = if pretty {
        fmt().with_env_filter(filter).with_target(false).try_init()
    } else {
        fmt()
            .json()
            .with_env_filter(filter)
            .with_current_span(true)
            .with_span_list(false)
            .flatten_event(true)
            .with_target(false)
            .with_ansi(false)
            .try_init()
    };
    // A second init (tests, the local stack) keeps the first subscriber.
    let _ = result;
}
