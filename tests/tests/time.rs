//! Behaviour that needs time to pass, with the local stack's test-only clock control. A binary of its
//! own: moving the clock moves it for every test sharing the stack.

use serde_json::json;
use switchboard_tests::{Client, advance_clock, signup};

/// Tests here move the shared clock: one at a time, so none sees another's jump mid-way.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test]
async fn access_tokens_expire_and_refresh_tokens_carry_the_session_on() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let owner = signup("Time Co").await;
    owner.client().get("/api/v1/me").await.expect(200);

    // Access tokens live 15 minutes; the authorizer's cached answer (2 s here) must not outlive them.
    advance_clock(16 * 60).await;
    tokio::time::sleep(switchboard_tests::AUTHORIZER_TTL + std::time::Duration::from_millis(500)).await;
    owner.client().get("/api/v1/me").await.expect_problem(401, "unauthenticated");

    let refreshed =
        Client::new().post("/api/v1/auth/refresh", json!({"refresh_token": owner.refresh_token})).await.expect(200);
    let token = refreshed.body["access_token"].as_str().unwrap();
    Client::new().with_token(token).get("/api/v1/me").await.expect(200);

    // Sessions end 30 days after login, however often they refresh.
    advance_clock(31 * 86_400).await;
    Client::new()
        .post("/api/v1/auth/refresh", json!({"refresh_token": refreshed.body["refresh_token"]}))
        .await
        .expect_problem(401, "unauthenticated");
}

#[tokio::test]
async fn the_clock_only_moves_forward() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let reply = Client::new().post("/__local/clock", json!({"advance_seconds": -60})).await;
    assert_eq!(reply.status.as_u16(), 422);
}

#[tokio::test]
async fn sla_clocks_pause_while_pending_and_breach_when_time_runs_out() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let owner = signup("SLA Time Co").await;
    let client = owner.client();
    let policy =
        json!({"time_zone": "UTC", "targets": {"high": {"first_response_minutes": 60, "resolution_minutes": 240}}});
    client.put("/api/v1/sla/policy", policy).await.expect(200);
    let ticket = client
        .post(
            "/api/v1/tickets",
            json!({"subject": "Slow", "body": "b", "priority": "high", "customer": {"email": "s@example.com"}}),
        )
        .await
        .expect(201);
    let path = format!("/api/v1/tickets/{}", ticket.body["id"].as_str().unwrap());

    // Waiting on the customer stops the resolution clock.
    let version = ticket.body["version"].as_i64().unwrap();
    client.patch(&path, json!({"version": version, "status": "pending"})).await.expect(200);
    advance_clock(10 * 3600).await;
    let owner = switchboard_tests::login(&owner.email, None).await; // the old access token has expired
    let client = owner.client();
    let detail = client.get(&path).await.expect(200);
    let resolution = &detail.body["sla"]["resolution"];
    assert_eq!(resolution["paused"], true);
    assert_eq!(resolution["breached"], false, "paused time does not count: {resolution}");
    // The first response never pauses: it is breached by now.
    assert_eq!(detail.body["sla"]["first_response"]["breached"], true);

    // Reopened, the clock runs again and runs out.
    let version = detail.body["ticket"]["version"].as_i64().unwrap();
    client.patch(&path, json!({"version": version, "status": "open"})).await.expect(200);
    advance_clock(5 * 3600).await;
    let owner = switchboard_tests::login(&owner.email, None).await;
    let detail = owner.client().get(&path).await.expect(200);
    let resolution = &detail.body["sla"]["resolution"];
    assert_eq!(resolution["breached"], true, "{resolution}");
    assert!(resolution["remaining_business_seconds"].as_i64().unwrap() < 0);
}

#[tokio::test]
async fn a_crashed_client_drops_out_of_presence_within_the_ttl_and_claims_lapse_by_themselves() {
    use switchboard_tests::socket::Socket;
    let _turn = ONE_AT_A_TIME.lock().await;
    let owner = signup("Crash Co").await;
    let agent = switchboard_tests::add_member(&owner, "agent").await;
    let ticket = owner
        .client()
        .post("/api/v1/tickets", json!({"subject": "Lapse", "body": "x", "customer": {"email": "lapse@example.com"}}))
        .await
        .expect(201)
        .body;
    let ticket_id = ticket["id"].as_str().unwrap();
    let mut watcher = Socket::connect(&owner.access_token).await;
    // The agent's client claims for a minute, then goes silent without closing: a crashed tab.
    let mut crashed = Socket::connect(&agent.access_token).await;
    let claimed = crashed.request(json!({"action": "claim", "ticket_id": ticket_id, "minutes": 1})).await;
    assert_eq!(claimed["type"], "claimed", "{claimed}");
    let pong = watcher.request(json!({"action": "heartbeat"})).await;
    assert!(pong["online"].as_array().unwrap().contains(&json!(agent.user_id)));
    let held = watcher.request(json!({"action": "claim", "ticket_id": ticket_id})).await;
    assert_eq!(held["code"], "claim_held");

    // One presence TTL later only the heartbeating client is present, and the claim is free again.
    advance_clock(61).await;
    let pong = watcher.request(json!({"action": "heartbeat"})).await;
    assert_eq!(pong["online"], json!([owner.user_id]), "{pong}");
    watcher.expect(|f| f["type"] == "presence" && f["online"] == json!([owner.user_id])).await;
    let free = watcher.request(json!({"action": "claim", "ticket_id": ticket_id})).await;
    assert_eq!(free["type"], "claimed", "{free}");
    drop(crashed);
}

