//! Least privilege in template.yaml: every function's role holds exactly the data-plane actions its code
//! calls, on the resources it touches, and nothing broader.
//!
//! Why a maintained list and not a scan of each function's source: every AWS call is made once, in the
//! shared crate (`shared::storage::Store`, `shared::adapters`, `shared::http::idempotency`), and every
//! function links the same `Store`. A textual scan of a function's tree plus its shared dependencies
//! would therefore find every SDK call in every function and prove nothing. The list below is the result
//! of reading each function's call paths (see docs/operations.md, "IAM: what each function may do");
//! the test makes the template and that reading agree exactly, so a new call without its permission, or
//! a permission left behind after a call goes away, fails here and the list is revisited with the code.

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml_ng::Value;

/// Reads through the shared store (GetItem, Query on the table and its GSIs, BatchGetItem to hydrate
/// index entries).
const READS: &[&str] = &["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"];

/// An HTTP function's writes. DynamoDB authorizes a TransactWriteItems by the actions inside it (a Put as
/// PutItem, an Update as UpdateItem, a Delete as DeleteItem, a ConditionCheck as ConditionCheckItem);
/// there is no `dynamodb:TransactWriteItems` permission. The idempotency record of a creating POST is a
/// PutItem/GetItem/UpdateItem/DeleteItem (shared::http::idempotency); counters and read marks UpdateItems.
const API_WRITES: &[&str] = &["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"];

/// A transaction that holds a ConditionCheck (a record that must still be there, a stage that must be
/// empty, a plan that must be in the catalog).
const CHECKS: &str = "dynamodb:ConditionCheckItem";

const MANAGE_CONNECTIONS: &str = "execute-api:ManageConnections";
/// CloudWatch's GetMetricData takes no resource-level scoping: the one action allowed on `*`.
const METRICS_READ: &str = "cloudwatch:GetMetricData";
const SQS_POLL: &[&str] =
    &["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"];
const SECRET: &str = "secretsmanager:GetSecretValue";
/// Envelope encryption: a data key per sealed value, unwrapped to open it (shared::services::envelope).
const ENVELOPE: &[&str] = &["kms:GenerateDataKey", "kms:Decrypt"];
/// A raw SES v2 send (see the statement in template.yaml).
const SES_SEND: &[&str] = &["ses:SendEmail", "ses:SendRawEmail"];
const SES_IDENTITY_READ: &str = "ses:GetEmailIdentity";

/// Every DynamoDB permission the test knows; a name outside it (a typo, or the API name
/// `TransactWriteItems`, which IAM does not check) grants nothing and fails here.
const DYNAMODB_PERMISSIONS: &[&str] = &[
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
];

/// What each function's code calls: its actions, and whether it queries a GSI (`${Table.Arn}/index/*`).
struct Uses {
    actions: Vec<&'static str>,
    queries_an_index: bool,
    /// The one secret it reads at run time (the name its environment gives), if any.
    secret: Option<&'static str>,
}

