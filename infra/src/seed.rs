//! Demo data for `make dev`: a workspace with an owner, an agent and an SLA policy, a platform staff
//! account, and a living helpdesk (demo_story). Idempotent: what exists is left alone.

mod demo_story;

use shared::App;
use shared::api::{CreateUserRequest, LoginRequest, SessionResponse, SignupRequest};
use shared::auth::{MemberPrincipal, Principal};
use shared::services::{ServiceError, accounts, members, platform, sla};

pub struct DemoLogin {
    pub role: &'static str,
    pub email: &'static str,
    pub password: &'static str,
}

pub const DEMO_WORKSPACE: &str = "Demo Support";
pub const DEMO_OWNER: DemoLogin =
    DemoLogin { role: "owner", email: "owner@demo.switchboard.local", password: "demo-owner-password" };
pub const DEMO_AGENT: DemoLogin =
    DemoLogin { role: "agent", email: "agent@demo.switchboard.local", password: "demo-agent-password" };
pub const DEMO_STAFF: DemoLogin =
    DemoLogin { role: "platform staff", email: "staff@switchboard.local", password: "demo-staff-password" };

pub async fn seed(app: &App) -> Result<(), String> {
    let login = LoginRequest {
        email: DEMO_OWNER.email.to_owned(),
        password: DEMO_OWNER.password.to_owned(),
        workspace_id: None,
    };
    let session = match accounts::login(app, login).await {
        Ok(session) => session,
        Err(ServiceError::Unauthenticated(_)) => accounts::signup(
            app,
            SignupRequest {
                workspace_name: DEMO_WORKSPACE.to_owned(),
                name: "Olivia Owner".to_owned(),
                email: DEMO_OWNER.email.to_owned(),
                password: DEMO_OWNER.password.to_owned(),
            },
        )
        .await
        .map_err(|err| format!("seeding the demo workspace: {err}"))?,
        Err(err) => return Err(format!("seeding the demo workspace: {err}")),
    };
    let owner = principal(app, &session).await?;
    let agent = CreateUserRequest {
        email: DEMO_AGENT.email.to_owned(),
        name: "Adam Agent".to_owned(),
        role: "agent".to_owned(),
        password: DEMO_AGENT.password.to_owned(),
    };
    match members::create(app, &owner, agent).await {
        Ok(_) | Err(ServiceError::EmailTaken) => {}
        Err(err) => return Err(format!("seeding the demo agent: {err}")),
    }
    // Around the clock, so the radar and the clocks move whenever someone tries them.
    if sla::get_policy(app, &owner).await.map_err(|err| err.to_string())?.version == 0 {
        let policy = serde_json::from_value(serde_json::json!({"time_zone": "UTC", "targets": {
            "urgent": {"first_response_minutes": 60, "resolution_minutes": 240},
            "high": {"first_response_minutes": 120, "resolution_minutes": 480},
            "normal": {"first_response_minutes": 480, "resolution_minutes": 1440},
            "low": {"first_response_minutes": 1440, "resolution_minutes": 4320}}}))
        .map_err(|err| format!("the demo SLA policy: {err}"))?;
        sla::put_policy(app, &owner, policy, None).await.map_err(|err| format!("seeding the SLA policy: {err}"))?;
    }
    platform::ensure_staff(app, DEMO_STAFF.email, "Pat Platform", DEMO_STAFF.password).await?;
    let agent = sign_in(app, &DEMO_AGENT).await?;
    demo_story::tell(app, &owner, &agent).await
}

async fn sign_in(app: &App, demo: &DemoLogin) -> Result<MemberPrincipal, String> {
    let request = LoginRequest { email: demo.email.to_owned(), password: demo.password.to_owned(), workspace_id: None };
    let session =
        accounts::login(app, request).await.map_err(|err| format!("signing in as the demo {}: {err}", demo.role))?;
    principal(app, &session).await
}

/// The member a session belongs to, verified as the authorizer verifies it (token, then storage).
async fn principal(app: &App, session: &SessionResponse) -> Result<MemberPrincipal, String> {
    match accounts::authenticate(app, &session.access_token, &[shared::auth::tokens::Audience::Member])
        .await
        .map_err(|err| err.to_string())?
    {
        Some(Principal::Member(member)) => Ok(member),
        _ => Err("the demo session names no member".into()),
    }
}

/// Moves a workspace to the enterprise plan (benchmarks seed more tickets than the free plan allows).
pub async fn raise_plan(app: &App, owner: &MemberPrincipal) -> Result<(), String> {
    use shared::services::plans;
    let request = shared::api::ChangePlanRequest { plan: "enterprise".to_owned() };
    plans::change_workspace_plan(app, plans::PlanChanger::Operations, owner.workspace_id(), request)
        .await
        .map(|_| ())
        .map_err(|err| format!("{err:?}"))
}