/// Events of `kind` in the ticket's timeline.
fn events_of(detail: &serde_json::Value, kind: &str) -> Vec<serde_json::Value> {
    detail["timeline"].as_array().unwrap().iter().filter(|event| event["type"] == kind).cloned().collect()
}

/// The SLA part of the ticket's inbox row, as the scan left it.
async fn inbox_sla(client: &Client, ticket_id: &str) -> serde_json::Value {
    let page = client.get("/api/v1/tickets").await.expect(200).body;
    let row = page["items"].as_array().unwrap().iter().find(|row| row["id"] == ticket_id).cloned();
    row.unwrap_or_else(|| panic!("{ticket_id} is not in the inbox: {page}"))["sla"].clone()
}

async fn radar(client: &Client, query: &str) -> serde_json::Value {
    client.get(&format!("/api/v1/sla/radar{query}")).await.expect(200).body
}

fn radar_ids(radar: &serde_json::Value) -> Vec<String> {
    radar["tickets"].as_array().unwrap().iter().map(|t| t["ticket_id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_scan_records_at_risk_and_breach_once_and_the_radar_follows() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let owner = signup("Radar Co").await;
    let client = owner.client();
    let policy = json!({"time_zone": "UTC", "targets": {
        "urgent": {"first_response_minutes": 60, "resolution_minutes": 480},
        "normal": {"first_response_minutes": 180, "resolution_minutes": 1440}}});
    client.put("/api/v1/sla/policy", policy).await.expect(200);
    let create = |subject: &str, priority: &str| json!({"subject": subject, "body": "b", "priority": priority, "customer": {"email": "radar@example.com"}});
    let urgent = client.post("/api/v1/tickets", create("Down", "urgent")).await.expect(201).body;
    let normal = client.post("/api/v1/tickets", create("Question", "normal")).await.expect(201).body;
    let (urgent_id, normal_id) = (urgent["id"].as_str().unwrap().to_owned(), normal["id"].as_str().unwrap().to_owned());

    // The watches are kept from the event stream: both tickets show up on the radar, due soon.
    let listed = switchboard_tests::eventually(std::time::Duration::from_secs(15), async || {
        radar(&client, "").await["counts"]["due_soon"] == 2
    })
    .await;
    assert!(listed, "both tickets on the radar: {}", radar(&client, "").await);
    let board = radar(&client, "").await;
    assert_eq!(radar_ids(&board), [urgent_id.as_str(), normal_id.as_str()], "least time left first");
    assert_eq!(board["tickets"][0]["state"], "on_track");
    assert_eq!(board["tickets"][0]["clock"], "first_response");
    assert_eq!(radar_ids(&radar(&client, "?priority=urgent").await), [urgent_id.as_str()]);
    assert_eq!(radar_ids(&radar(&client, "?within_minutes=90").await), [urgent_id.as_str()]);
    assert_eq!(radar_ids(&radar(&client, "?assignee=none").await).len(), 2);
    assert!(radar_ids(&radar(&client, "?assignee=me").await).is_empty());
    client.get("/api/v1/sla/radar?priority=soon&limit=0").await.expect_problem(422, "validation-failed");

    // 46 minutes in, the urgent ticket passed 75% of its first-response target: at risk, once.
    advance_clock(46 * 60).await;
    let report = switchboard_tests::run_schedule("SlaScanFunction").await;
    assert!(report["marks"].as_u64().unwrap() >= 1, "{report}");
    switchboard_tests::run_schedule("SlaScanFunction").await;
    let owner = switchboard_tests::login(&owner.email, None).await;
    let client = owner.client();
    let urgent_path = format!("/api/v1/tickets/{urgent_id}");
    let detail = client.get(&urgent_path).await.expect(200).body;
    let at_risk = events_of(&detail, "sla.at_risk");
    assert_eq!(at_risk.len(), 1, "recorded exactly once: {at_risk:?}");
    assert_eq!(at_risk[0]["after"]["clock"], "first_response");
    assert!(
        events_of(&client.get(&format!("/api/v1/tickets/{normal_id}")).await.expect(200).body, "sla.at_risk")
            .is_empty()
    );
    let board = radar(&client, "").await;
    assert_eq!(board["counts"]["at_risk"], 1, "{board}");
    assert_eq!(board["tickets"][0]["ticket_id"], urgent_id.as_str());
    assert_eq!(board["tickets"][0]["state"], "at_risk");
    assert_eq!(inbox_sla(&client, &urgent_id).await["state"], "at_risk", "the inbox row says so too");
    assert_eq!(inbox_sla(&client, &normal_id).await["state"], "running");

    // Past the hour: breached, once, and first on the radar with negative time left.
    advance_clock(15 * 60).await;
    switchboard_tests::run_schedule("SlaScanFunction").await;
    switchboard_tests::run_schedule("SlaScanFunction").await;
    let owner = switchboard_tests::login(&owner.email, None).await;
    let client = owner.client();
    let detail = client.get(&urgent_path).await.expect(200).body;
    assert_eq!(events_of(&detail, "sla.breached").len(), 1);
    assert_eq!(events_of(&detail, "sla.at_risk").len(), 1);
    let board = radar(&client, "").await;
    assert_eq!(board["counts"]["breached"], 1, "{board}");
    assert_eq!(board["tickets"][0]["state"], "breached");
    assert!(board["tickets"][0]["seconds_left"].as_i64().unwrap() < 0);
    let row = inbox_sla(&client, &urgent_id).await;
    assert_eq!(row["state"], "breached", "{row}");
    assert_eq!(row["due_at"], board["tickets"][0]["due"], "the moment it ran out");

    // The late reply meets the clock (counted as breached, not met); the ticket leaves the
    // first-response part of the radar, its resolution clock still runs.
    client.post(&format!("{urgent_path}/messages"), json!({"body": "On it"})).await.expect(201);
    let moved = switchboard_tests::eventually(std::time::Duration::from_secs(15), async || {
        let board = radar(&client, "?priority=urgent&within_minutes=600").await;
        board["tickets"][0]["clock"] == "resolution" && board["counts"]["breached"] == 0
    })
    .await;
    assert!(moved, "{}", radar(&client, "?priority=urgent&within_minutes=600").await);
    // Written with the same watch: the row now shows the resolution clock running.
    assert_eq!(inbox_sla(&client, &urgent_id).await["state"], "running");
    // Seven hours of resolution left: beyond the default look-ahead of four.
    assert!(radar_ids(&radar(&client, "?priority=urgent").await).is_empty());
    let compliance = switchboard_tests::eventually(std::time::Duration::from_secs(15), async || {
        let report = client.get("/api/v1/reports/sla").await.expect(200).body;
        report["first_response"]["overall"]["breached"] == 1
    })
    .await;
    let report = client.get("/api/v1/reports/sla").await.expect(200).body;
    assert!(compliance, "{report}");
    assert_eq!(report["first_response"]["overall"]["met"], 0);
    assert_eq!(report["first_response"]["by_priority"]["urgent"]["breached"], 1);
    assert_eq!(report["first_response"]["by_agent"]["unassigned"]["breached"], 1);
    assert_eq!(report["first_response"]["compliance"], 0.0);

    // Another workspace sees none of it.
    let stranger = signup("Other Radar Co").await;
    let theirs = radar(&stranger.client(), "").await;
    assert!(radar_ids(&theirs).is_empty(), "{theirs}");
}

#[tokio::test]
async fn a_scan_cut_short_or_run_twice_at_once_records_each_moment_exactly_once() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let owner = signup("Crash Co").await;
    let client = owner.client();
    let policy = json!({"time_zone": "UTC", "targets": {"high": {"first_response_minutes": 30}}});
    client.put("/api/v1/sla/policy", policy).await.expect(200);
    let mut ids = Vec::new();
    for index in 0..12 {
        let body = json!({"subject": format!("T{index}"), "body": "b", "priority": "high",
            "customer": {"email": "crash@example.com"}});
        ids.push(client.post("/api/v1/tickets", body).await.expect(201).body["id"].as_str().unwrap().to_owned());
    }
    let watched = switchboard_tests::eventually(std::time::Duration::from_secs(20), async || {
        radar(&client, "").await["counts"]["due_soon"] == 12
    })
    .await;
    assert!(watched, "{}", radar(&client, "").await);

    advance_clock(31 * 60).await;
    // A run that stops after a few watches (as if it crashed), then two full runs at the same time.
    let app = switchboard_tests::stack().app;
    let options = shared::services::sla_watch::ScanOptions { max_watches: Some(3) };
    let partial = shared::services::sla_watch::scan(app, options).await.unwrap();
    assert!(partial.due <= 3 + 8, "a bounded run stops early: {partial:?}");
    let (first, second) = tokio::join!(
        switchboard_tests::run_schedule("SlaScanFunction"),
        switchboard_tests::run_schedule("SlaScanFunction")
    );
    assert_eq!(first["failed"], 0);
    assert_eq!(second["failed"], 0);

    let owner = switchboard_tests::login(&owner.email, None).await;
    let client = owner.client();
    for id in &ids {
        let detail = client.get(&format!("/api/v1/tickets/{id}")).await.expect(200).body;
        assert_eq!(
            events_of(&detail, "sla.breached").len(),
            1,
            "ticket {id}: {:?}",
            events_of(&detail, "sla.breached")
        );
    }
    assert_eq!(radar(&client, "").await["counts"]["breached"], 12);
}

#[tokio::test]
async fn a_late_reply_before_any_scan_is_still_a_breach() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let owner = signup("Late Reply Co").await;
    let client = owner.client();
    let policy = json!({"time_zone": "UTC", "targets": {"high": {"first_response_minutes": 30}}});
    client.put("/api/v1/sla/policy", policy).await.expect(200);
    let body = json!({"subject": "Late", "body": "b", "priority": "high", "customer": {"email": "late@example.com"}});
    let id = client.post("/api/v1/tickets", body).await.expect(201).body["id"].as_str().unwrap().to_owned();
    let watched = switchboard_tests::eventually(std::time::Duration::from_secs(15), async || {
        radar(&client, "").await["counts"]["due_soon"] == 1
    })
    .await;
    assert!(watched);

    // Forty minutes later the agent replies; no scan ran in between.
    advance_clock(40 * 60).await;
    let owner = switchboard_tests::login(&owner.email, None).await;
    let client = owner.client();
    client.post(&format!("/api/v1/tickets/{id}/messages"), json!({"body": "Sorry for the wait"})).await.expect(201);
    let recorded = switchboard_tests::eventually(std::time::Duration::from_secs(15), async || {
        let detail = client.get(&format!("/api/v1/tickets/{id}")).await.expect(200).body;
        events_of(&detail, "sla.met").len() == 1
    })
    .await;
    assert!(recorded);
    let detail = client.get(&format!("/api/v1/tickets/{id}")).await.expect(200).body;
    let breached = events_of(&detail, "sla.breached");
    assert_eq!(breached.len(), 1, "the breach is recorded even though no scan saw it");
    assert_eq!(breached[0]["after"]["counted"], true);
    assert_eq!(events_of(&detail, "sla.met")[0]["after"]["within_target"], false);
    let counted = switchboard_tests::eventually(std::time::Duration::from_secs(15), async || {
        let report = client.get("/api/v1/reports/sla").await.expect(200).body;
        report["first_response"]["overall"]["breached"] == 1
    })
    .await;
    let report = client.get("/api/v1/reports/sla").await.expect(200).body;
    assert!(counted, "{report}");
    assert_eq!(report["first_response"]["overall"]["met"], 0, "counted once, as breached");
}

