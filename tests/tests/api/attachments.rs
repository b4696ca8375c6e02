//! Attachments: uploaded and downloaded through presigned URLs, never across workspaces.

use serde_json::{Value, json};
use switchboard_tests::{Member, add_member, signup};

async fn new_ticket(owner: &Member) -> String {
    let reply = owner
        .client()
        .post(
            "/api/v1/tickets",
            json!({"subject": "Invoice attached", "body": "See the file", "customer": {"email": "payer@example.com"}}),
        )
        .await
        .expect(201);
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn put_bytes(upload: &Value, bytes: &[u8]) -> u16 {
    let mut request = reqwest::Client::new().put(upload["url"].as_str().unwrap()).body(bytes.to_vec());
    for (name, value) in upload["headers"].as_object().unwrap() {
        if name != "content-length" {
            request = request.header(name, value.as_str().unwrap());
        }
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn a_file_goes_up_and_comes_down_through_presigned_urls() {
    let owner = signup("Files Co").await;
    let ticket = new_ticket(&owner).await;
    let bytes = b"%PDF-1.4 pretend this is an invoice".to_vec();
    let announced = owner
        .client()
        .post(
            &format!("/api/v1/tickets/{ticket}/attachments"),
            json!({"filename": "../Invoice March.pdf", "content_type": "application/pdf", "size": bytes.len()}),
        )
        .await
        .expect(201);
    assert_eq!(announced.body["attachment"]["filename"], "Invoice_March.pdf");
    assert_eq!(announced.body["attachment"]["status"], "pending");
    assert_eq!(announced.body["upload"]["method"], "PUT");
    let attachment = announced.body["attachment"]["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/tickets/{ticket}/attachments/{attachment}");

    // Not uploaded yet: neither confirmable nor downloadable.
    owner.client().post(&format!("{base}/confirm"), json!({})).await.expect_problem(409, "conflict");
    owner.client().get(&base).await.expect_problem(409, "conflict");

    assert_eq!(put_bytes(&announced.body["upload"], &bytes).await, 200);
    let confirmed = owner.client().post(&format!("{base}/confirm"), json!({})).await.expect(200);
    assert_eq!(confirmed.body["status"], "uploaded");
    owner.client().post(&format!("{base}/confirm"), json!({})).await.expect(200); // idempotent

    let download = owner.client().get(&base).await.expect(200);
    let fetched = reqwest::get(download.body["download"]["url"].as_str().unwrap()).await.unwrap();
    assert_eq!(fetched.status().as_u16(), 200);
    assert_eq!(fetched.bytes().await.unwrap().to_vec(), bytes);

    let detail = owner.client().get(&format!("/api/v1/tickets/{ticket}")).await.expect(200);
    assert_eq!(detail.body["attachments"][0]["id"], attachment.as_str());
    let me = owner.client().get("/api/v1/me").await.expect(200);
    assert_eq!(me.body["plan"]["usage"]["storage_bytes"], bytes.len());
    let timeline = detail.body["timeline"].as_array().unwrap();
    assert!(timeline.iter().any(|event| event["type"] == "attachment.added"));
}

#[tokio::test]
async fn an_upload_that_does_not_match_the_announcement_is_refused() {
    let owner = signup("Mismatch Co").await;
    let ticket = new_ticket(&owner).await;
    let announced = owner
        .client()
        .post(
            &format!("/api/v1/tickets/{ticket}/attachments"),
            json!({"filename": "notes.txt", "content_type": "text/plain", "size": 100}),
        )
        .await
        .expect(201);
    let attachment = announced.body["attachment"]["id"].as_str().unwrap();
    put_bytes(&announced.body["upload"], b"only a few bytes").await;
    let reply = owner
        .client()
        .post(&format!("/api/v1/tickets/{ticket}/attachments/{attachment}/confirm"), json!({}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(reply.field_errors(), ["size"]);
    let me = owner.client().get("/api/v1/me").await.expect(200);
    assert_eq!(me.body["plan"]["usage"]["storage_bytes"], 0, "the announcement gave its reserved bytes back");
    // The announcement is gone: confirming again finds nothing to confirm.
    owner
        .client()
        .post(&format!("/api/v1/tickets/{ticket}/attachments/{attachment}/confirm"), json!({}))
        .await
        .expect_problem(404, "not-found");
}

#[tokio::test]
async fn announcing_reserves_the_bytes_so_files_never_uploaded_cannot_pass_the_storage_limit() {
    // The free plan stores 1 GiB; 40 announced files of 25 MiB reserve 1,000 MiB, and a 41st does not fit.
    let owner = signup("Reserving Co").await;
    let big = 25 * 1024 * 1024_u64;
    for _ in 0..2 {
        let ticket = new_ticket(&owner).await;
        let path = format!("/api/v1/tickets/{ticket}/attachments");
        for file in 0..20 {
            let body = json!({"filename": format!("scan{file}.pdf"), "content_type": "application/pdf", "size": big});
            owner.client().post(&path, body).await.expect(201);
        }
    }
    let me = owner.client().get("/api/v1/me").await.expect(200);
    assert_eq!(me.body["plan"]["usage"]["storage_bytes"], 40 * big, "reserved, though nothing was uploaded");
    let third = new_ticket(&owner).await;
    let refused = owner
        .client()
        .post(
            &format!("/api/v1/tickets/{third}/attachments"),
            json!({"filename": "one-too-many.pdf", "content_type": "application/pdf", "size": big}),
        )
        .await
        .expect_problem(402, "plan-limit-reached");
    assert_eq!(refused.body["limit_kind"], "storage_bytes", "{}", refused.body);
    // Used counts the files and the search index (its three tickets: some kB, published meanwhile).
    let used = refused.body["used"].as_u64().unwrap();
    assert!((40 * big..40 * big + 1024 * 1024).contains(&used), "{used}");
    // What still fits is accepted.
    owner
        .client()
        .post(
            &format!("/api/v1/tickets/{third}/attachments"),
            json!({"filename": "small.txt", "content_type": "text/plain", "size": 1024}),
        )
        .await
        .expect(201);
}

#[tokio::test]
async fn an_upload_url_writes_once_and_the_download_serves_the_version_that_was_checked() {
    let owner = signup("Swap Co").await;
    let ticket = new_ticket(&owner).await;
    let original = b"the real invoice".to_vec();
    let announced = owner
        .client()
        .post(
            &format!("/api/v1/tickets/{ticket}/attachments"),
            json!({"filename": "invoice.txt", "content_type": "text/plain", "size": original.len()}),
        )
        .await
        .expect(201);
    let base = format!("/api/v1/tickets/{ticket}/attachments/{}", announced.body["attachment"]["id"].as_str().unwrap());
    assert_eq!(put_bytes(&announced.body["upload"], &original).await, 200);
    owner.client().post(&format!("{base}/confirm"), json!({})).await.expect(200);

    // Replaying the upload URL with other bytes of the same length is refused by the store.
    let swapped = b"a forged invoice".to_vec();
    assert_eq!(swapped.len(), original.len());
    assert_eq!(put_bytes(&announced.body["upload"], &swapped).await, 412, "the URL writes once");

    let download = owner.client().get(&base).await.expect(200);
    let url = download.body["download"]["url"].as_str().unwrap();
    assert!(url.contains("versionId="), "pinned to the checked version: {url}");
    let fetched = reqwest::get(url).await.unwrap();
    assert_eq!(fetched.bytes().await.unwrap().to_vec(), original);
}

#[tokio::test]
async fn types_sizes_and_roles_are_checked() {
    let owner = signup("Limits Co").await;
    let ticket = new_ticket(&owner).await;
    let path = format!("/api/v1/tickets/{ticket}/attachments");
    let reply = owner
        .client()
        .post(&path, json!({"filename": "run.exe", "content_type": "application/x-msdownload", "size": 10}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(reply.field_errors(), ["content_type"]);
    let reply = owner
        .client()
        .post(&path, json!({"filename": "huge.pdf", "content_type": "application/pdf", "size": 26 * 1024 * 1024}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(reply.field_errors(), ["size"]);
    let viewer = add_member(&owner, "viewer").await;
    viewer
        .client()
        .post(&path, json!({"filename": "a.txt", "content_type": "text/plain", "size": 1}))
        .await
        .expect_problem(403, "forbidden");
}

#[tokio::test]
async fn another_workspaces_attachments_are_not_found() {
    let owner = signup("Owner Files").await;
    let ticket = new_ticket(&owner).await;
    let announced = owner
        .client()
        .post(
            &format!("/api/v1/tickets/{ticket}/attachments"),
            json!({"filename": "a.txt", "content_type": "text/plain", "size": 3}),
        )
        .await
        .expect(201);
    put_bytes(&announced.body["upload"], b"abc").await;
    let attachment = announced.body["attachment"]["id"].as_str().unwrap();
    let base = format!("/api/v1/tickets/{ticket}/attachments/{attachment}");
    owner.client().post(&format!("{base}/confirm"), json!({})).await.expect(200);

    let intruder = signup("Intruder Files").await;
    intruder.client().get(&base).await.expect_problem(404, "not-found");
    intruder.client().post(&format!("{base}/confirm"), json!({})).await.expect_problem(404, "not-found");
    intruder
        .client()
        .post(
            &format!("/api/v1/tickets/{ticket}/attachments"),
            json!({"filename": "b.txt", "content_type": "text/plain", "size": 3}),
        )
        .await
        .expect_problem(404, "not-found");
}

#[tokio::test]
async fn a_ticket_holds_at_most_twenty_unconfirmed_announcements_and_its_read_never_shows_them() {
    let owner = signup("Announcing Co").await;
    let ticket = new_ticket(&owner).await;
    let path = format!("/api/v1/tickets/{ticket}/attachments");
    let client = owner.client();
    let announce = || client.post(&path, json!({"filename": "a.txt", "content_type": "text/plain", "size": 3}));
    let mut first = None;
    for _ in 0..20 {
        let announced = announce().await.expect(201);
        first.get_or_insert(announced.body);
    }
    let refused = announce().await.expect_problem(409, "conflict");
    assert!(refused.body["detail"].as_str().unwrap().contains("20 uploads"), "{}", refused.body);
    // Another ticket has its own bound.
    let other = new_ticket(&owner).await;
    owner
        .client()
        .post(
            &format!("/api/v1/tickets/{other}/attachments"),
            json!({"filename": "b.txt", "content_type": "text/plain", "size": 1}),
        )
        .await
        .expect(201);

    let detail = owner.client().get(&format!("/api/v1/tickets/{ticket}")).await.expect(200);
    assert_eq!(detail.body["attachments"], json!([]), "announcements are not part of the ticket");

    // Confirming one frees its place and shows it on the ticket.
    let first = first.unwrap();
    assert_eq!(put_bytes(&first["upload"], b"abc").await, 200);
    let id = first["attachment"]["id"].as_str().unwrap();
    owner.client().post(&format!("{path}/{id}/confirm"), json!({})).await.expect(200);
    owner.client().post(&format!("{path}/{id}/confirm"), json!({})).await.expect(200);
    let detail = owner.client().get(&format!("/api/v1/tickets/{ticket}")).await.expect(200);
    assert_eq!(detail.body["attachments"].as_array().unwrap().len(), 1);
    assert_eq!(detail.body["attachments"][0]["id"], id);
    announce().await.expect(201);
    announce().await.expect_problem(409, "conflict");
}
