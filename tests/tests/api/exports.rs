//! Exports: a job started with the filters on screen, written by the export worker off its queue, read
//! back for a download link. The file holds exactly the filtered rows the member may read, with cells a
//! spreadsheet would run as formulas made text; only its member can fetch it.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};
use switchboard_tests::{Client, Member, add_member, eventually, signup, unique_email};

/// Starts an export; the job as answered (202).
async fn start(member: &Member, body: Value) -> Value {
    member.client().post("/api/v1/exports", body).await.expect(202).body
}

/// Reads the job until it is no longer queued or running; the job then.
async fn finished(client: &Client, id: &str) -> Value {
    let mut job = Value::Null;
    let done = eventually(Duration::from_secs(60), async || {
        job = client.get(&format!("/api/v1/exports/{id}")).await.expect(200).body;
        job["status"] != "queued" && job["status"] != "running"
    })
    .await;
    assert!(done, "the export never finished: {job}");
    job
}

/// The file behind a ready job's link: its header and rows.
async fn download(job: &Value) -> (Vec<String>, Vec<Vec<String>>) {
    assert_eq!(job["status"], "ready", "{job}");
    let url = job["download"]["url"].as_str().expect("a download link");
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let bytes = response.bytes().await.unwrap();
    let mut reader = csv::Reader::from_reader(bytes.as_ref());
    let header = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = reader.records().map(|record| record.unwrap().iter().map(str::to_owned).collect()).collect();
    (header, rows)
}

fn column(header: &[String], rows: &[Vec<String>], name: &str) -> Vec<String> {
    let index = header.iter().position(|column| column == name).unwrap_or_else(|| panic!("no column {name}"));
    rows.iter().map(|row| row[index].clone()).collect()
}

async fn new_ticket(member: &Member, subject: &str, priority: &str) {
    member
        .client()
        .post(
            "/api/v1/tickets",
            json!({"subject": subject, "body": "B", "priority": priority, "customer": {"email": unique_email("c")}}),
        )
        .await
        .expect(201);
}

#[tokio::test]
async fn a_ticket_export_holds_exactly_the_filtered_rows_and_no_formulas() {
    let owner = signup("Export Tickets Co").await;
    new_ticket(&owner, "=HYPERLINK(\"http://evil.example\",\"click\")", "urgent").await;
    new_ticket(&owner, "+1 shipping, \"fragile\"; handle with care", "urgent").await;
    new_ticket(&owner, "Printer on fire", "low").await;

    let job = start(&owner, json!({"kind": "tickets", "filters": {"priority": "urgent", "tag": ""}})).await;
    assert_eq!(job["status"], "queued");
    assert_eq!(job["filters"], json!({"priority": "urgent"}), "a cleared filter is not kept");
    let job = finished(&owner.client(), job["id"].as_str().unwrap()).await;
    assert_eq!(job["rows"], 2);
    assert!(
        job["filename"].as_str().unwrap().starts_with("tickets-")
            && job["filename"].as_str().unwrap().ends_with(".csv")
    );
    let (header, rows) = download(&job).await;
    assert_eq!(&header[..3], ["number", "id", "subject"]);
    let subjects: BTreeSet<String> = column(&header, &rows, "subject").into_iter().collect();
    assert_eq!(
        subjects,
        BTreeSet::from([
            "'=HYPERLINK(\"http://evil.example\",\"click\")".to_owned(),
            "'+1 shipping, \"fragile\"; handle with care".to_owned(),
        ]),
        "only the urgent tickets, formulas as text, commas and quotes kept"
    );
    assert!(column(&header, &rows, "priority").iter().all(|priority| priority == "urgent"));
}

#[tokio::test]
async fn a_customer_export_pages_through_every_customer_the_filter_matches() {
    let owner = signup("Export Customers Co").await;
    let client = owner.client();
    let mut expected = BTreeSet::new();
    // More than one page of the list (100), and a few the filter leaves out.
    for index in 0..105 {
        let email = format!("bulk{index:03}-{}", unique_email("match"));
        let notes = "Prefers e-mail,\nthen \"phone\"";
        client
            .post("/api/v1/customers", json!({"email": email, "name": format!("@Bulk {index}"), "notes": notes}))
            .await
            .expect(201);
        expected.insert(email);
    }
    for _ in 0..3 {
        client.post("/api/v1/customers", json!({"email": unique_email("other")})).await.expect(201);
    }
    let job = start(&owner, json!({"kind": "customers", "filters": {"email_prefix": "bulk"}})).await;
    let job = finished(&client, job["id"].as_str().unwrap()).await;
    assert_eq!(job["rows"], 105, "{job}");
    let (header, rows) = download(&job).await;
    let emails: BTreeSet<String> = column(&header, &rows, "email").into_iter().collect();
    assert_eq!(emails, expected);
    assert!(column(&header, &rows, "name").iter().all(|name| name.starts_with("'@Bulk ")), "@ starts a formula");
    assert!(
        column(&header, &rows, "notes").iter().all(|notes| notes == "Prefers e-mail,\nthen \"phone\""),
        "quoted as RFC 4180 says"
    );
}