#[tokio::test]
async fn announcements_never_uploaded_give_their_reserved_bytes_back_after_an_hour() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let owner = signup("Lapsing Co").await;
    let big = 25 * 1024 * 1024_u64;
    let announce = async |client: &Client, ticket: &str, size: u64| {
        client
            .post(
                &format!("/api/v1/tickets/{ticket}/attachments"),
                json!({"filename": "scan.pdf", "content_type": "application/pdf", "size": size}),
            )
            .await
    };
    let mut tickets = Vec::new();
    for _ in 0..3 {
        let body = json!({"subject": "Scans", "body": "Attached", "customer": {"email": "scanner@example.com"}});
        tickets.push(
            owner.client().post("/api/v1/tickets", body).await.expect(201).body["id"].as_str().unwrap().to_owned(),
        );
    }
    for ticket in &tickets[..2] {
        for _ in 0..20 {
            announce(&owner.client(), ticket, big).await.expect(201);
        }
    }
    // The free plan's 1 GiB holds 40 reservations of 25 MiB and not a 41st, while they are fresh.
    announce(&owner.client(), &tickets[2], big).await.expect_problem(402, "plan-limit-reached");

    advance_clock(61 * 60).await;
    let owner = switchboard_tests::login(&owner.email, None).await;
    announce(&owner.client(), &tickets[2], big).await.expect(201);
    let me = owner.client().get("/api/v1/me").await.expect(200);
    assert_eq!(me.body["plan"]["usage"]["storage_bytes"], big, "the lapsed reservations were given back");
}

