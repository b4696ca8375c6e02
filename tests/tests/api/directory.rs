//! The member directory: every member of one's own workspace by name, for every role, never another
//! workspace's people, deactivated members marked inactive, and an API key needs its scope.

use serde_json::{Value, json};
use switchboard_tests::{Client, add_member, signup};

const DIRECTORY: &str = "/api/v1/directory";

fn names(directory: &Value) -> Vec<String> {
    directory["members"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap().to_owned()).collect()
}

fn entry<'a>(directory: &'a Value, id: &str) -> &'a Value {
    directory["members"].as_array().unwrap().iter().find(|m| m["id"] == id).unwrap_or_else(|| {
        panic!("{id} is not in the directory: {directory}");
    })
}

#[tokio::test]
async fn every_role_reads_its_own_workspaces_members_by_name_without_emails() {
    let owner = signup("Directory Co").await;
    let agent = add_member(&owner, "agent").await;
    let viewer = add_member(&owner, "viewer").await;
    owner.client().patch(&format!("/api/v1/users/{}", agent.user_id), json!({"name": "Zoe Zimmer"})).await.expect(200);
    owner.client().patch(&format!("/api/v1/users/{}", viewer.user_id), json!({"name": "ada byron"})).await.expect(200);
    let other = signup("Elsewhere Inc").await;
    let outsider = add_member(&other, "agent").await;

    for member in [&owner, &agent, &viewer] {
        let directory = member.client().get(DIRECTORY).await.expect(200).body;
        assert_eq!(names(&directory), ["ada byron", "Olivia Owner", "Zoe Zimmer"], "ordered by name");
        let zoe = entry(&directory, &agent.user_id);
        assert_eq!(zoe["initials"], "ZZ");
        assert_eq!(zoe["role"], "agent");
        assert_eq!(zoe["active"], true);
        assert_eq!(entry(&directory, &owner.user_id)["role"], "owner");
        assert!(!directory.to_string().contains('@'), "no e-mail addresses: {directory}");
        assert!(!directory.to_string().contains(&outsider.user_id), "another workspace's member");
    }
    let theirs = outsider.client().get(DIRECTORY).await.expect(200).body;
    assert_eq!(theirs["members"].as_array().unwrap().len(), 2, "{theirs}");
    assert!(!theirs.to_string().contains(&owner.user_id) && !theirs.to_string().contains(&agent.user_id));
}

#[tokio::test]
async fn a_deactivated_member_stays_listed_as_inactive() {
    let owner = signup("Leavers Co").await;
    let agent = add_member(&owner, "agent").await;
    owner
        .client()
        .patch(&format!("/api/v1/users/{}", agent.user_id), json!({"status": "deactivated"}))
        .await
        .expect(200);
    let directory = owner.client().get(DIRECTORY).await.expect(200).body;
    assert_eq!(entry(&directory, &agent.user_id)["active"], false);
    assert_eq!(entry(&directory, &owner.user_id)["active"], true);
}

#[tokio::test]
async fn an_api_key_reads_the_directory_only_with_its_scope() {
    let owner = signup("Keyed Directory Co").await;
    let make_key = async |scopes: Value| -> Client {
        let key = owner.client().post("/api/v1/api-keys", json!({"name": "Sync", "scopes": scopes})).await;
        Client::new().with_token(key.expect(201).body["secret"].as_str().unwrap())
    };
    let scoped = make_key(json!(["directory:read"])).await;
    let directory = scoped.get(DIRECTORY).await.expect(200).body;
    assert_eq!(entry(&directory, &owner.user_id)["name"], "Olivia Owner");

    let unscoped = make_key(json!(["tickets:read"])).await;
    let refused = unscoped.get(DIRECTORY).await.expect_problem(403, "forbidden");
    assert_eq!(refused.body["scope"], "directory:read");
}

#[tokio::test]
async fn the_directory_needs_a_signed_in_member() {
    Client::new().get(DIRECTORY).await.expect(401);
}
