//! Activities on leads, customers and deals (calls, meetings, tasks, e-mails with a due date), and a
//! member's tasks: logging and listing, refusals naming the field, stale versions, who may change
//! what, isolation between workspaces, the record's timeline, and the sales report's counts per rep.

use std::time::Duration;

use serde_json::{Value, json};
use switchboard_tests::{Client, Member, add_member, eventually, signup, unique_email};

const TASKS: &str = "/api/v1/me/tasks";

fn id(value: &Value) -> &str {
    value["id"].as_str().expect("an id")
}

async fn new_lead(client: &Client) -> String {
    let lead = client.post("/api/v1/leads", json!({"name": "Ada Prospect", "email": unique_email("act")})).await;
    format!("/api/v1/leads/{}", id(&lead.expect(201).body))
}

async fn new_customer(client: &Client) -> String {
    let customer = client.post("/api/v1/customers", json!({"email": unique_email("act"), "name": "Acme"})).await;
    format!("/api/v1/customers/{}", id(&customer.expect(201).body))
}

async fn new_deal(client: &Client) -> String {
    let deal = client.post("/api/v1/deals", json!({"title": "Acme renewal", "value": 100, "currency": "EUR"})).await;
    format!("/api/v1/deals/{}", id(&deal.expect(201).body))
}

fn activity_path(activity: &Value) -> String {
    format!("/api/v1/activities/{}", id(activity))
}

fn subjects(list: &Value) -> Vec<&str> {
    list["items"].as_array().unwrap().iter().map(|item| item["subject"].as_str().unwrap()).collect()
}

/// Moves the workspace to a plan with seats for a whole sales team (as billing would).
async fn with_seats_for_a_team(owner: &Member) {
    let principal = shared::auth::MemberPrincipal::for_tests(
        owner.workspace_id.parse().unwrap(),
        owner.user_id.parse().unwrap(),
        shared::domain::rbac::Role::Owner,
    );
    local_stack::seed::raise_plan(switchboard_tests::stack().app, &principal).await.expect("raising the plan");
}

#[tokio::test]
async fn activities_are_logged_on_every_kind_of_record_and_listed_newest_first() {
    let owner = signup("Activities Co").await;
    let client = owner.client();
    for (record, kind, name) in [
        (new_lead(&client).await, "lead", "Ada Prospect"),
        (new_customer(&client).await, "customer", "Acme"),
        (new_deal(&client).await, "deal", "Acme renewal"),
    ] {
        let activities = format!("{record}/activities");
        assert_eq!(client.get(&activities).await.expect(200).body["items"], json!([]));
        let call = client
            .post(&activities, json!({"kind": "call", "subject": "  Intro call ", "done": true}))
            .await
            .expect(201)
            .body;
        let record_id = record.rsplit('/').next().unwrap();
        assert_eq!(call["record"], format!("{kind}#{record_id}"));
        assert_eq!((&call["record_kind"], &call["record_id"]), (&json!(kind), &json!(record_id)));
        assert_eq!(call["record_name"], name);
        assert_eq!(call["subject"], "Intro call", "trimmed");
        assert_eq!((&call["assignee_id"], &call["author_id"]), (&json!(owner.user_id), &json!(owner.user_id)));
        assert_eq!(call["done"], true);
        assert!(call["done_at"].is_string(), "logged done: {call}");
        assert_eq!(call["version"], 1);
        let task = client
            .post(
                &activities,
                json!({"kind": "task", "subject": "Follow up Tuesday", "due_at": "2030-01-08T09:00:00Z"}),
            )
            .await
            .expect(201)
            .body;
        assert_eq!((&task["done"], &task["done_at"]), (&json!(false), &json!(null)));
        assert_eq!(task["due_at"], "2030-01-08T09:00:00Z");
        let list = client.get(&activities).await.expect(200).body;
        assert_eq!(subjects(&list), ["Follow up Tuesday", "Intro call"], "newest logged first");
        let page = client.get(&format!("{activities}?limit=1")).await.expect(200).body;
        let cursor = page["next_cursor"].as_str().expect("a second page");
        let rest = client.get(&format!("{activities}?limit=1&cursor={cursor}")).await.expect(200).body;
        assert_eq!(subjects(&rest), ["Intro call"]);
    }
}