#[tokio::test]
async fn sla_moments_notify_the_tickets_assignee_once_each() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let owner = signup("SLA notify").await;
    let agent = switchboard_tests::add_member(&owner, "agent").await;
    let client = owner.client();
    let policy =
        json!({"time_zone": "UTC", "targets": {"urgent": {"first_response_minutes": 60, "resolution_minutes": 480}}});
    client.put("/api/v1/sla/policy", policy).await.expect(200);
    let ticket = client
        .post("/api/v1/tickets", json!({"subject": "Down", "body": "b", "priority": "urgent", "customer": {"email": "sla-notify@example.com"}}))
        .await
        .expect(201)
        .body;
    let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());
    client.patch(&path, json!({"version": 1, "assignee_id": agent.user_id})).await.expect(200);
    let kinds = async |member: &switchboard_tests::Member| -> Vec<String> {
        let me = switchboard_tests::login(&member.email, Some(&member.workspace_id)).await;
        let list = me.client().get("/api/v1/me/notifications").await.expect(200).body;
        list["items"].as_array().unwrap().iter().map(|item| item["kind"].as_str().unwrap().to_owned()).collect()
    };
    let assigned = switchboard_tests::eventually(std::time::Duration::from_secs(15), async || {
        kinds(&agent).await == ["ticket_assigned"]
    })
    .await;
    assert!(assigned, "the assignment first: {:?}", kinds(&agent).await);

    advance_clock(46 * 60).await;
    switchboard_tests::run_schedule("SlaScanFunction").await;
    advance_clock(15 * 60).await;
    switchboard_tests::run_schedule("SlaScanFunction").await;
    switchboard_tests::run_schedule("SlaScanFunction").await;
    let both =
        switchboard_tests::eventually(std::time::Duration::from_secs(15), async || kinds(&agent).await.len() == 3)
            .await;
    assert!(both, "{:?}", kinds(&agent).await);
    assert_eq!(kinds(&agent).await, ["sla_breached", "sla_at_risk", "ticket_assigned"]);
    let agent_now = switchboard_tests::login(&agent.email, Some(&agent.workspace_id)).await;
    let list = agent_now.client().get("/api/v1/me/notifications").await.expect(200).body;
    assert_eq!(list["unread"], 3);
    assert_eq!(list["items"][0]["ticket_id"], ticket["id"]);
    assert_eq!(list["items"][0]["data"]["clock"], "first_response");
    assert!(kinds(&owner).await.is_empty(), "the owner's ticket is not theirs");
}

#[tokio::test]
async fn a_locked_account_waits_longer_after_each_further_failure_and_the_lock_lapses() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let owner = signup("Backoff Co").await;
    let attempt = |password: &'static str| {
        let email = owner.email.clone();
        async move { Client::new().post("/api/v1/auth/login", json!({"email": email, "password": password})).await }
    };
    let wait = |reply: &switchboard_tests::Reply| -> i64 {
        reply.headers.get("retry-after").unwrap().to_str().unwrap().parse().unwrap()
    };
    for _ in 0..5 {
        attempt("not the password").await.expect(401);
    }
    let first = wait(&attempt(switchboard_tests::PASSWORD).await.expect(429));
    assert!(first <= 30, "{first}");
    // The lock lapses; the next failure locks for twice as long, the one after for twice that.
    advance_clock(31).await;
    attempt("not the password").await.expect(401);
    let second = wait(&attempt("not the password").await.expect(429));
    assert!(second > 30 && second <= 60, "{second}");
    advance_clock(61).await;
    attempt("not the password").await.expect(401);
    let third = wait(&attempt("not the password").await.expect(429));
    assert!(third > 60 && third <= 120, "{third}");
    // Once it lapses the right password gets in, and the count starts again.
    advance_clock(121).await;
    attempt(switchboard_tests::PASSWORD).await.expect(200);
    attempt("not the password").await.expect(401);
    attempt(switchboard_tests::PASSWORD).await.expect(200);
}

