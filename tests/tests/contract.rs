//! The API keeps its contract: schemathesis (pinned in infra/python/contract.lock) fuzzes every
//! operation of the served OpenAPI document against a local stack, as a fresh workspace's owner, and
//! fails on any finding: a server error, a status code the document does not list for the operation,
//! a body or header that does not match the documented one, a wrong answer to a method the path does
//! not take, an operation that ignores authentication.
//!
//! Two checks are not run yet, and docs/api.md ("The contract") says why: `positive_data_acceptance`
//! (request schemas do not yet state every length and cross-field rule the parsers apply, so a
//! schema-valid body can still be a 422) and `negative_data_rejection` (parsers are lenient in ways the
//! schemas do not say, e.g. trimming).

use std::{path::Path, process::Command, time::Instant};

use switchboard_tests::{signup, stack};

/// Examples per operation and phase: bounded so the run stays near a minute and a half here (2 cores).
const MAX_EXAMPLES: &str = "5";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_as_the_openapi_document_says() {
    let schemathesis = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/contract/bin/schemathesis");
    assert!(
        schemathesis.exists(),
        "{} is missing: run `infra/scripts/bootstrap.sh contract` (make test does)",
        schemathesis.display()
    );
    let url = &stack().url;
    let owner = signup("Contract").await;
    let started = Instant::now();
    let run = tokio::task::spawn_blocking({
        let (url, token) = (url.clone(), owner.access_token.clone());
        move || {
            Command::new(&schemathesis)
                .args(["run", &format!("{url}/api/v1/openapi.json"), "--url", &url])
                .args(["--header", &format!("Authorization: Bearer {token}")])
                .args(["--checks", "all", "--exclude-checks", "positive_data_acceptance,negative_data_rejection"])
                .args(["--max-examples", MAX_EXAMPLES, "--workers", "2", "--generation-database", "none"])
                .arg("--no-color")
                // It writes nothing else, but keep any scratch out of the source tree.
                .current_dir(env!("CARGO_TARGET_TMPDIR"))
                .output()
                .expect("schemathesis runs")
        }
    })
    .await
    .unwrap();
    let printed = String::from_utf8_lossy(&run.stdout);
    eprintln!("schemathesis took {:.0} s", started.elapsed().as_secs_f64());
    assert!(
        run.status.success(),
        "schemathesis found contract mismatches:\n{printed}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
}
