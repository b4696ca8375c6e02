//! Platform staff: logging in, the workspace directory, and seeding staff accounts.

use super::sign_in_throttle::{Attempt, throttled};
use super::{ServiceError, ServiceResult};
use crate::api::{
    ConfirmTotpRequest, DirectoryEntry, StaffLoginRequest, StaffSessionResponse, StaffView, TotpEnrolmentView,
    WorkspaceDirectory,
};
use crate::app::App;
use crate::auth::{
    passwords,
    tokens::{Audience, TokenSubject},
    totp::TotpSecret,
};
use crate::domain::{
    FieldError,
    email::Email,
    ids::{EventId, StaffId},
    names::PersonName,
    password::NewPassword,
};
use crate::storage::{
    PageParams,
    plans::AuditEntry,
    staff::{Staff, TotpWriteError},
};

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
    if staff.has_second_factor() {
        check_second_factor(app, &staff, request.totp_code.as_deref(), now).await?;
    }
    Ok(StaffSessionResponse {
        access_token: app.tokens.issue(Audience::Staff, &TokenSubject::Staff { staff_id: staff.id }, now).await?,
        token_type: "Bearer".to_owned(),
        expires_in: app.tokens.ttl_secs(Audience::Staff),
        staff: staff_view(&staff),
    })
}

fn staff_view(staff: &Staff) -> StaffView {
    StaffView {
        id: staff.id,
        email: staff.email.to_string(),
        name: staff.name.to_string(),
        second_factor: staff.has_second_factor(),
    }
}

/// The code of an enrolled staff member: missing, wrong or already used, the login is refused (and
/// counts as a failed attempt, so the password cannot be tried unthrottled by leaving the code out).
async fn check_second_factor(app: &App, staff: &Staff, code: Option<&str>, now: jiff::Timestamp) -> ServiceResult<()> {
    let Some(code) = code.filter(|code| !code.trim().is_empty()) else {
        return Err(ServiceError::SecondFactorRequired);
    };
    let secret =
        staff.totp_secret.as_deref().and_then(TotpSecret::from_stored).ok_or_else(|| {
            crate::storage::StoreError::Corrupt(format!("staff {} has no usable TOTP secret", staff.id))
        })?;
    let Some(step) = secret.matched_step(code, now) else {
        return Err(ServiceError::Unauthenticated("The authenticator code is wrong or has expired."));
    };
    if !app.store.use_staff_totp_step(staff.id, step).await? {
        return Err(ServiceError::Unauthenticated(
            "This authenticator code was used already: wait for the next one (at most 30 seconds).",
        ));
    }
    Ok(())
}

async fn signed_in_staff(app: &App, staff_id: StaffId) -> ServiceResult<Staff> {
    app.store
        .get_staff(staff_id)
        .await?
        .filter(|staff| staff.active)
        .ok_or(ServiceError::Unauthenticated("This staff account is no longer active."))
}

const ENROLLED: &str =
    "The second factor is enrolled already; to move it to a new device, follow the recovery in docs/operations.md.";

/// Starts second-factor enrolment: a new secret, shown this once. Logins need no code until a code
/// confirms it ([`confirm_totp`]); starting again replaces an unconfirmed secret.
pub async fn begin_totp_enrolment(app: &App, staff_id: StaffId) -> ServiceResult<TotpEnrolmentView> {
    let staff = signed_in_staff(app, staff_id).await?;
    if staff.has_second_factor() {
        return Err(ServiceError::Conflict(ENROLLED.to_owned()));
    }
    let secret = TotpSecret::generate();
    let otpauth_uri = secret
        .otpauth_uri(staff.email.as_str())
        .ok_or_else(|| ServiceError::Conflict("The authenticator URI could not be made.".to_owned()))?;
    match app.store.begin_staff_totp(staff_id, secret.as_base32()).await {
        Ok(()) => Ok(TotpEnrolmentView { otpauth_uri, secret: secret.as_base32().to_owned() }),
        Err(TotpWriteError::Refused) => Err(ServiceError::Conflict(ENROLLED.to_owned())),
        Err(TotpWriteError::Store(err)) => Err(err.into()),
    }
}

/// Confirms enrolment with a current code of the new secret; from then on every login needs a code.
/// The confirming code counts as used. Audited (`staff.second_factor_enrolled`).
pub async fn confirm_totp(app: &App, staff_id: StaffId, request: ConfirmTotpRequest) -> ServiceResult<StaffView> {
    let staff = signed_in_staff(app, staff_id).await?;
    if staff.has_second_factor() {
        return Err(ServiceError::Conflict(ENROLLED.to_owned()));
    }
    let Some(secret) = staff.totp_secret.as_deref().and_then(TotpSecret::from_stored) else {
        return Err(ServiceError::Conflict(
            "No enrolment is under way: start one with POST /api/v1/platform/auth/totp.".to_owned(),
        ));
    };
    let now = app.clock.now();
    let Some(step) = secret.matched_step(&request.code, now) else {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "code",
            "is not the authenticator's current code for the new secret (check the device's clock)",
        )]));
    };
    let audit = AuditEntry {
        id: EventId::generate(),
        at: now,
        staff_id,
        action: "staff.second_factor_enrolled".to_owned(),
        target: format!("staff:{staff_id}"),
        before: Some(serde_json::json!({"second_factor": false})),
        after: Some(serde_json::json!({"second_factor": true})),
    };
    match app.store.confirm_staff_totp(staff_id, secret.as_base32(), step, now, &audit).await {
        Ok(()) => Ok(StaffView { second_factor: true, ..staff_view(&staff) }),
        Err(TotpWriteError::Refused) => Err(ServiceError::Conflict(
            "The enrolment changed meanwhile (started again elsewhere): use the newest secret.".to_owned(),
        )),
        Err(TotpWriteError::Store(err)) => Err(err.into()),
    }
}

/// The recovery of a lost authenticator (docs/operations.md): removes the staff member's second
/// factor so the next login needs the password only, and the member enrols again. Audited as done by
/// the member it was done for (`staff.second_factor_reset`). Whether the e-mail had an account.
pub async fn reset_second_factor(app: &App, email: &str) -> Result<bool, String> {
    let email = Email::parse(email).map_err(|err| format!("email {err}"))?;
    let Some(staff) = app.store.staff_by_email(&email).await.map_err(|err| err.to_string())? else {
        return Ok(false);
    };
    let audit = AuditEntry {
        id: EventId::generate(),
        at: app.clock.now(),
        staff_id: staff.id,
        action: "staff.second_factor_reset".to_owned(),
        target: format!("staff:{}", staff.id),
        before: Some(serde_json::json!({"second_factor": staff.has_second_factor()})),
        after: Some(serde_json::json!({"second_factor": false})),
    };
    app.store.reset_staff_totp(staff.id, &audit).await.map_err(|err| err.to_string())?;
    Ok(true)
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
        totp_secret: None,
        totp_confirmed_at: None,
        totp_last_step: None,
    };
    app.store.create_staff_if_absent(&staff).await.map_err(|err| err.to_string())
}