fn uses(parts: &[&[&'static str]], queries_an_index: bool) -> Uses {
    Uses { actions: parts.concat(), queries_an_index, secret: None }
}

fn with_secret(mut uses: Uses, secret: &'static str) -> Uses {
    uses.actions.push(SECRET);
    uses.secret = Some(secret);
    uses
}

fn expected() -> BTreeMap<&'static str, Uses> {
    let api = |extra: &[&'static str]| uses(&[READS, API_WRITES, extra], true);
    BTreeMap::from([
        // Member, staff and workspace records, an API key by its hash (GSI1); the key's last use, with
        // its attributes pinned in the statement's condition.
        ("AuthorizerFunction", uses(&[&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"]], true)),
        // Each issuer reads its one private signing key.
        ("AuthFunction", with_secret(api(&[]), "member-signing-key")),
        ("MeFunction", with_secret(api(&[]), "socket-signing-key")),
        ("UsersFunction", api(&[])),
        // A plan change checks that the plan is in the catalog.
        // Suspension closes the workspace's sockets and re-queues its held webhook deliveries; the
        // console's health reads CloudWatch; staff second-factor secrets are sealed and opened.
        (
            "PlatformFunction",
            with_secret(
                api(&[&[CHECKS, MANAGE_CONNECTIONS, "sqs:SendMessage", METRICS_READ][..], ENVELOPE].concat()),
                "staff-signing-key",
            ),
        ),
        // A read seeds the plan catalog when it is missing; the Stripe webhook queues verified events.
        ("BillingFunction", api(&["sqs:SendMessage"])),
        // Stripe's events: the billing record, invoices, plan and standing; a suspension closes sockets,
        // a reactivation re-queues held webhook deliveries.
        ("BillingEventsFunction", uses(&[READS, API_WRITES, SQS_POLL, &["sqs:SendMessage", MANAGE_CONNECTIONS]], true)),
        ("TicketsFunction", api(&[])),
        // Notes and activities check their record; a company its owner's membership.
        ("CustomersFunction", api(&[CHECKS])),
        // A removed stage must be empty; a deal checks its pipeline's version and its owner.
        ("DealsFunction", api(&[CHECKS])),
        ("LeadsFunction", api(&[CHECKS])),
        // Zapier REST hooks are webhook endpoints: their targets are sealed and opened here.
        ("LeadCaptureFunction", api(ENVELOPE)),
        ("ActivityFunction", uses(&[READS], true)),
        (
            "AttachmentsFunction",
            api(&[
                CHECKS,
                "s3:PutObject",
                "s3:PutObjectTagging",
                "s3:DeleteObjectTagging",
                "s3:GetObject",
                "s3:GetObjectVersion",
            ]),
        ),
        // The sending domain's DKIM status for the e-mail settings (read only).
        ("SettingsFunction", api(&[SES_IDENTITY_READ])),
        // The raw message; its files written as ticket attachments, and removed when the message is
        // kept without them (storage full, past the ticket limit, a duplicate).
        ("EmailInboundFunction", api(&["s3:GetObject", "s3:PutObject", "s3:DeleteObject"])),
        // The reply, its ticket, files and thread; the claim, the sent mark and its event; the files from
        // the attachments bucket; the send.
        (
            "EmailSenderFunction",
            uses(
                &[
                    &["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"],
                    SQS_POLL,
                    &["s3:GetObject"],
                    SES_SEND,
                ],
                false,
            ),
        ),
        // The reply marked failed, or its delivery state moved, with the event.
        (
            "EmailDeadLetterFunction",
            uses(&[&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], SQS_POLL], false),
        ),
        (
            "EmailEventsFunction",
            uses(&[&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], SQS_POLL], false),
        ),
        // Reads the first row of what is exported; writes the job; queues it; signs download links (a
        // presigned GET is authorised as this role's s3:GetObject).
        ("ExportsFunction", uses(&[READS, &["dynamodb:PutItem", "sqs:SendMessage", "s3:GetObject"]], true)),
        // Reads as the member who asked (lists and reports); the job's progress; multipart uploads
        // (authorised as s3:PutObject) and the abort of one given up.
        (
            "ExportWorkerFunction",
            uses(&[READS, &["dynamodb:PutItem", "s3:PutObject", "s3:AbortMultipartUpload"], SQS_POLL], true),
        ),
        // The job marked failed.
        ("ExportDeadLetterFunction", uses(&[&["dynamodb:GetItem", "dynamodb:PutItem"], SQS_POLL], false)),
        ("SlaFunction", api(&[])),
        ("ReportsFunction", uses(&[READS], true)),
        ("RealtimeFunction", api(&[MANAGE_CONNECTIONS])),
        ("ChatFunction", api(&[MANAGE_CONNECTIONS])),
        // Fans events out to sockets, the bus, and the webhook, search and e-mail queues.
        ("OutboxFunction", api(&[MANAGE_CONNECTIONS, "sqs:SendMessage", "events:PutEvents"])),
        // An ended grace period suspends the workspace: its sockets closed.
        ("SlaScanFunction", api(&[MANAGE_CONNECTIONS, "sqs:SendMessage"])),
        // Seals webhook and Slack targets (URLs, signing secrets) and opens them to show and rotate.
        ("WebhooksFunction", api(&[&["sqs:SendMessage"][..], ENVELOPE].concat())),
        ("ApiKeysFunction", api(&[])),
        // A disconnect deletes the contact links in batches; the tokens are sealed.
        ("GoogleContactsFunction", api(&[&["dynamodb:BatchWriteItem"][..], ENVELOPE].concat())),
        ("GoogleContactsSyncFunction", api(ENVELOPE)),
        // Reads changed records and the events feed (GSI1); writes only the index version; the index
        // files under workspaces/.
        (
            "SearchIndexerFunction",
            uses(&[READS, &["dynamodb:UpdateItem", "s3:GetObject", "s3:PutObject"], SQS_POLL], true),
        ),
        // Reads only; asks the indexer for a rebuild of a lost index.
        ("SearchFunction", uses(&[READS, &["s3:GetObject", "sqs:SendMessage"]], true)),
        // The delivery and its endpoint in one BatchGetItem, attempt/breaker updates, the pause event (a
        // Put in the transaction); opens the endpoint's sealed target to send (never seals one).
        (
            "WebhookDeliveryFunction",
            uses(
                &[
                    &["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
                    SQS_POLL,
                    &["kms:Decrypt"],
                ],
                false,
            ),
        ),
        // The endpoint, the delivery marked failed; an endpoint that kept failing paused, with its event (a
        // Put in the transaction) naming its host, so its target is opened.
        (
            "WebhookDeadLetterFunction",
            uses(
                &[&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], SQS_POLL, &["kms:Decrypt"]],
                false,
            ),
        ),
        ("HealthFunction", uses(&[], false)),
        ("ApiDocsFunction", uses(&[], false)),
    ])
}

struct Grant {
    actions: Vec<String>,
    resources: Vec<String>,
    condition: Option<Value>,
}

/// A YAML value as text (tags such as `!GetAtt` and `!Sub` included), for resource checks.
fn text(value: &Value) -> String {
    serde_yaml_ng::to_string(value).unwrap().trim().to_owned()
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::Sequence(items) => items.iter().map(text).collect(),
        other => vec![text(other)],
    }
}

/// Every function's statements; a SAM policy template (DynamoDBCrudPolicy, S3ReadPolicy, ...) is an
/// error: each grants more than a function calls (Scan, ACLs, lifecycle, ...).
fn functions() -> BTreeMap<String, Vec<Grant>> {
    let raw = std::fs::read_to_string(local_stack::repo_root().join("template.yaml")).unwrap();
    let doc: Value = serde_yaml_ng::from_str(&raw).unwrap();
    assert!(
        doc.get("Globals").and_then(|g| g.get("Function")).and_then(|f| f.get("Policies")).is_none(),
        "Globals.Function.Policies would grant every function the same actions"
    );
    let mut functions = BTreeMap::new();
    for (name, resource) in doc["Resources"].as_mapping().unwrap() {
        if resource.get("Type").and_then(Value::as_str) != Some("AWS::Serverless::Function") {
            continue;
        }
        let name = name.as_str().unwrap().to_owned();
        let mut grants = Vec::new();
        let policies = resource["Properties"].get("Policies").and_then(Value::as_sequence).cloned().unwrap_or_default();
        for policy in &policies {
            let mapping = policy.as_mapping().unwrap_or_else(|| panic!("{name}: a policy by name: {}", text(policy)));
            for (kind, body) in mapping {
                assert_eq!(
                    kind.as_str(),
                    Some("Statement"),
                    "{name}: the SAM policy template {} grants more than the code calls; write the statement",
                    text(kind)
                );
                for statement in body.as_sequence().unwrap() {
                    assert_eq!(statement["Effect"].as_str(), Some("Allow"), "{name}: {}", text(statement));
                    grants.push(Grant {
                        actions: strings(&statement["Action"]),
                        resources: strings(&statement["Resource"]),
                        condition: statement.get("Condition").cloned(),
                    });
                }
            }
        }
        functions.insert(name, grants);
    }
    functions
}

/// S3 actions that change who may read a bucket or how long objects live: never a function's business.
fn is_bucket_control(action: &str) -> bool {
    let action = action.to_ascii_lowercase();
    action.starts_with("s3:")
        && ["acl", "lifecycle", "policy", "publicaccess", "bucket", "cors", "replication", "encryption"]
            .iter()
            .any(|word| action.contains(word))
}

#[test]
fn no_function_holds_a_wildcard_or_bucket_control_action() {
    for (name, grants) in functions() {
        for grant in &grants {
            for action in &grant.actions {
                assert!(!action.contains('*'), "{name}: wildcard action {action}");
                assert!(!is_bucket_control(action), "{name}: bucket control action {action}");
            }
            if grant.actions == [METRICS_READ] {
                continue;
            }
            for resource in &grant.resources {
                assert_ne!(resource, "'*'", "{name}: an action on every resource");
                assert_ne!(resource, "*", "{name}: an action on every resource");
            }
        }
    }
}

#[test]
fn each_function_holds_exactly_the_actions_its_code_calls() {
    let functions = functions();
    let expected = expected();
    let declared: BTreeSet<&str> = functions.keys().map(String::as_str).collect();
    let listed: BTreeSet<&str> = expected.keys().copied().collect();
    assert_eq!(declared, listed, "every function in template.yaml is listed here, and only those");
    for (name, grants) in &functions {
        let granted: BTreeSet<&str> = grants.iter().flat_map(|g| g.actions.iter().map(String::as_str)).collect();
        let uses: BTreeSet<&str> = expected[name.as_str()].actions.iter().copied().collect();
        let unused: Vec<_> = granted.difference(&uses).collect();
        let missing: Vec<_> = uses.difference(&granted).collect();
        assert!(unused.is_empty(), "{name} may call what its code never calls: {unused:?}");
        assert!(missing.is_empty(), "{name}'s code calls what it may not: {missing:?}");
    }
}

#[test]
fn table_actions_are_scoped_to_the_table_and_its_indexes_only_where_queried() {
    let expected = expected();
    for (name, grants) in functions() {
        let mut on_index = false;
        for grant in grants.iter().filter(|g| g.actions.iter().any(|a| a.starts_with("dynamodb:"))) {
            assert!(
                grant.actions.iter().all(|a| a.starts_with("dynamodb:")),
                "{name}: keep table actions in their own statement: {:?}",
                grant.actions
            );
            let mut this_on_index = false;
            for resource in &grant.resources {
                let index = resource.contains("${Table.Arn}/index/*");
                assert!(index || resource == "!GetAtt Table.Arn", "{name}: table action on {resource}");
                this_on_index |= index;
            }
            on_index |= this_on_index;
            if this_on_index {
                assert!(grant.actions.iter().any(|a| a == "dynamodb:Query"), "{name}: an index needs only Query");
            }
        }
        assert_eq!(on_index, expected[name.as_str()].queries_an_index, "{name}: ${{Table.Arn}}/index/* grant");
    }
}

#[test]
fn bucket_actions_are_scoped_to_objects_under_a_prefix_or_the_bucket_objects() {
    for (name, grants) in functions() {
        for grant in grants.iter().filter(|g| g.actions.iter().any(|a| a.starts_with("s3:"))) {
            for resource in &grant.resources {
                assert!(resource.contains("Bucket.Arn}/") && resource.ends_with("/*"), "{name}: s3 on {resource}");
            }
        }
    }
}

#[test]
fn every_table_action_is_a_permission_iam_checks() {
    for (name, grants) in functions() {
        for action in grants.iter().flat_map(|g| &g.actions).filter(|a| a.starts_with("dynamodb:")) {
            assert!(
                DYNAMODB_PERMISSIONS.contains(&action.as_str()),
                "{name}: {action} is not a permission IAM checks (a transaction is authorized by its actions)"
            );
        }
    }
}

/// Secrets Manager: a function reads only its own secret, the one its environment names.
#[test]
fn a_function_reads_only_its_own_secret() {
    let expected = expected();
    let raw = std::fs::read_to_string(local_stack::repo_root().join("template.yaml")).unwrap();
    let doc: Value = serde_yaml_ng::from_str(&raw).unwrap();
    for (name, grants) in functions() {
        let secrets: Vec<&String> =
            grants.iter().filter(|g| g.actions.iter().any(|a| a == SECRET)).flat_map(|g| &g.resources).collect();
        match expected[name.as_str()].secret {
            None => assert!(secrets.is_empty(), "{name} may read secrets {secrets:?}"),
            Some(secret) => {
                assert_eq!(secrets.len(), 1, "{name}: one secret, not {secrets:?}");
                let own = format!("secret:switchboard/${{Stage}}/{secret}-??????");
                assert!(secrets[0].contains(&own), "{name}: {} is not {own}", secrets[0]);
                let environment = text(&doc["Resources"][name.as_str()]["Properties"]["Environment"]);
                assert!(
                    environment.contains(&format!("switchboard/${{Stage}}/{secret}")),
                    "{name}: its environment does not name {secret}"
                );
            }
        }
    }
}

/// The staff key seals staff second-factor secrets: only the platform function's role is granted it,
/// and the key's own policy lets no other role use it, and only under the staff secrets' context.
#[test]
fn only_the_platform_function_may_use_the_staff_key() {
    for (name, grants) in functions() {
        let granted = grants.iter().any(|grant| grant.resources.iter().any(|r| r == "!GetAtt StaffKey.Arn"));
        assert_eq!(granted, name == "PlatformFunction", "{name}: the staff key granted: {granted}");
    }
    let raw = std::fs::read_to_string(local_stack::repo_root().join("template.yaml")).unwrap();
    let doc: Value = serde_yaml_ng::from_str(&raw).unwrap();
    let statements = doc["Resources"]["StaffKey"]["Properties"]["KeyPolicy"]["Statement"].as_sequence().unwrap();
    let uses: Vec<&Value> = statements
        .iter()
        .filter(|statement| strings(&statement["Action"]).iter().any(|a| ENVELOPE.contains(&a.as_str())))
        .collect();
    assert_eq!(uses.len(), 1, "one statement lets a role use the staff key");
    let condition = &uses[0]["Condition"];
    let roles = strings(&condition["ArnLike"]["aws:PrincipalArn"]);
    assert_eq!(roles.len(), 1, "{roles:?}");
    assert!(roles[0].contains("-PlatformFunctionRole-"), "{roles:?}");
    assert_eq!(condition["StringEquals"]["kms:EncryptionContext:purpose"].as_str(), Some("staff-totp"));
    for statement in statements {
        let actions = strings(&statement["Action"]);
        assert!(!actions.iter().any(|a| a == "kms:*" || a == "kms:Encrypt"), "{actions:?}");
    }
}

/// KMS: only on a key the template declares (never `*`), and only the data-key calls.
#[test]
fn key_actions_are_on_a_declared_key() {
    for (name, grants) in functions() {
        for grant in grants.iter().filter(|g| g.actions.iter().any(|a| a.starts_with("kms:"))) {
            assert!(grant.actions.iter().all(|a| ENVELOPE.contains(&a.as_str())), "{name}: {:?}", grant.actions);
            for resource in &grant.resources {
                assert!(resource.starts_with("!GetAtt ") && resource.ends_with("Key.Arn"), "{name}: kms on {resource}");
            }
        }
    }
}

/// SES: sends only from the inbound domain's identity, through the stack's configuration set; the
/// identity's status is read on that identity alone.
#[test]
fn sends_are_scoped_to_the_identity_and_configuration_set() {
    for (name, grants) in functions() {
        for grant in grants.iter().filter(|g| g.actions == [SES_IDENTITY_READ]) {
            assert_eq!(grant.resources.len(), 1, "{name}: {:?}", grant.resources);
            assert!(grant.resources[0].ends_with(":identity/${InboundDomain}"), "{name}: {:?}", grant.resources);
        }
        let sends = grants
            .iter()
            .filter(|g| g.actions.iter().any(|a| a.starts_with("ses:")) && g.actions != [SES_IDENTITY_READ]);
        for grant in sends {
            assert!(grant.actions.iter().all(|a| SES_SEND.contains(&a.as_str())), "{name}: {:?}", grant.actions);
            assert_eq!(grant.resources.len(), 2, "{name}: {:?}", grant.resources);
            assert!(grant.resources.iter().any(|r| r.contains(":identity/${InboundDomain}")), "{name}");
            assert!(
                grant.resources.iter().any(|r| r.contains(":configuration-set/${EmailConfigurationSet}")),
                "{name}"
            );
            let condition = grant.condition.as_ref().map(text).unwrap_or_default();
            assert!(condition.contains("ses:FromAddress") && condition.contains("*@${InboundDomain}"), "{name}");
        }
    }
}

#[test]
fn the_check_catches_what_it_should() {
    assert!(!DYNAMODB_PERMISSIONS.contains(&"dynamodb:TransactWriteItems"));
    assert!(!DYNAMODB_PERMISSIONS.contains(&"dynamodb:Scan"));
    assert!(is_bucket_control("s3:PutBucketAcl"));
    assert!(is_bucket_control("s3:PutObjectAcl"));
    assert!(is_bucket_control("s3:PutLifecycleConfiguration"));
    assert!(is_bucket_control("s3:DeleteBucketPolicy"));
    assert!(!is_bucket_control("s3:PutObject"));
    assert!(!is_bucket_control("s3:GetObjectVersion"));
}
