//! Member commands: adding a member, and changing one.

use crate::api::{CreateUserRequest, UpdateUserRequest};
use crate::domain::{
    FieldError, Gather, email::Email, field, names::PersonName, optional_field, password::NewPassword, rbac::Role,
    user::UserStatus,
};

fn parse_status(raw: &str) -> Result<UserStatus, String> {
    match raw {
        "active" => Ok(UserStatus::Active),
        "deactivated" => Ok(UserStatus::Deactivated),
        _ => Err("must be one of active, deactivated".to_owned()),
    }
}

/// A member to add, with the password they log in with.
#[derive(Debug)]
pub struct AddMember {
    pub email: Email,
    pub name: PersonName,
    pub role: Role,
    pub password: NewPassword,
}

impl TryFrom<CreateUserRequest> for AddMember {
    type Error = Vec<FieldError>;

    fn try_from(request: CreateUserRequest) -> Result<Self, Self::Error> {
        let (email, name, role, password) = (
            field("email", Email::parse(&request.email)),
            field("name", PersonName::parse(&request.name)),
            field("role", Role::parse(&request.role)),
            field("password", NewPassword::parse(&request.password)),
        )
            .gather()?;
        Ok(AddMember { email, name, role, password })
    }
}

/// A change to a member: `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeMember {
    pub name: Option<PersonName>,
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
}

impl TryFrom<UpdateUserRequest> for ChangeMember {
    type Error = Vec<FieldError>;

    fn try_from(request: UpdateUserRequest) -> Result<Self, Self::Error> {
        let (name, role, status) = (
            optional_field("name", request.name.as_deref(), PersonName::parse),
            optional_field("role", request.role.as_deref(), Role::parse),
            optional_field("status", request.status.as_deref(), parse_status),
        )
            .gather()?;
        Ok(ChangeMember { name, role, status })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn adding_a_member_names_every_bad_field() {
        let request = json!({"email": "nope", "name": " ", "role": "boss", "password": "short"});
        let errors = AddMember::try_from(serde_json::from_value::<CreateUserRequest>(request).unwrap()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["email", "name", "role", "password"]);
    }

    #[test]
    fn a_member_change_parses_only_what_is_sent() {
        let change = |body| ChangeMember::try_from(serde_json::from_value::<UpdateUserRequest>(body).unwrap());
        assert_eq!(change(json!({})).unwrap(), ChangeMember { name: None, role: None, status: None });
        assert_eq!(change(json!({"status": "deactivated"})).unwrap().status, Some(UserStatus::Deactivated));
        let errors = change(json!({"role": "boss", "status": "gone"})).unwrap_err();
        assert_eq!(errors[1], FieldError::new("status", "must be one of active, deactivated"));
        assert_eq!(errors[0].field, "role");
    }
}
