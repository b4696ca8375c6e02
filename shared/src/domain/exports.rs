//! Exports: a report or a list, with the filters the member had on screen, written as a file the member
//! downloads through a link that expires (docs/reports.md "Exports"). What may be exported, by whom, in
//! which columns, and how a cell is made safe for a spreadsheet are decided here.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use super::FieldError;
use super::rbac::Permission;

/// How long a download link works once handed out.
pub const LINK_TTL: Duration = Duration::from_secs(15 * 60);

/// How long the file stays in the bucket (its lifecycle rule) and the job can be read: a day.
pub const KEEP_DAYS: i64 = 1;

/// What can be exported: the five reports and the four lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    SupportReport,
    AgentReport,
    SlaReport,
    SalesReport,
    DailyTicketsReport,
    Tickets,
    Customers,
    Leads,
    Deals,
}

impl ExportKind {
    pub const ALL: [ExportKind; 9] = [
        ExportKind::SupportReport,
        ExportKind::AgentReport,
        ExportKind::SlaReport,
        ExportKind::SalesReport,
        ExportKind::DailyTicketsReport,
        ExportKind::Tickets,
        ExportKind::Customers,
        ExportKind::Leads,
        ExportKind::Deals,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::SupportReport => "support_report",
            ExportKind::AgentReport => "agent_report",
            ExportKind::SlaReport => "sla_report",
            ExportKind::SalesReport => "sales_report",
            ExportKind::DailyTicketsReport => "daily_tickets_report",
            ExportKind::Tickets => "tickets",
            ExportKind::Customers => "customers",
            ExportKind::Leads => "leads",
            ExportKind::Deals => "deals",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == raw)
            .ok_or_else(|| format!("must be one of {}", Self::ALL.map(ExportKind::as_str).join(", ")))
    }

    /// The permission reading the report or list needs: exporting it needs no more and no less.
    pub fn permission(self) -> Permission {
        match self {
            ExportKind::SupportReport
            | ExportKind::AgentReport
            | ExportKind::SlaReport
            | ExportKind::SalesReport
            | ExportKind::DailyTicketsReport => Permission::ReportsRead,
            ExportKind::Tickets => Permission::TicketsRead,
            ExportKind::Customers => Permission::CustomersRead,
            ExportKind::Leads | ExportKind::Deals => Permission::SalesRead,
        }
    }

    /// The query parameters of the report or list endpoint the export takes as its filters.
    pub fn filters(self) -> &'static [&'static str] {
        match self {
            ExportKind::SupportReport => &["from", "to", "breakdown"],
            ExportKind::AgentReport | ExportKind::SlaReport | ExportKind::DailyTicketsReport => &["from", "to"],
            ExportKind::SalesReport => &["from", "to", "pipeline_id"],
            ExportKind::Tickets => {
                &["view", "sort", "status", "priority", "category", "tag", "assignee", "customer", "number", "q"]
            }
            ExportKind::Customers => &["email_prefix"],
            ExportKind::Leads => &["status", "owner", "source", "tag", "created_from", "created_to", "sort"],
            ExportKind::Deals => &[
                "status",
                "sort",
                "pipeline_id",
                "stage_id",
                "owner_id",
                "tag",
                "currency",
                "min_value",
                "max_value",
                "close_from",
                "close_to",
            ],
        }
    }

    /// The file's name without its extension.
    pub fn file_stem(self) -> &'static str {
        match self {
            ExportKind::SupportReport => "support-report",
            ExportKind::AgentReport => "agent-performance",
            ExportKind::SlaReport => "sla-compliance",
            ExportKind::SalesReport => "sales-report",
            ExportKind::DailyTicketsReport => "ticket-activity",
            ExportKind::Tickets => "tickets",
            ExportKind::Customers => "customers",
            ExportKind::Leads => "leads",
            ExportKind::Deals => "deals",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// Where a job is: waiting for the worker, being written, ready to download, or given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportStatus {
    Queued,
    Running,
    Ready,
    Failed,
}

impl ExportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportStatus::Queued => "queued",
            ExportStatus::Running => "running",
            ExportStatus::Ready => "ready",
            ExportStatus::Failed => "failed",
        }
    }
}

/// An export as asked for: checked kind, format and filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSpec {
    pub kind: ExportKind,
    pub format: ExportFormat,
    pub filters: BTreeMap<String, String>,
}

impl ExportSpec {
    /// Every field error at once: an unknown kind or format, a filter the list or report does not take. Empty filter values are dropped (a cleared filter on screen).
    pub fn parse(kind: &str, format: Option<&str>, filters: BTreeMap<String, String>) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = ExportKind::parse(kind).map_err(|message| errors.push(FieldError::new("kind", message))).ok();
        let format = match format.unwrap_or("csv") {
            "csv" => Some(ExportFormat::Csv),
            _ => {
                errors.push(FieldError::new("format", "must be csv"));
                None
            }
        };
        let filters: BTreeMap<String, String> =
            filters.into_iter().filter(|(_, value)| !value.trim().is_empty()).collect();
        if let Some(kind) = kind {
            for name in filters.keys().filter(|name| !kind.filters().contains(&name.as_str())) {
                errors.push(FieldError::new(
                    format!("filters.{name}"),
                    format!("is not a filter of {}; it takes {}", kind.as_str(), kind.filters().join(", ")),
                ));
            }
        }
        match (kind, format) {
            (Some(kind), Some(format)) if errors.is_empty() => Ok(Self { kind, format, filters }),
            _ => Err(errors),
        }
    }
}

