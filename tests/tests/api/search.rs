//! Search over HTTP: typos, prefixes, folded diacritics and whole e-mails, phones and ticket
//! references; ranking (exact before fuzzy, title before body); what roles, API keys and internal
//! notes allow; workspaces never seeing each other; a record found at once and gone after deletion;
//! an index recovered after its object is lost.

use std::time::Duration;

use serde_json::{Value, json};
use switchboard_tests::{Client, Member, add_member, eventually, signup, stack, unique_email};

const SEARCH: &str = "/api/v1/search";

fn encode(raw: &str) -> String {
    raw.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

async fn search(client: &Client, query: &str) -> Value {
    client.get(&format!("{SEARCH}?q={}", encode(query))).await.expect(200).body
}

fn results(body: &Value) -> Vec<(String, String)> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| (hit["type"].as_str().unwrap().to_owned(), hit["id"].as_str().unwrap().to_owned()))
        .collect()
}

fn ids(body: &Value) -> Vec<String> {
    results(body).into_iter().map(|(_, id)| id).collect()
}

fn highlighted(hit: &Value) -> Vec<String> {
    hit["snippet"]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|part| part["highlight"] == true)
        .map(|part| part["text"].as_str().unwrap().to_owned())
        .collect()
}

/// The first result for `query` once `id` is among the results (the index is seconds behind at most).
async fn found(client: &Client, query: &str, id: &str) -> Value {
    let mut last = Value::Null;
    let hit = eventually(Duration::from_secs(90), async || {
        last = search(client, query).await;
        ids(&last).iter().any(|found| found == id)
    })
    .await;
    assert!(hit, "{query:?} never found {id}: {last}");
    last
}

fn id(record: &Value) -> String {
    record["id"].as_str().expect("an id").to_owned()
}

async fn ticket(client: &Client, subject: &str, body: &str) -> Value {
    let customer = json!({"email": unique_email("requester")});
    client
        .post("/api/v1/tickets", json!({"subject": subject, "body": body, "customer": customer}))
        .await
        .expect(201)
        .body
}

