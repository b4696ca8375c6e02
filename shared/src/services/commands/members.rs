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