/// The support report's scripted day: tickets by e-mail and one an agent opened, replies, waits,
/// holds, solves and a reopen, with the clock moved between the steps.
mod support_day {
    use super::ONE_AT_A_TIME;
    use reqwest::Method;
    use serde_json::{Value, json};
    use switchboard_tests::{Client, Member, add_member, advance_clock, eventually, login, signup, unique_email};

    /// Signs in again after the clock moved past the access token's life.
    async fn fresh(member: &Member) -> Client {
        login(&member.email, Some(&member.workspace_id)).await.client()
    }

    async fn at_minute(now: &mut i64, minute: i64) {
        advance_clock((minute - *now) * 60).await;
        *now = minute;
    }

    /// A customer's e-mail opening a ticket (the multipart fixture); its id.
    async fn emailed(owner: &Member) -> String {
        let settings = owner.client().get("/api/v1/settings/email").await.expect(200);
        let to = settings.body["forwarding_address"].as_str().unwrap().to_owned();
        let path = format!("{}/fixtures/mail/multipart-alternative.eml", env!("CARGO_MANIFEST_DIR"));
        let mut raw = String::from_utf8(std::fs::read(path).unwrap()).unwrap();
        let message_id = format!("{}@mail.example.com", uuid::Uuid::new_v4().simple());
        for (field, value) in [("FROM", unique_email("requester")), ("TO", to), ("MESSAGE_ID", message_id)] {
            raw = raw.replace(&format!("{{{{{field}}}}}"), &value);
        }
        let reply =
            Client::new().send_raw(Method::POST, "/__local/inbound-email", "message/rfc822", raw.into_bytes()).await;
        let outcome = reply.expect(200).body["handled"][0]["result"][0]["outcomes"][0].clone();
        assert_eq!(outcome["outcome"], "opened", "{outcome}");
        outcome["ticket_id"].as_str().unwrap().to_owned()
    }

    async fn change(client: &Client, ticket: &str, fields: Value) {
        let path = format!("/api/v1/tickets/{ticket}");
        let version = client.get(&path).await.expect(200).body["ticket"]["version"].clone();
        let mut body = fields;
        body["version"] = version;
        client.patch(&path, body).await.expect(200);
    }

    async fn say(client: &Client, ticket: &str, author: &str) {
        let body = json!({"body": "Noted", "internal": false, "author": author});
        client.post(&format!("/api/v1/tickets/{ticket}/messages"), body).await.expect(201);
    }

    /// Within the sketch's 1% and the few real seconds the script itself takes between two steps.
    fn close(actual: &Value, expected_minutes: f64) -> bool {
        let (actual, expected) = (actual.as_f64().unwrap_or(f64::NAN), expected_minutes * 60.0);
        (actual - expected).abs() <= expected * 0.01 + 15.0
    }

