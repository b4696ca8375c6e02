//! Account commands: signing up.

use crate::api::SignupRequest;
use crate::domain::{
    FieldError, Gather,
    email::Email,
    field,
    names::{PersonName, WorkspaceName},
    password::NewPassword,
};

/// A new workspace and its first owner.
#[derive(Debug)]
pub struct SignUp {
    pub workspace_name: WorkspaceName,
    pub name: PersonName,
    pub email: Email,
    pub password: NewPassword,
}

impl TryFrom<SignupRequest> for SignUp {
    type Error = Vec<FieldError>;

    fn try_from(request: SignupRequest) -> Result<Self, Self::Error> {
        let (workspace_name, name, email, password) = (
            field("workspace_name", WorkspaceName::parse(&request.workspace_name)),
            field("name", PersonName::parse(&request.name)),
            field("email", Email::parse(&request.email)),
            field("password", NewPassword::parse(&request.password)),
        )
            .gather()?;
        Ok(SignUp { workspace_name, name, email, password })
    }
}
