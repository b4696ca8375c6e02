//! The problem types' own pages: every `type` URI in an error answer is `…/api/v1/problems/<slug>`,
//! and resolves here to what the problem means and what to do about it.

use lambda_http::{Body, Request, RequestExt, Response, http::StatusCode};
use serde::Serialize;
use shared::App;
use shared::http::{HandlerResult, Problem, ProblemBody, ProblemType};
use utoipa::ToSchema;

/// One problem type's documentation.
#[derive(Serialize, ToSchema)]
pub struct ProblemTypeDoc {
    /// The type URI, as error answers carry it.
    #[serde(rename = "type")]
    pub kind: String,
    /// The last segment of `type`, stable: what clients branch on.
    pub slug: &'static str,
    pub title: &'static str,
    /// The HTTP status answers of this type have.
    pub status: u16,
    /// What it means and what the caller can do.
    pub description: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct ProblemTypeList {
    pub items: Vec<ProblemTypeDoc>,
}

fn doc(kind: ProblemType) -> ProblemTypeDoc {
    ProblemTypeDoc {
        kind: kind.uri(),
        slug: kind.slug(),
        title: kind.title(),
        status: kind.status().as_u16(),
        description: kind.description(),
    }
}

fn json(body: &impl Serialize) -> HandlerResult {
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .header("cache-control", "public, max-age=3600")
        .body(Body::Text(serde_json::to_string(body).expect("problem docs serialise")))
        .expect("static response parts are valid"))
}

/// Every problem type
///
/// The catalogue of `type` values error answers carry, each with its status and meaning. No
/// credentials needed.
#[utoipa::path(get, path = "/api/v1/problems", tag = "meta",
    responses((status = 200, body = ProblemTypeList)))]
pub async fn list(_app: &App, _req: &Request) -> HandlerResult {
    json(&ProblemTypeList { items: ProblemType::ALL.into_iter().map(doc).collect() })
}

/// One problem type
///
/// What a `type` URI resolves to. No credentials needed.
#[utoipa::path(get, path = "/api/v1/problems/{slug}", tag = "meta",
    params(("slug" = String, Path, description = "The last segment of a problem's `type`, e.g. `validation-failed`")),
    responses(
        (status = 200, body = ProblemTypeDoc),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn one(_app: &App, req: &Request) -> HandlerResult {
    let slug = req.path_parameters_ref().and_then(|params| params.first("slug")).unwrap_or_default();
    match ProblemType::from_slug(slug) {
        Some(kind) => json(&doc(kind)),
        None => Err(Problem::not_found(&format!("The problem type {slug:?}"))),
    }
}