    #[tokio::test]
    async fn a_scripted_day_gives_the_counts_and_times_expected() {
        let _turn = ONE_AT_A_TIME.lock().await;
        let owner = signup("Support Day Co").await;
        let agent = add_member(&owner, "agent").await;
        // Open around the clock, so business time equals calendar time and is reported.
        let policy = json!({"time_zone": "UTC", "targets": {"normal": {"first_response_minutes": 100}}});
        owner.client().put("/api/v1/sla/policy", policy).await.expect(200);
        let mut now = 0;

        // Minute 0: three e-mailed tickets; A assigned to the agent; C opened by the agent for a caller.
        let (a, b, d) = (emailed(&owner).await, emailed(&owner).await, emailed(&owner).await);
        change(&owner.client(), &a, json!({"assignee_id": agent.user_id})).await;
        let c = agent
            .client()
            .post(
                "/api/v1/tickets",
                json!({"subject": "Phone call", "body": "Called in", "customer": {"email": unique_email("caller")}}),
            )
            .await
            .expect(201)
            .body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        change(&agent.client(), &c, json!({"assignee_id": agent.user_id})).await;

        // 30: the agent answers A and waits on the requester; writes on C (its opening reply).
        at_minute(&mut now, 30).await;
        let by_agent = fresh(&agent).await;
        say(&by_agent, &a, "agent").await;
        change(&by_agent, &a, json!({"status": "pending"})).await;
        say(&by_agent, &c, "agent").await;
        // 60: the owner answers B and solves it (one touch); D goes on hold.
        at_minute(&mut now, 60).await;
        let by_owner = fresh(&owner).await;
        say(&by_owner, &b, "agent").await;
        change(&by_owner, &b, json!({"status": "solved"})).await;
        change(&by_owner, &d, json!({"status": "on_hold"})).await;
        // 90: A's requester answers (pending → open).
        at_minute(&mut now, 90).await;
        say(&fresh(&owner).await, &a, "customer").await;
        // 120: the agent answers and solves A; D is solved without a reply (one touch).
        at_minute(&mut now, 120).await;
        let by_agent = fresh(&agent).await;
        say(&by_agent, &a, "agent").await;
        change(&by_agent, &a, json!({"status": "solved"})).await;
        change(&fresh(&owner).await, &d, json!({"status": "solved"})).await;
        // 150: A's requester writes again: reopened.
        at_minute(&mut now, 150).await;
        say(&fresh(&owner).await, &a, "customer").await;
        // 180: the agent solves A again, and gives C its first real reply.
        at_minute(&mut now, 180).await;
        let by_agent = fresh(&agent).await;
        change(&by_agent, &a, json!({"status": "solved"})).await;
        say(&by_agent, &c, "agent").await;

        let owner_client = fresh(&owner).await;
        let (mut report, mut sla) = (json!(null), json!(null));
        // SLA outcomes reach the support report from the same events, possibly after the counts: wait
        // until both reports agree as well.
        let arrived = eventually(std::time::Duration::from_secs(90), async || {
            report = owner_client.get("/api/v1/reports/support?breakdown=agent").await.expect(200).body;
            sla = owner_client.get("/api/v1/reports/sla").await.expect(200).body;
            report["totals"]["solved"] == 4
                && report["totals"]["replies"] == 5
                && report["totals"]["sla_first_response"]["met"] == sla["first_response"]["overall"]["met"]
        })
        .await;
        assert!(arrived, "the report never caught up: {}", report["totals"]);
        let totals = &report["totals"];
        assert_eq!(totals["created"], 4, "{totals}");
        assert_eq!(totals["reopened"], 1);
        assert_eq!(totals["one_touch"], 2, "B with one reply, D with none");
        assert_eq!(totals["one_touch_rate"], 0.5);
        assert_eq!(totals["reopen_rate"], 0.25);
        assert_eq!(report["backlog_end"], 1, "C is still open");
        assert_eq!(report["days"].as_array().unwrap().len(), 30);

        let times = &totals["times"];
        let expect = |metric: &str, count: u64, average: f64, median: f64| {
            for clock in ["calendar", "business"] {
                let stats = &times[metric][clock];
                assert_eq!(stats["count"], count, "{metric} {clock}: {stats}");
                assert!(close(&stats["average_seconds"], average), "{metric} {clock} average: {stats}");
                assert!(close(&stats["median_seconds"], median), "{metric} {clock} median: {stats}");
            }
        };
        // First reply: A 30, B 60, C 180 (opened by an agent: its second public agent reply).
        expect("first_reply", 3, 90.0, 60.0);
        // First resolution: A 120, B 60, D 120. Full resolution: A 120 and 180, B 60, D 120.
        expect("first_resolution", 3, 100.0, 120.0);
        expect("full_resolution", 4, 120.0, 120.0);
        // Requester wait (new, open, on hold): A 60 then 90, B 60, D 120. Agent wait: A 60 and 60.
        expect("requester_wait", 4, 82.5, 60.0);
        expect("agent_wait", 4, 30.0, 0.0);
        expect("on_hold", 4, 15.0, 0.0);
        // The 90th percentile of three is the value at rank ⌊0.9 · 2⌋ = 1 of the sorted three: 60.
        assert!(close(&times["first_reply"]["calendar"]["p90_seconds"], 60.0), "{}", times["first_reply"]);

        // SLA outcomes are the SLA compliance report's, joined in (that report is UTC days; so is this
        // workspace): the first responses met within 100 minutes, none breached.
        let first_response = &sla["first_response"];
        assert!(first_response["overall"]["met"].as_i64().unwrap() >= 2, "{first_response}");
        assert_eq!(totals["sla_first_response"]["met"], first_response["overall"]["met"], "{first_response}");
        assert_eq!(totals["sla_first_response"]["breached"], 0);

        // Per agent: the agent holds A (solved twice, reopened once) and C; the owner wrote B's reply.
        let rows = report["breakdown"]["rows"].as_array().unwrap();
        let row = |value: &str| rows.iter().find(|row| row["value"] == value).map(|row| row["figures"].clone());
        let theirs = row(&agent.user_id).expect("the agent's row");
        assert_eq!(
            (theirs["solved"].clone(), theirs["reopened"].clone(), theirs["replies"].clone()),
            (json!(2), json!(1), json!(4))
        );
        assert_eq!(theirs["times"]["first_reply"]["calendar"]["count"], 2, "A and C");
        let unassigned = row("unassigned").expect("B and D");
        assert_eq!((unassigned["solved"].clone(), unassigned["one_touch"].clone()), (json!(2), json!(2)));
        assert_eq!(row(&owner.user_id).expect("the owner's reply")["replies"], 1);

        let leaderboard = owner_client.get("/api/v1/reports/agents").await.expect(200).body;
        let agents = leaderboard["agents"].as_array().unwrap();
        let mine = agents.iter().find(|row| row["user_id"] == agent.user_id.as_str()).unwrap();
        assert_eq!(agents[0]["user_id"], agent.user_id.as_str(), "most solved first");
        assert_eq!(
            (mine["solved"].clone(), mine["replies"].clone(), mine["open_assigned"].clone()),
            (json!(2), json!(4), json!(1))
        );
        assert!(close(&mine["first_reply"]["calendar"]["average_seconds"], 105.0), "{mine}");
        assert_eq!(mine["sla_first_response"]["met"], first_response["by_agent"][agent.user_id.as_str()]["met"]);
        // The agent sees their own row only.
        let own = fresh(&agent).await.get("/api/v1/reports/agents").await.expect(200).body;
        assert_eq!(own["agents"].as_array().unwrap().len(), 1);
        assert_eq!(own["agents"][0]["user_id"], agent.user_id.as_str());
        assert_eq!(own["agents"][0]["solved"], 2);
    }
}

