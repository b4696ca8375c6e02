//! Platform staff: logging in, the workspace directory, and seeding staff accounts.

use super::sign_in_throttle::{Attempt, throttled};
use super::{ServiceError, ServiceResult};
use crate::api::{DirectoryEntry, StaffLoginRequest, StaffSessionResponse, StaffView, WorkspaceDirectory};
use crate::app::App;
use crate::auth::{
    passwords,
    tokens::{Audience, TokenSubject},
};
use crate::domain::{email::Email, ids::StaffId, names::PersonName, password::NewPassword};
use crate::storage::{PageParams, staff::Staff};

const BAD_CREDENTIALS: &str = "The e-mail or password is wrong.";

/// Staff login; failures back off per e-mail ([`super::sign_in_throttle`]).
pub async fn login(app: &App, request: StaffLoginRequest) -> ServiceResult<StaffSessionResponse> {
    let email = request.email.clone();
    throttled(app, Attempt::StaffLogin, &email, check_credentials(app, request)).await
}

async fn check_credentials(app: &App, request: StaffLoginRequest) -> ServiceResult<StaffSessionResponse> {
    let staff = match Email::parse(&request.email) {
        Ok(email) => app.store.staff_by_email(&email).await?,
        Err(_) => None,
    };
    let Some(staff) = staff.filter(|staff| staff.active) else {
        passwords::verify_against_dummy(&request.password);
        return Err(ServiceError::Unauthenticated(BAD_CREDENTIALS));
    };
    if !passwords::verify(&request.password, &staff.password_hash) {
        return Err(ServiceError::Unauthenticated(BAD_CREDENTIALS));
    }
    let now = app.clock.now();
    Ok(StaffSessionResponse {
        access_token: app.tokens.issue(Audience::Staff, &TokenSubject::Staff { staff_id: staff.id }, now).await?,
        token_type: "Bearer".to_owned(),
        expires_in: app.tokens.ttl_secs(Audience::Staff),
        staff: StaffView { id: staff.id, email: staff.email.to_string(), name: staff.name.to_string() },
    })
}

pub async fn directory(app: &App, page: PageParams) -> ServiceResult<WorkspaceDirectory> {
    let page = app.store.list_workspaces(page.limit, page.cursor.as_deref()).await?;
    Ok(WorkspaceDirectory {
        items: page
            .items
            .into_iter()
            .map(|workspace| DirectoryEntry {
                id: workspace.id,
                name: workspace.name.to_string(),
                plan: workspace.plan.clone(),
                seats_used: workspace.seats_used,
                created_at: workspace.created_at,
                standing: workspace.standing,
            })
            .collect(),
        next_cursor: page.next_cursor,
    })
}

/// Adds a staff account unless the e-mail has one (operations seed staff this way; see docs/operations.md).
pub async fn ensure_staff(app: &App, email: &str, name: &str, password: &str) -> Result<bool, String> {
    let staff = Staff {
        id: StaffId::generate(),
        email: Email::parse(email).map_err(|err| format!("email {err}"))?,
        name: PersonName::parse(name).map_err(|err| format!("name {err}"))?,
        password_hash: passwords::hash(&NewPassword::parse(password).map_err(|err| format!("password {err}"))?),
        active: true,
        created_at: app.clock.now(),
    };
    app.store.create_staff_if_absent(&staff).await.map_err(|err| err.to_string())
}