/// A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`) or whose leading tab or carriage
/// return hides one gets a leading apostrophe, so it shows as the text it is (OWASP "CSV injection").
/// Text from people only: numbers the reports compute are written as they are.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// One column of an export: its header and where its value sits in a row's JSON (a JSON pointer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub header: String,
    pub pointer: String,
}

impl Column {
    fn at(pointer: &str) -> Self {
        Self { header: pointer.trim_start_matches('/').replace('/', "."), pointer: pointer.to_owned() }
    }

    fn named(header: &str, pointer: &str) -> Self {
        Self { header: header.to_owned(), pointer: pointer.to_owned() }
    }
}

/// The text of one cell: empty for null or missing, numbers and booleans as JSON writes them, text
/// neutralised, lists joined with "; ".
pub fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => neutralise(text).into_owned(),
        Some(Value::Number(number)) => number.to_string(),
        Some(Value::Bool(flag)) => flag.to_string(),
        Some(Value::Array(items)) => {
            let joined: Vec<String> = items.iter().map(|item| cell(Some(item))).collect();
            neutralise(&joined.join("; ")).into_owned()
        }
        Some(object @ Value::Object(_)) => neutralise(&object.to_string()).into_owned(),
    }
}

/// The row's cells in the columns' order.
pub fn row_of(columns: &[Column], row: &Value) -> Vec<String> {
    columns.iter().map(|column| cell(row.pointer(&column.pointer))).collect()
}

/// Which rows of a report's JSON an export writes: a JSON pointer to an array.
pub fn report_rows(kind: ExportKind, breakdown: bool) -> &'static str {
    match kind {
        ExportKind::SupportReport if breakdown => "/breakdown/rows",
        ExportKind::AgentReport => "/agents",
        // The sales report's days are joined from its lead and deal series (see the exports service).
        _ => "/days",
    }
}

const TIME_METRICS: [&str; 6] =
    ["first_reply", "first_resolution", "full_resolution", "requester_wait", "agent_wait", "on_hold"];

fn time_columns(prefix: &str, metrics: &[&str]) -> Vec<Column> {
    let mut columns = Vec::new();
    for metric in metrics {
        for clock in ["calendar", "business"] {
            for stat in ["count", "average_seconds", "median_seconds", "p90_seconds"] {
                columns.push(Column::at(&format!("{prefix}/{metric}/{clock}/{stat}")));
            }
        }
    }
    columns
}

fn support_figures(prefix: &str) -> Vec<Column> {
    let mut columns: Vec<Column> = [
        "created",
        "solved",
        "reopened",
        "one_touch",
        "replies",
        "one_touch_rate",
        "reopen_rate",
        "sla_first_response/met",
        "sla_first_response/breached",
        "sla_first_response/compliance",
        "sla_resolution/met",
        "sla_resolution/breached",
        "sla_resolution/compliance",
    ]
    .iter()
    .map(|name| Column::named(&name.replace('/', "."), &format!("{prefix}/{name}")))
    .collect();
    columns.extend(
        time_columns(&format!("{prefix}/times"), &TIME_METRICS)
            .into_iter()
            .map(|column| Column { header: column.header.trim_start_matches("figures.times.").to_owned(), ..column }),
    );
    columns
}