#[tokio::test]
async fn typos_prefixes_diacritics_and_whole_keys_find_their_records() {
    let owner = signup("Search Basics").await;
    let client = owner.client();
    let email = unique_email("zoe");
    let zoe = client
        .post("/api/v1/customers", json!({"email": email, "name": "Zoë Saldaña", "phone": "+49 30 5550 1234"}))
        .await
        .expect(201)
        .body;
    let machine = ticket(&client, "Damaged espresso machine", "The grinder arrived broken.").await;
    let number = machine["number"].as_u64().expect("a ticket number");
    let lead = client.post("/api/v1/leads", json!({"name": "Bartholomew Quincy"})).await.expect(201).body;
    let company = client.post("/api/v1/companies", json!({"name": "Müller Logistik"})).await.expect(201).body;

    // One typo from four characters, two from eight, a swap of neighbours counting as one.
    let hit = found(&client, "espreso", &id(&machine)).await;
    let first = &hit["results"][0];
    assert_eq!((first["type"].as_str(), first["matched_field"].as_str()), (Some("tickets"), Some("subject")));
    assert_eq!(highlighted(first), ["espresso"], "the matching word is highlighted: {first}");
    assert_eq!(ids(&found(&client, "bartholomwe quicny", &id(&lead)).await)[0], id(&lead));
    assert_eq!(ids(&search(&client, "bortholemuw").await), Vec::<String>::new(), "three edits are too many");
    // Two edits from eight characters ("espresso": one letter added, one dropped); not below eight
    // ("damaged", seven: two letters replaced).
    assert_eq!(ids(&found(&client, "exspreso", &id(&machine)).await)[0], id(&machine));
    assert!(
        !ids(&search(&client, "dumagod").await).contains(&id(&machine)),
        "two edits of a 7-letter word are too many"
    );
    // The last word as a prefix, as the user types.
    assert_eq!(ids(&found(&client, "damaged espr", &id(&machine)).await)[0], id(&machine));
    assert!(ids(&search(&client, "espr damaged").await).is_empty(), "only the last word is a prefix");
    // Diacritics folded both ways.
    assert_eq!(ids(&found(&client, "zoe saldana", &id(&zoe)).await)[0], id(&zoe));
    assert_eq!(ids(&found(&client, "MULLER", &id(&company)).await)[0], id(&company));
    // Whole e-mail, phone and ticket reference: the record first, the field named.
    let by_email = found(&client, &email.to_uppercase(), &id(&zoe)).await;
    assert_eq!(by_email["results"][0]["id"].as_str(), Some(id(&zoe).as_str()));
    assert_eq!(by_email["results"][0]["matched_field"], "email");
    let by_phone = found(&client, "+49 (30) 5550-1234", &id(&zoe)).await;
    assert_eq!(
        (by_phone["results"][0]["id"].as_str(), by_phone["results"][0]["matched_field"].as_str()),
        (Some(id(&zoe).as_str()), Some("phone"))
    );
    let by_reference = found(&client, &format!("#{number}"), &id(&machine)).await;
    assert_eq!(by_reference["results"][0]["matched_field"], "reference");
    assert_eq!(by_reference["results"][0]["id"].as_str(), Some(id(&machine).as_str()));
    // Short words must be exact.
    assert!(search(&client, "zoa").await["results"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn exact_words_rank_above_typos_and_subjects_above_bodies() {
    let owner = signup("Search Ranking").await;
    let client = owner.client();
    let in_body = ticket(&client, "Weekly status", "The printer jammed again on the third floor.").await;
    let in_subject = ticket(&client, "Printer jammed", "Paper stuck in tray two.").await;
    let body = found(&client, "printer", &id(&in_body)).await;
    let order = ids(&found(&client, "printer", &id(&in_subject)).await);
    assert_eq!(order[..2], [id(&in_subject), id(&in_body)], "subject before body: {body}");

    let fuzzy = client.post("/api/v1/customers", json!({"email": unique_email("c"), "name": "Marta Olsen"})).await;
    let exact = client.post("/api/v1/customers", json!({"email": unique_email("c"), "name": "Marti Olsen"})).await;
    let (fuzzy, exact) = (fuzzy.expect(201).body, exact.expect(201).body);
    found(&client, "marti", &id(&fuzzy)).await;
    let order = ids(&found(&client, "marti", &id(&exact)).await);
    assert_eq!(order[..2], [id(&exact), id(&fuzzy)], "the exact name before the one a typo away");
}

#[tokio::test]
async fn bad_requests_name_their_field() {
    let owner = signup("Search Input").await;
    let client = owner.client();
    let missing = client.get(SEARCH).await.expect_problem(422, "validation-failed");
    assert_eq!(missing.field_errors(), ["q"]);
    let bad = client.get(&format!("{SEARCH}?q=x&types=tickets,invoices&limit=0")).await;
    assert_eq!(bad.expect_problem(422, "validation-failed").field_errors(), ["types", "limit"]);
    client.get(&format!("{SEARCH}?q=x&limit=51")).await.expect_problem(422, "validation-failed");
    Client::new().get(&format!("{SEARCH}?q=x")).await.expect(401);
}

#[tokio::test]
async fn internal_notes_are_found_by_members_only_and_keys_see_only_their_scopes() {
    let owner = signup("Search Access").await;
    let client = owner.client();
    let noted = ticket(&client, "Login trouble", "I cannot sign in.").await;
    let messages = format!("/api/v1/tickets/{}/messages", id(&noted));
    client.post(&messages, json!({"body": "Suspect xylophone fraud ring", "internal": true})).await.expect(201);
    let lead = client.post("/api/v1/leads", json!({"name": "Xylophone Partners"})).await.expect(201).body;

    let hit = found(&client, "xylophone fraud", &id(&noted)).await;
    let note = hit["results"].as_array().unwrap().iter().find(|r| r["id"] == noted["id"]).unwrap().clone();
    assert_eq!(note["matched_field"], "internal_note");
    found(&client, "xylophone", &id(&lead)).await;

    // A key with tickets:read only: no sales records, no customers, and no internal notes.
    let key = client.post("/api/v1/api-keys", json!({"name": "Widget", "scopes": ["tickets:read"]})).await;
    let key = key.expect(201).body["secret"].as_str().expect("the key, shown once").to_owned();
    let widget = Client::new().with_token(&key);
    let seen = widget.get(&format!("{SEARCH}?q=xylophone")).await.expect(200).body;
    assert!(results(&seen).iter().all(|(kind, _)| kind == "tickets"), "{seen}");
    assert!(!ids(&seen).contains(&id(&lead)), "a key without sales:read never sees a lead");
    assert!(!ids(&seen).contains(&id(&noted)), "internal notes are for members: {seen}");
    assert_eq!(ids(&widget.get(&format!("{SEARCH}?q=login")).await.expect(200).body), [id(&noted)]);
    let refused = widget.get(&format!("{SEARCH}?q=xylophone&types=leads")).await.expect_problem(403, "forbidden");
    assert_eq!(refused.body["permission"], "sales:read");
    let sales = client.post("/api/v1/api-keys", json!({"name": "CRM", "scopes": ["sales:read"]})).await;
    let sales = Client::new().with_token(sales.expect(201).body["secret"].as_str().unwrap());
    let seen = sales.get(&format!("{SEARCH}?q=xylophone&types=leads,deals")).await.expect(200).body;
    assert_eq!(ids(&seen), [id(&lead)]);
}

#[tokio::test]
async fn one_workspace_never_finds_another_workspaces_records() {
    let (a, b) = (signup("Search Tenant A").await, signup("Search Tenant B").await);
    let marker = format!("quokka{}", &uuid::Uuid::new_v4().simple().to_string()[..6]);
    let mine = ticket(&a.client(), &format!("Order {marker} delayed"), "Where is it?").await;
    let email = unique_email("shared");
    let a_customer = a.client().post("/api/v1/customers", json!({"email": email, "name": "Pat Quokka"})).await;
    let a_customer = a_customer.expect(201).body;
    found(&a.client(), &marker, &id(&mine)).await;
    found(&a.client(), &email, &id(&a_customer)).await;
    let theirs = ticket(&b.client(), "Quokka sighting", "Nothing to do with A").await;
    found(&b.client(), "quokka", &id(&theirs)).await;
    for query in [marker.as_str(), email.as_str(), "quokka", "order delayed", "pat"] {
        let seen = search(&b.client(), query).await;
        assert!(
            !ids(&seen).contains(&id(&mine)) && !ids(&seen).contains(&id(&a_customer)),
            "B saw A's record for {query:?}: {seen}"
        );
        let seen = search(&a.client(), query).await;
        assert!(!ids(&seen).contains(&id(&theirs)), "A saw B's record for {query:?}: {seen}");
    }
}

#[tokio::test]
async fn a_record_is_found_right_after_it_is_made_and_gone_after_it_is_deleted() {
    let owner = signup("Search Freshness").await;
    let client = owner.client();
    // The index exists first (an older record), so the new one is read past its watermark.
    let older = client.post("/api/v1/leads", json!({"name": "Old Timer"})).await.expect(201).body;
    found(&client, "timer", &id(&older)).await;
    let lead = client.post("/api/v1/leads", json!({"name": "Wilhelmina Fresh"})).await.expect(201).body;
    let at_once = search(&client, "wilhelmina").await;
    assert_eq!(ids(&at_once), [id(&lead)], "found straight after its creation: {at_once}");
    let renamed = client
        .patch(&format!("/api/v1/leads/{}", id(&lead)), json!({"name": "Wilhelmina Renamed", "version": 1}))
        .await;
    renamed.expect(200);
    assert_eq!(ids(&search(&client, "renamed").await), [id(&lead)], "the new name at once");
    client.delete(&format!("/api/v1/leads/{}", id(&lead))).await.expect(204);
    assert!(ids(&search(&client, "wilhelmina").await).is_empty(), "gone at once after its deletion");
    // And the index itself catches up: still gone once nothing is pending.
    let settled =
        eventually(Duration::from_secs(90), async || search(&client, "wilhelmina").await["pending"] == 0).await;
    assert!(settled, "the indexer caught up");
    assert!(ids(&search(&client, "wilhelmina").await).is_empty());
    assert_eq!(ids(&search(&client, "timer").await), [id(&older)]);
}

#[tokio::test]
async fn an_index_whose_object_is_lost_is_rebuilt_from_the_table() {
    let owner: Member = signup("Search Recovery").await;
    let client = owner.client();
    let machine = ticket(&client, "Broken kettle", "It sparks.").await;
    let customer = client.post("/api/v1/customers", json!({"email": unique_email("k"), "name": "Kettle Owner"})).await;
    let customer = customer.expect(201).body;
    found(&client, "kettle", &id(&machine)).await;
    found(&client, "kettle", &id(&customer)).await;
    let settled = eventually(Duration::from_secs(90), async || search(&client, "kettle").await["pending"] == 0).await;
    assert!(settled);
    let before = search(&client, "kettle").await["index_version"].as_u64().unwrap();

    let app = stack().app;
    let workspace = owner.workspace_id.parse().unwrap();
    let key = shared::storage::keys::search_index_object_key(workspace);
    app.search_indexes.delete(&key).await.unwrap();
    assert!(app.search_indexes.get(&key).await.unwrap().is_none());
    // The next change finds the object gone: its writer rebuilds the whole index from the table.
    let later = ticket(&client, "Kettle replacement", "Please send a new one.").await;
    // A query may answer from an index it rebuilt in memory before the writer has stored the object
    // again: wait for both.
    let recovered = eventually(Duration::from_secs(90), async || {
        let body = search(&client, "kettle").await;
        body["pending"] == 0
            && body["index_version"].as_u64().unwrap() > before
            && app.search_indexes.get(&key).await.unwrap().is_some()
    })
    .await;
    assert!(recovered, "the index was written again and its object is back");
    let all = ids(&search(&client, "kettle").await);
    for record in [&machine, &customer, &later] {
        assert!(all.contains(&id(record)), "{} is in the rebuilt index: {all:?}", id(record));
    }
}

async fn search_with(client: &Client, query: &str, filters: &str) -> Vec<String> {
    let mut found = ids(&client.get(&format!("{SEARCH}?q={}&{filters}", encode(query))).await.expect(200).body);
    found.sort();
    found
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[tokio::test]
async fn filters_narrow_by_status_owner_and_creation_day_in_the_index_and_at_once() {
    let owner = signup("Search Filters").await;
    let client = owner.client();
    let agent = add_member(&owner, "agent").await;
    let lead = async |name: &str, status: &str, owner_id: Option<&str>| {
        let body = json!({"name": name, "status": status, "owner_id": owner_id});
        id(&client.post("/api/v1/leads", body).await.expect(201).body)
    };
    let mine = lead("Quillon Alpha", "qualified", Some(&owner.user_id)).await;
    let agents = lead("Quillon Beta", "new", Some(&agent.user_id)).await;
    let nobodys = lead("Quillon Gamma", "qualified", None).await;
    let solved = ticket(&client, "Quillon printer smoke", "It smokes.").await;
    let path = format!("/api/v1/tickets/{}", id(&solved));
    client.patch(&path, json!({"status": "solved", "version": solved["version"]})).await.expect(200);
    let settled = eventually(Duration::from_secs(90), async || {
        let body = search(&client, "quillon").await;
        body["pending"] == 0 && ids(&body).len() == 4
    })
    .await;
    assert!(settled, "the indexer caught up");

    // From the index.
    assert_eq!(search_with(&client, "quillon", "status=qualified").await, sorted(vec![mine.clone(), nobodys.clone()]));
    assert_eq!(search_with(&client, "quillon", "status=solved").await, [id(&solved)]);
    assert_eq!(search_with(&client, "quillon", "status=new,solved&types=leads").await, vec![agents.clone()]);
    assert_eq!(search_with(&client, "quillon", "owner=me").await, vec![mine.clone()]);
    assert_eq!(search_with(&client, "quillon", &format!("owner={}", agent.user_id)).await, vec![agents.clone()]);
    // Nobody owns the third lead nor is assigned the ticket.
    assert_eq!(search_with(&client, "quillon", "owner=none").await, sorted(vec![nobodys.clone(), id(&solved)]));
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let (yesterday, tomorrow) = (today.yesterday().unwrap(), today.tomorrow().unwrap());
    assert_eq!(search_with(&client, "quillon", &format!("created_from={today}&created_to={today}")).await.len(), 4);
    assert!(search_with(&client, "quillon", &format!("created_to={yesterday}")).await.is_empty());
    assert!(search_with(&client, "quillon", &format!("created_from={tomorrow}")).await.is_empty());

    // Records still pending for the indexer are filtered the same way, the moment they are made.
    let fresh = lead("Quillon Delta", "new", None).await;
    assert_eq!(search_with(&client, "quillon", "status=qualified").await, sorted(vec![mine.clone(), nobodys.clone()]));
    assert_eq!(search_with(&client, "quillon", "owner=me").await, vec![mine.clone()]);
    assert_eq!(search_with(&client, "quillon", "status=new&owner=none").await, vec![fresh.clone()]);
    assert!(search_with(&client, "quillon", &format!("created_from={tomorrow}")).await.is_empty());
}

#[tokio::test]
async fn bad_filters_name_their_field() {
    let owner = signup("Search Filter Input").await;
    let reply = owner
        .client()
        .get(&format!("{SEARCH}?q=x&status=Not%20One&owner=someone&created_from=2026-13-01&created_to=yesterday"))
        .await;
    assert_eq!(
        reply.expect_problem(422, "validation-failed").field_errors(),
        ["status", "owner", "created_from", "created_to"]
    );
    let reversed = owner.client().get(&format!("{SEARCH}?q=x&created_from=2026-05-02&created_to=2026-05-01")).await;
    assert_eq!(reversed.expect_problem(422, "validation-failed").field_errors(), ["created_to"]);
}
