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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn signing_up_names_every_bad_field() {
        let request = json!({"workspace_name": "", "name": "", "email": "nope", "password": "x"});
        let errors = SignUp::try_from(serde_json::from_value::<SignupRequest>(request).unwrap()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["workspace_name", "name", "email", "password"]);
    }

    #[test]
    fn a_valid_sign_up_holds_parsed_values() {
        let request = json!({"workspace_name": "Acme", "name": "Ada", "email": "Ada@Example.com", "password": "a long passphrase"});
        let command = SignUp::try_from(serde_json::from_value::<SignupRequest>(request).unwrap()).unwrap();
        assert_eq!(command.email.as_str(), "ada@example.com");
    }
}