/// The columns of an export, in order. `breakdown`: a support report broken down (one row per value).
pub fn columns(kind: ExportKind, breakdown: bool) -> Vec<Column> {
    let at = |pointers: &[&str]| pointers.iter().map(|pointer| Column::at(pointer)).collect::<Vec<_>>();
    match kind {
        ExportKind::SupportReport if breakdown => {
            let mut columns = at(&["/value"]);
            columns.extend(support_figures("/figures"));
            columns
        }
        ExportKind::SupportReport => {
            let mut columns = at(&["/date", "/backlog"]);
            columns.extend(support_figures("/figures"));
            columns
        }
        ExportKind::AgentReport => {
            let mut columns = at(&[
                "/user_id",
                "/name",
                "/solved",
                "/replies",
                "/one_touch",
                "/reopened",
                "/sla_first_response/met",
                "/sla_first_response/breached",
                "/sla_resolution/met",
                "/sla_resolution/breached",
                "/open_assigned",
                "/online",
            ]);
            columns.extend(time_columns("", &["first_reply", "first_resolution", "full_resolution"]));
            columns
        }
        ExportKind::SlaReport => {
            at(&["/date", "/first_response/met", "/first_response/breached", "/resolution/met", "/resolution/breached"])
        }
        ExportKind::SalesReport => at(&["/date", "/leads_created", "/deals_won", "/deals_lost"]),
        ExportKind::DailyTicketsReport => at(&[
            "/date",
            "/tickets_created",
            "/tickets_solved",
            "/tickets_reopened",
            "/agent_replies",
            "/internal_notes",
            "/customer_messages",
            "/customers_created",
        ]),
        ExportKind::Tickets => {
            let mut columns = at(&["/number", "/id", "/subject", "/status", "/priority", "/category", "/subcategory"]);
            columns.extend(at(&["/tags", "/channel"]));
            columns.push(Column::named("requester_name", "/requester/name"));
            columns.push(Column::named("requester_email", "/requester/email"));
            columns.extend(at(&["/customer_id", "/assignee_id", "/assignee_name"]));
            columns.push(Column::named("sla", "/sla/state"));
            columns.push(Column::named("sla_due_at", "/sla/due_at"));
            columns.extend(at(&["/created_at", "/updated_at", "/first_response_at", "/solved_at"]));
            columns
        }
        ExportKind::Customers => {
            at(&["/id", "/email", "/name", "/phone", "/company", "/company_id", "/notes", "/created_at", "/updated_at"])
        }
        ExportKind::Leads => at(&[
            "/id",
            "/name",
            "/email",
            "/phone",
            "/company",
            "/title",
            "/source",
            "/status",
            "/owner_id",
            "/tags",
            "/score",
            "/customer_id",
            "/converted_at",
            "/created_at",
            "/updated_at",
        ]),
        ExportKind::Deals => at(&[
            "/id",
            "/title",
            "/status",
            "/value",
            "/currency",
            "/weighted_value",
            "/probability",
            "/pipeline_id",
            "/stage_id",
            "/owner_id",
            "/company",
            "/tags",
            "/expected_close",
            "/lost_reason",
            "/created_at",
            "/updated_at",
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_a_spreadsheet_would_run_as_formulas_become_text() {
        for formula in ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"] {
            assert_eq!(neutralise(formula), format!("'{formula}"), "{formula:?}");
        }
        for plain in ["Alice", "", " =not first", "1-2", "a=b", "'quoted"] {
            assert_eq!(neutralise(plain), plain, "{plain:?}");
        }
    }

    #[test]
    fn numbers_stay_numbers_and_text_in_lists_is_neutralised() {
        assert_eq!(cell(Some(&json!(-3))), "-3", "a computed figure is not a formula");
        assert_eq!(cell(Some(&json!(0.25))), "0.25");
        assert_eq!(cell(Some(&json!("-3"))), "'-3", "text from a person is");
        assert_eq!(cell(Some(&json!(null))), "");
        assert_eq!(cell(None), "");
        assert_eq!(cell(Some(&json!(["=a", "b"]))), "'=a; b");
        assert_eq!(cell(Some(&json!(true))), "true");
    }

    #[test]
    fn a_row_follows_its_columns() {
        let columns = columns(ExportKind::Tickets, false);
        let row = json!({"number": 7, "subject": "=cmd", "requester": {"email": "a@example.com"}, "tags": ["x", "y"]});
        let cells = row_of(&columns, &row);
        let by_header = |header: &str| {
            let index = columns.iter().position(|column| column.header == header).unwrap();
            cells[index].clone()
        };
        assert_eq!(by_header("number"), "7");
        assert_eq!(by_header("subject"), "'=cmd");
        assert_eq!(by_header("requester_email"), "a@example.com");
        assert_eq!(by_header("tags"), "x; y");
        assert_eq!(by_header("assignee_id"), "");
    }

    #[test]
    fn support_columns_name_each_figure_once() {
        let columns = columns(ExportKind::SupportReport, false);
        let headers: std::collections::BTreeSet<&str> = columns.iter().map(|column| column.header.as_str()).collect();
        assert_eq!(headers.len(), columns.len());
        assert!(headers.contains("first_reply.business.median_seconds"), "{headers:?}");
        assert!(headers.contains("sla_resolution.compliance"));
    }

    #[test]
    fn a_spec_names_every_mistake_at_once() {
        let filters = BTreeMap::from([("colour".to_owned(), "red".to_owned())]);
        let errors = ExportSpec::parse("tickets", Some("xlsx"), filters).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["format", "filters.colour"]);
        let errors = ExportSpec::parse("everything", Some("xls"), BTreeMap::new()).unwrap_err();
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn a_spec_keeps_only_filters_that_are_set() {
        let filters = BTreeMap::from([("status".to_owned(), "open".to_owned()), ("tag".to_owned(), " ".to_owned())]);
        let spec = ExportSpec::parse("tickets", None, filters).unwrap();
        assert_eq!(spec.format, ExportFormat::Csv);
        assert_eq!(spec.filters, BTreeMap::from([("status".to_owned(), "open".to_owned())]));
    }

    #[test]
    fn exporting_needs_what_reading_needs() {
        assert_eq!(ExportKind::Customers.permission(), Permission::CustomersRead);
        assert_eq!(ExportKind::Deals.permission(), Permission::SalesRead);
        assert_eq!(ExportKind::AgentReport.permission(), Permission::ReportsRead);
        for kind in ExportKind::ALL {
            assert_eq!(ExportKind::parse(kind.as_str()), Ok(kind));
        }
    }
}