#[tokio::test]
async fn a_past_due_workspace_is_suspended_when_its_grace_ends_and_payment_brings_it_back() {
    use shared::domain::standing::{DEFAULT_GRACE, PaymentSignal};
    let _turn = ONE_AT_A_TIME.lock().await;
    let owner = signup("Grace Co").await;
    let workspace = owner.workspace_id.parse().unwrap();
    let app = switchboard_tests::stack().app;
    // What the Stripe event worker does on invoice.payment_failed.
    let past_due =
        shared::services::standing::apply_payment(app, workspace, PaymentSignal::PastDue, DEFAULT_GRACE).await.unwrap();
    assert!(past_due.grace_until().is_some(), "{past_due:?}");
    owner.client().get("/api/v1/tickets").await.expect(200);

    // A day before the deadline the scan leaves it alone; past it, the scan suspends it.
    advance_clock(6 * 86_400).await;
    switchboard_tests::run_schedule("SlaScanFunction").await;
    let member = switchboard_tests::login(&owner.email, Some(&owner.workspace_id)).await;
    member.client().get("/api/v1/tickets").await.expect(200);
    advance_clock(86_400 + 60).await;
    switchboard_tests::run_schedule("SlaScanFunction").await;
    let member = switchboard_tests::login(&owner.email, Some(&owner.workspace_id)).await;
    let refused = member.client().get("/api/v1/tickets").await.expect_problem(403, "workspace-suspended");
    assert_eq!(refused.body["reason"], "payment");

    // What the worker does on invoice.paid: active again, nothing lost.
    let paid =
        shared::services::standing::apply_payment(app, workspace, PaymentSignal::Paid, DEFAULT_GRACE).await.unwrap();
    assert_eq!(paid, shared::domain::standing::Standing::Active);
    // Reactivation, like suspension, reaches requests within the authorizer's cache time.
    let restored = switchboard_tests::eventually(std::time::Duration::from_secs(90), async || {
        let member = switchboard_tests::login(&owner.email, Some(&owner.workspace_id)).await;
        member.client().get("/api/v1/tickets").await.status.as_u16() == 200
    })
    .await;
    assert!(restored, "the paid workspace works again");
}

#[tokio::test]
async fn volume_and_sla_reports_count_their_days_in_the_workspace_time_zone() {
    let _turn = ONE_AT_A_TIME.lock().await;
    // Move the clock to the next 23:30 UTC: half past midnight of the next day in Berlin.
    let now: jiff::Timestamp =
        Client::new().get("/__local/clock").await.expect(200).body["now"].as_str().unwrap().parse().unwrap();
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let mut late_evening = today.at(23, 30, 0, 0).to_zoned(jiff::tz::TimeZone::UTC).unwrap().timestamp();
    if late_evening <= now {
        late_evening = late_evening.checked_add(jiff::SignedDuration::from_hours(24)).unwrap();
    }
    let seconds = late_evening.duration_since(now).as_secs();
    if seconds > 0 {
        advance_clock(seconds).await;
    }
    let utc_day = late_evening.to_zoned(jiff::tz::TimeZone::UTC).date();
    let berlin_day = utc_day.tomorrow().unwrap();

    let owner = signup("Night Shift Co").await;
    let client = owner.client();
    client.put("/api/v1/settings/reports", json!({"time_zone": "Europe/Berlin"})).await.expect(200);
    let policy = json!({"time_zone": "UTC", "targets": {"normal": {"first_response_minutes": 60}}});
    client.put("/api/v1/sla/policy", policy).await.expect(200);
    let ticket = client
        .post("/api/v1/tickets", json!({"subject": "Late", "body": "b", "customer": {"email": "late@example.com"}}))
        .await
        .expect(201);
    let id = ticket.body["id"].as_str().unwrap();
    client
        .post(&format!("/api/v1/tickets/{id}/messages"), json!({"body": "On it", "internal": false}))
        .await
        .expect(201);

    let range = format!("from={utc_day}&to={berlin_day}");
    let (mut volume, mut sla) = (json!(null), json!(null));
    let arrived = switchboard_tests::eventually(std::time::Duration::from_secs(30), async || {
        volume = client.get(&format!("/api/v1/reports/tickets/daily?{range}")).await.expect(200).body;
        sla = client.get(&format!("/api/v1/reports/sla?{range}")).await.expect(200).body;
        volume["days"][1]["agent_replies"] == 1 && sla["first_response"]["overall"]["met"] == 1
    })
    .await;
    assert!(arrived, "the reports never caught up: {volume} {sla}");
    assert_eq!(volume["time_zone"], "Europe/Berlin");
    assert_eq!(volume["days"][1]["date"], berlin_day.to_string());
    assert_eq!(volume["days"][1]["tickets_created"], 1, "{volume}");
    assert_eq!(volume["days"][0]["tickets_created"], 0, "not on the UTC date: {volume}");
    assert_eq!(sla["time_zone"], "Europe/Berlin");
    assert_eq!(
        (sla["days"][0]["first_response"]["met"].clone(), sla["days"][1]["first_response"]["met"].clone()),
        (json!(0), json!(1))
    );
    // Today is the Berlin date already: the default range ends there.
    let default = client.get("/api/v1/reports/tickets/daily").await.expect(200).body;
    assert_eq!(default["to"], berlin_day.to_string());
}