#[tokio::test]
async fn an_agent_exports_only_their_own_performance_a_manager_everyones() {
    let owner = signup("Export Agents Co").await;
    let agent = add_member(&owner, "agent").await;
    let manager = add_member(&owner, "manager").await;

    let mine = start(&agent, json!({"kind": "agent_report"})).await;
    let mine = finished(&agent.client(), mine["id"].as_str().unwrap()).await;
    let (header, rows) = download(&mine).await;
    assert_eq!(column(&header, &rows, "user_id"), std::slice::from_ref(&agent.user_id));

    let all = start(&manager, json!({"kind": "agent_report"})).await;
    let all = finished(&manager.client(), all["id"].as_str().unwrap()).await;
    let (header, rows) = download(&all).await;
    let ids: BTreeSet<String> = column(&header, &rows, "user_id").into_iter().collect();
    assert!(ids.contains(&agent.user_id) && ids.contains(&manager.user_id) && ids.contains(&owner.user_id), "{ids:?}");
}

#[tokio::test]
async fn a_report_export_has_a_row_per_day_of_its_range() {
    let owner = signup("Export Report Co").await;
    let job = start(&owner, json!({"kind": "sla_report", "filters": {"from": "2026-01-01", "to": "2026-01-31"}})).await;
    let job = finished(&owner.client(), job["id"].as_str().unwrap()).await;
    let (header, rows) = download(&job).await;
    assert_eq!(
        header,
        ["date", "first_response.met", "first_response.breached", "resolution.met", "resolution.breached"]
    );
    assert_eq!(rows.len(), 31);
    assert_eq!(rows[0][0], "2026-01-01");
    assert_eq!(rows[30], ["2026-01-31", "0", "0", "0", "0"]);
}

#[tokio::test]
async fn only_the_member_who_started_an_export_can_read_it() {
    let owner = signup("Export Private Co").await;
    let colleague = add_member(&owner, "admin").await;
    let stranger = signup("Export Stranger Co").await;
    let job = start(&owner, json!({"kind": "customers"})).await;
    let id = job["id"].as_str().unwrap();
    finished(&owner.client(), id).await;
    colleague.client().get(&format!("/api/v1/exports/{id}")).await.expect_problem(404, "not-found");
    stranger.client().get(&format!("/api/v1/exports/{id}")).await.expect_problem(404, "not-found");
}

#[tokio::test]
async fn a_download_link_expires_within_minutes_and_never_after_the_file() {
    let owner = signup("Export Link Co").await;
    let job = start(&owner, json!({"kind": "customers"})).await;
    let job = finished(&owner.client(), job["id"].as_str().unwrap()).await;
    let url = job["download"]["url"].as_str().unwrap();
    // The local stand-in does not check signatures or expiry; what the link binds is checked here.
    assert!(url.contains("X-Amz-Expires=900"), "{url}");
    assert!(
        url.contains(&format!("workspaces%2F{}%2Fexports", owner.workspace_id))
            || url.contains(&format!("workspaces/{}/exports", owner.workspace_id)),
        "under the workspace's prefix: {url}"
    );
    let link_ends: jiff::Timestamp = job["download"]["expires_at"].as_str().unwrap().parse().unwrap();
    let file_ends: jiff::Timestamp = job["expires_at"].as_str().unwrap().parse().unwrap();
    let created: jiff::Timestamp = job["created_at"].as_str().unwrap().parse().unwrap();
    assert!(link_ends <= file_ends);
    let kept = file_ends.as_second() - created.as_second();
    assert!((86_399..=86_400).contains(&kept), "the file is kept a day, not {kept} s");
}

#[tokio::test]
async fn what_cannot_be_exported_is_refused_with_every_reason() {
    let owner = signup("Export Refusals Co").await;
    let reply = owner
        .client()
        .post("/api/v1/exports", json!({"kind": "tickets", "format": "xlsx", "filters": {"colour": "red"}}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(reply.field_errors(), ["format", "filters.colour"]);
    let reply = owner.client().post("/api/v1/exports", json!({"kind": "everything"})).await.expect(422);
    assert_eq!(reply.field_errors(), ["kind"]);
    // A filter the list itself refuses is refused now, not in a failed job later.
    let reply = owner
        .client()
        .post("/api/v1/exports", json!({"kind": "tickets", "filters": {"priority": "whenever"}}))
        .await
        .expect(422);
    assert_eq!(reply.field_errors(), ["priority"]);
}

#[tokio::test]
async fn api_keys_cannot_export() {
    let owner = signup("Export Keys Co").await;
    let key = owner
        .client()
        .post("/api/v1/api-keys", json!({"name": "Exports", "scopes": ["customers:read"]}))
        .await
        .expect(201);
    let secret = key.body["secret"].as_str().expect("the key's secret");
    Client::new().with_token(secret).post("/api/v1/exports", json!({"kind": "customers"})).await.expect(403);
}
