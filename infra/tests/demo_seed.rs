//! `make dev`'s demo: a stack started with the demo seeded shows a working helpdesk to its owner, and
//! seeding again adds nothing.

use local_stack::{StackOptions, seed};
use serde_json::{Value, json};

struct Owner {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Owner {
    async fn sign_in(url: &str) -> Owner {
        let http = reqwest::Client::new();
        let login = json!({"email": seed::DEMO_OWNER.email, "password": seed::DEMO_OWNER.password});
        let session: Value =
            http.post(format!("{url}/api/v1/auth/login")).json(&login).send().await.unwrap().json().await.unwrap();
        let token = session["access_token"].as_str().expect("an access token").to_owned();
        Owner { http, url: url.to_owned(), token }
    }

    async fn get(&self, path: &str) -> Value {
        let response = self.http.get(format!("{}{path}", self.url)).bearer_auth(&self.token).send().await.unwrap();
        assert!(response.status().is_success(), "GET {path}: {}", response.status());
        response.json().await.unwrap()
    }

    /// What the demo consists of: customers, tickets by status, chat channels and their messages.
    async fn census(&self) -> Value {
        let customers = self.get("/api/v1/customers?limit=100").await;
        let counts = self.get("/api/v1/tickets/counts").await;
        let open = self.get("/api/v1/tickets?view=open&limit=100").await;
        let solved = self.get("/api/v1/tickets?view=solved&limit=100").await;
        let channels = self.get("/api/v1/chat/channels").await;
        let mut messages = Vec::new();
        for channel in channels["items"].as_array().unwrap() {
            let id = channel["id"].as_str().unwrap();
            messages.push(self.get(&format!("/api/v1/chat/channels/{id}/messages?limit=100")).await["items"].clone());
        }
        json!({
            "customers": customers["items"].as_array().unwrap().len(),
            "by_status": counts["by_status"],
            "inbox": [open["items"].as_array().unwrap().len(), solved["items"].as_array().unwrap().len()],
            "channels": channels["items"].as_array().unwrap().len(),
            "messages": messages.iter().map(|items| items.as_array().unwrap().len()).collect::<Vec<_>>(),
        })
    }
}

#[tokio::test]
async fn the_demo_is_a_living_helpdesk_and_seeding_twice_adds_nothing() {
    let stack = local_stack::start(StackOptions { seed_demo: true, web_dist: None, ..StackOptions::default() })
        .await
        .expect("starting the stack");
    let owner = Owner::sign_in(&stack.url).await;

    let inbox = owner.get("/api/v1/tickets?limit=100").await;
    let tickets = inbox["items"].as_array().unwrap();
    let open = owner.get("/api/v1/tickets/counts").await["open"].as_u64().unwrap();
    assert!(open >= 15, "a busy inbox, got {open} open tickets");
    assert_eq!(tickets.len() as u64, open, "the inbox shows every open ticket");
    let assignees: std::collections::BTreeSet<String> = tickets.iter().map(|t| t["assignee_id"].to_string()).collect();
    assert!(assignees.len() >= 3, "tickets for the owner, the agent and nobody: {assignees:?}");
    let priorities: std::collections::BTreeSet<&str> = tickets.iter().filter_map(|t| t["priority"].as_str()).collect();
    assert_eq!(priorities.len(), 4, "{priorities:?}");

    // The radar follows the event stream, a moment behind the writes.
    let mut radar = Value::Null;
    for _ in 0..60 {
        radar = owner.get("/api/v1/sla/radar").await;
        if radar["counts"]["at_risk"].as_u64() > Some(0) && radar["counts"]["breached"].as_u64() > Some(0) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let counts = &radar["counts"];
    assert!(counts["at_risk"].as_u64() > Some(0) && counts["breached"].as_u64() > Some(0), "{radar}");

    let before = owner.census().await;
    assert_eq!(before["customers"], 12, "{before}");
    let statuses = before["by_status"].as_object().unwrap();
    for status in ["new", "open", "pending", "on_hold", "solved", "closed"] {
        assert!(statuses.get(status).and_then(Value::as_i64).unwrap_or(0) > 0, "no {status} ticket: {before}");
    }
    assert!(before["messages"].as_array().unwrap().iter().any(|count| count.as_u64() > Some(5)), "{before}");

    seed::seed(stack.app).await.expect("seeding again");
    assert_eq!(owner.census().await, before);
    stack.stop().await;
}