#[tokio::test]
async fn online_time_counts_presence_within_the_ttl_and_reaches_the_leaderboard() {
    use switchboard_tests::socket::Socket;
    let _turn = ONE_AT_A_TIME.lock().await;
    let owner = signup("Online Co").await;
    let agent = switchboard_tests::add_member(&owner, "agent").await;
    // Connected, then three heartbeats 20 s apart: a minute online.
    let mut socket = Socket::connect(&agent.access_token).await;
    for _ in 0..3 {
        advance_clock(20).await;
        let pong = socket.request(json!({"action": "heartbeat"})).await;
        assert_eq!(pong["type"], "pong", "{pong}");
    }
    // Two minutes without a heartbeat: out of presence, none of it counts.
    advance_clock(120).await;
    socket.request(json!({"action": "heartbeat"})).await;
    // Ten seconds more, then the tab closes: online until it did.
    advance_clock(10).await;
    socket.close().await;

    let mut seconds = 0;
    let counted = switchboard_tests::eventually(std::time::Duration::from_secs(30), async || {
        let board = owner.client().get("/api/v1/reports/agents").await.expect(200).body;
        let row =
            board["agents"].as_array().unwrap().iter().find(|row| row["user_id"] == agent.user_id.as_str()).cloned();
        seconds = row.map_or(0, |row| row["online_seconds"].as_i64().unwrap());
        seconds >= 70
    })
    .await;
    assert!(counted, "the leaderboard never showed the online time: {seconds}");
    // 70 s moved on the clock, plus the real seconds the steps took; the unheard two minutes are out.
    assert!(seconds < 100, "{seconds}");
    let board = owner.client().get("/api/v1/reports/agents").await.expect(200).body;
    let mine = board["agents"].as_array().unwrap().iter().find(|row| row["user_id"] == owner.user_id.as_str()).unwrap();
    assert_eq!(mine["online_seconds"], 0, "the owner never connected");
}

/// Stripe's events drive the standing end to end: a failed payment starts the grace, the deadline
/// suspends the workspace (clock moved past it), and the paid invoice brings it back.
#[tokio::test]
async fn a_failed_payment_suspends_after_the_grace_and_paying_reactivates() {
    use switchboard_tests::stripe::{deliver_and_settle, event, invoice, now, subscribed};
    let _turn = ONE_AT_A_TIME.lock().await;
    let owner = signup("Stripe Grace Co").await;
    let (_, _, session) = subscribed(&owner).await;

    let failed = now();
    deliver_and_settle(&event(
        "invoice.payment_failed",
        failed,
        invoice(&session, "in_grace_1", "open", failed, 2_900),
    ))
    .await;
    let billing = owner.client().get("/api/v1/billing").await.expect(200).body;
    assert_eq!(billing["standing"]["status"], "past_due", "{billing}");
    assert_eq!(billing["invoices"][0]["status"], "open");
    owner.client().get("/api/v1/tickets").await.expect(200);

    // Past the 7 days of grace the scan suspends it.
    advance_clock(7 * 86_400 + 60).await;
    switchboard_tests::run_schedule("SlaScanFunction").await;
    let member = switchboard_tests::login(&owner.email, Some(&owner.workspace_id)).await;
    let refused = member.client().get("/api/v1/tickets").await.expect_problem(403, "workspace-suspended");
    assert_eq!(refused.body["reason"], "payment");

    // Paid (the event signed and created on the moved clock): active again, nothing lost.
    let paid = now();
    deliver_and_settle(&event("invoice.paid", paid, invoice(&session, "in_grace_1", "paid", failed, 2_900))).await;
    let restored = switchboard_tests::eventually(std::time::Duration::from_secs(90), async || {
        let member = switchboard_tests::login(&owner.email, Some(&owner.workspace_id)).await;
        member.client().get("/api/v1/tickets").await.status.as_u16() == 200
    })
    .await;
    assert!(restored, "the paid workspace works again");
    let member = switchboard_tests::login(&owner.email, Some(&owner.workspace_id)).await;
    let billing = member.client().get("/api/v1/billing").await.expect(200).body;
    assert_eq!(billing["standing"]["status"], "active", "{billing}");
    assert_eq!(billing["invoices"][0]["status"], "paid");
    assert_eq!(billing["invoices"].as_array().unwrap().len(), 1, "one invoice, its state moved on");
}

#[tokio::test]
async fn an_export_expires_with_its_file_a_day_after_it_was_made() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let owner = signup("Expiring Export Co").await;
    let job = owner.client().post("/api/v1/exports", json!({"kind": "customers"})).await.expect(202).body;
    let path = format!("/api/v1/exports/{}", job["id"].as_str().unwrap());
    let ready = switchboard_tests::eventually(std::time::Duration::from_secs(60), async || {
        owner.client().get(&path).await.expect(200).body["status"] == "ready"
    })
    .await;
    assert!(ready, "the export was never written");

    // The bucket's lifecycle rule deletes the file after a day; from then on the job says so.
    advance_clock(25 * 3600).await;
    let refreshed =
        Client::new().post("/api/v1/auth/refresh", json!({"refresh_token": owner.refresh_token})).await.expect(200);
    let token = refreshed.body["access_token"].as_str().unwrap();
    let expired = Client::new().with_token(token).get(&path).await.expect(200).body;
    assert_eq!(expired["status"], "expired");
    assert!(expired["download"].is_null(), "no link to a file that is gone: {expired}");
}