#[tokio::test]
async fn bad_activities_are_refused_naming_the_field_and_nothing_is_written() {
    let owner = signup("Activity Rules").await;
    let client = owner.client();
    let lead = new_lead(&client).await;
    let activities = format!("{lead}/activities");
    let bad = client
        .post(&activities, json!({"kind": "lunch", "subject": "   ", "due_at": "next tuesday", "assignee_id": "bob"}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(bad.field_errors(), ["kind", "subject", "due_at", "assignee_id"]);
    let missing = client.post(&activities, json!({"kind": "call"})).await.expect(422);
    assert_eq!(missing.field_errors(), ["subject"]);
    let stranger = uuid::Uuid::now_v7().to_string();
    let nobody = client.post(&activities, json!({"kind": "call", "subject": "Hi", "assignee_id": stranger})).await;
    assert_eq!(nobody.expect(422).field_errors(), ["assignee_id"], "not a member");
    let viewer = add_member(&owner, "viewer").await;
    let refused =
        client.post(&activities, json!({"kind": "call", "subject": "Hi", "assignee_id": viewer.user_id})).await;
    assert_eq!(refused.expect(422).field_errors(), ["assignee_id"], "a viewer cannot do sales work");
    assert_eq!(client.get(&activities).await.expect(200).body["items"], json!([]), "nothing half-written");
    client.get(TASKS).await.expect(200);
    let unknown = format!("/api/v1/leads/{}/activities", uuid::Uuid::now_v7());
    client.post(&unknown, json!({"kind": "call", "subject": "Hi"})).await.expect_problem(404, "not-found");
    client.get(&unknown).await.expect_problem(404, "not-found");
    client.get(&format!("{TASKS}?status=later")).await.expect(422);

    let task = client.post(&activities, json!({"kind": "task", "subject": "Send pricing"})).await.expect(201).body;
    let path = activity_path(&task);
    let bad = client.patch(&path, json!({"version": 1, "subject": "", "due_at": "soon"})).await.expect(422);
    assert_eq!(bad.field_errors(), ["subject", "due_at"]);
    client.patch(&path, json!({"subject": "No version"})).await.expect(422);
    let unchanged = client.get(&activities).await.expect(200).body;
    assert_eq!(unchanged["items"][0]["version"], 1);
}

#[tokio::test]
async fn changes_are_version_checked_and_tick_reschedule_reassign_and_delete() {
    let owner = signup("Activity Changes").await;
    let rep = add_member(&owner, "agent").await;
    let client = owner.client();
    let deal = new_deal(&client).await;
    let task = client
        .post(&format!("{deal}/activities"), json!({"kind": "meeting", "subject": "Demo", "body": "Agenda"}))
        .await
        .expect(201)
        .body;
    let path = activity_path(&task);
    let moved = client
        .patch(&path, json!({"version": 1, "due_at": "2030-02-01T10:00:00Z", "body": null, "assignee_id": rep.user_id}))
        .await
        .expect(200)
        .body;
    assert_eq!(
        (&moved["due_at"], &moved["body"], &moved["version"]),
        (&json!("2030-02-01T10:00:00Z"), &json!(null), &json!(2))
    );
    assert_eq!(moved["assignee_id"], rep.user_id.as_str());
    let stale = client.patch(&path, json!({"version": 1, "done": true})).await.expect(409);
    assert_eq!(stale.body["current"]["version"], 2, "the current activity comes with the refusal");
    let done = client.patch(&path, json!({"version": 2, "done": true})).await.expect(200).body;
    assert!(done["done_at"].is_string());
    let reopened = client.patch(&path, json!({"version": 3, "done": false})).await.expect(200).body;
    assert_eq!((&reopened["done"], &reopened["done_at"]), (&json!(false), &json!(null)));
    let same = client.patch(&path, json!({"version": 4, "done": false})).await.expect(200).body;
    assert_eq!(same["version"], 4, "a change that changes nothing writes nothing");
    client.delete(&path).await.expect(204);
    client.delete(&path).await.expect_problem(404, "not-found");
    client.patch(&path, json!({"version": 4, "done": true})).await.expect_problem(404, "not-found");
    assert_eq!(client.get(&format!("{deal}/activities")).await.expect(200).body["items"], json!([]));

    // Every change is an event about the deal, in order.
    let log = client.get("/api/v1/activity").await.expect(200).body;
    let deal_id = deal.rsplit('/').next().unwrap();
    let kinds: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["deal_id"] == deal_id && event["type"].as_str().unwrap().starts_with("activity."))
        .map(|event| event["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["activity.deleted", "activity.updated", "activity.completed", "activity.updated", "activity.created"],
        "newest first"
    );
}

#[tokio::test]
async fn reps_change_their_own_or_assigned_activities_managers_any_and_viewers_none() {
    let owner = signup("Activity Roles").await;
    with_seats_for_a_team(&owner).await;
    let (ada, bob) = (add_member(&owner, "agent").await, add_member(&owner, "agent").await);
    let manager = add_member(&owner, "manager").await;
    let viewer = add_member(&owner, "viewer").await;
    let lead = new_lead(&owner.client()).await;
    let activities = format!("{lead}/activities");
    let adas = ada.client().post(&activities, json!({"kind": "call", "subject": "Ada's call"})).await.expect(201).body;
    let path = activity_path(&adas);
    bob.client().patch(&path, json!({"version": 1, "done": true})).await.expect(403);
    bob.client().delete(&path).await.expect(403);
    viewer.client().patch(&path, json!({"version": 1, "done": true})).await.expect(403);
    viewer.client().post(&activities, json!({"kind": "call", "subject": "No"})).await.expect(403);
    assert_eq!(subjects(&viewer.client().get(&activities).await.expect(200).body), ["Ada's call"], "viewers read");
    // Given to Bob, he may tick it.
    let given = ada.client().patch(&path, json!({"version": 1, "assignee_id": bob.user_id})).await.expect(200).body;
    let ticked = bob.client().patch(&path, json!({"version": given["version"], "done": true})).await.expect(200).body;
    let reworded =
        manager.client().patch(&path, json!({"version": ticked["version"], "subject": "Checked"})).await.expect(200);
    assert_eq!(reworded.body["subject"], "Checked", "a manager changes any");
    let mine = bob.client().post(&activities, json!({"kind": "task", "subject": "Bob's"})).await.expect(201).body;
    ada.client().delete(&activity_path(&mine)).await.expect(403);
    manager.client().delete(&activity_path(&mine)).await.expect(204);
}

#[tokio::test]
async fn another_workspaces_records_and_activities_are_not_found() {
    let (mine, theirs) = (signup("Activity Home").await, signup("Activity Away").await);
    let lead = new_lead(&mine.client()).await;
    let activity = mine
        .client()
        .post(&format!("{lead}/activities"), json!({"kind": "call", "subject": "Ours"}))
        .await
        .expect(201)
        .body;
    let them = theirs.client();
    them.get(&format!("{lead}/activities")).await.expect_problem(404, "not-found");
    them.post(&format!("{lead}/activities"), json!({"kind": "call", "subject": "Theirs"}))
        .await
        .expect_problem(404, "not-found");
    them.patch(&activity_path(&activity), json!({"version": 1, "done": true})).await.expect_problem(404, "not-found");
    them.delete(&activity_path(&activity)).await.expect_problem(404, "not-found");
    assert_eq!(them.get(TASKS).await.expect(200).body["items"], json!([]));
    // Their member cannot be given our task either.
    let given = mine
        .client()
        .patch(&activity_path(&activity), json!({"version": 1, "assignee_id": theirs.user_id}))
        .await
        .expect(422);
    assert_eq!(given.field_errors(), ["assignee_id"]);
    let unchanged = mine.client().get(&format!("{lead}/activities")).await.expect(200).body;
    assert_eq!(unchanged["items"][0]["version"], 1);
}

#[tokio::test]
async fn my_tasks_put_overdue_first_undated_last_and_done_apart() {
    let owner = signup("Task List").await;
    let rep = add_member(&owner, "agent").await;
    let client = owner.client();
    let (lead, customer, deal) = (new_lead(&client).await, new_customer(&client).await, new_deal(&client).await);
    let log = async |record: &str, subject: &str, due: Option<&str>, assignee: &str| {
        let mut body = json!({"kind": "task", "subject": subject, "assignee_id": assignee});
        if let Some(due) = due {
            body["due_at"] = json!(due);
        }
        client.post(&format!("{record}/activities"), body).await.expect(201).body
    };
    let me = owner.user_id.as_str();
    log(&lead, "Undated", None, me).await;
    log(&deal, "Next year", Some("2031-01-01T09:00:00Z"), me).await;
    let overdue = log(&customer, "Overdue", Some("2020-01-01T09:00:00Z"), me).await;
    log(&lead, "Soon", Some("2030-06-01T09:00:00Z"), me).await;
    log(&deal, "Someone else's", Some("2019-01-01T09:00:00Z"), &rep.user_id).await;
    let mut open = json!(null);
    // The tasks index is eventually consistent.
    let listed = eventually(Duration::from_secs(90), async || {
        open = client.get(TASKS).await.expect(200).body;
        open["items"].as_array().unwrap().len() == 4
    })
    .await;
    assert!(listed, "{open}");
    assert_eq!(subjects(&open), ["Overdue", "Soon", "Next year", "Undated"]);
    assert_eq!(open["items"][0]["record_name"], "Acme", "the record is named");
    let theirs = rep.client().get(TASKS).await.expect(200).body;
    assert_eq!(subjects(&theirs), ["Someone else's"]);

    client.patch(&activity_path(&overdue), json!({"version": 1, "done": true})).await.expect(200);
    let mut done = json!(null);
    let moved = eventually(Duration::from_secs(90), async || {
        done = client.get(&format!("{TASKS}?status=done")).await.expect(200).body;
        open = client.get(&format!("{TASKS}?status=open&limit=2")).await.expect(200).body;
        subjects(&done) == ["Overdue"] && subjects(&open) == ["Soon", "Next year"]
    })
    .await;
    assert!(moved, "done {done}, open {open}");
    let cursor = open["next_cursor"].as_str().expect("more open tasks");
    let rest = client.get(&format!("{TASKS}?limit=2&cursor={cursor}")).await.expect(200).body;
    assert_eq!(subjects(&rest), ["Undated"]);
}

#[tokio::test]
async fn activities_join_the_record_timeline_and_the_report_counts_them_per_rep() {
    let owner = signup("Activity Report").await;
    let rep = add_member(&owner, "agent").await;
    let client = owner.client();
    let lead = new_lead(&client).await;
    let customer = new_customer(&client).await;
    let activities = format!("{lead}/activities");
    rep.client().post(&activities, json!({"kind": "call", "subject": "Call 1", "done": true})).await.expect(201);
    let task = rep.client().post(&activities, json!({"kind": "task", "subject": "Task 1"})).await.expect(201).body;
    rep.client().patch(&activity_path(&task), json!({"version": 1, "done": true})).await.expect(200);
    client.post(&format!("{customer}/activities"), json!({"kind": "email", "subject": "Mail"})).await.expect(201);

    let timeline = client.get(&format!("{lead}/timeline")).await.expect(200).body;
    let kinds: Vec<&str> = timeline["items"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["activity.completed", "activity.created", "activity.created", "lead.created"]);
    assert_eq!(timeline["items"][0]["after"]["subject"], "Task 1");
    let customer_timeline = client.get(&format!("{customer}/timeline")).await.expect(200).body;
    assert_eq!(customer_timeline["items"][0]["type"], "activity.created");

    let mut report = json!(null);
    let caught_up = eventually(Duration::from_secs(90), async || {
        report = client.get("/api/v1/reports/sales").await.expect(200).body;
        report["activities"]["logged"] == 3 && report["activities"]["done"] == 2
    })
    .await;
    assert!(caught_up, "the report never caught up: {report}");
    let section = &report["activities"];
    let kind = |name: &str| section["by_kind"].as_array().unwrap().iter().find(|k| k["kind"] == name).unwrap().clone();
    assert_eq!((kind("call")["logged"].clone(), kind("call")["done"].clone()), (json!(1), json!(1)));
    assert_eq!((kind("task")["logged"].clone(), kind("task")["done"].clone()), (json!(1), json!(1)));
    assert_eq!((kind("email")["logged"].clone(), kind("email")["done"].clone()), (json!(1), json!(0)));
    let reps = section["by_rep"].as_array().unwrap();
    assert_eq!(reps.len(), 2, "{section}");
    let theirs = reps.iter().find(|r| r["user_id"] == rep.user_id.as_str()).unwrap();
    assert_eq!((&theirs["logged"], &theirs["done"]), (&json!(2), &json!(2)));
    let mine = reps.iter().find(|r| r["user_id"] == owner.user_id.as_str()).unwrap();
    assert_eq!((&mine["logged"], &mine["done"]), (&json!(1), &json!(0)));

    // Subscribable for webhooks.
    let hook = json!({"url": "https://example.com/hooks", "events": ["activity.created", "activity.completed"]});
    client.post("/api/v1/webhooks", hook).await.expect(201);
}
