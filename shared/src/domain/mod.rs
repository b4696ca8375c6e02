//! Pure domain: plain Rust over plain types, no AWS. Parse, don't validate: a value of these types is valid.

pub mod activities;
pub mod api_keys;
pub mod categories;
pub mod companies;
pub mod deals;
pub mod email;
pub mod events;
pub mod exports;
pub mod ids;
pub mod inbox;
pub mod lead_capture;
pub mod leads;
pub mod macros;
pub mod mail_template;
pub mod names;
pub mod notifications;
pub mod password;
pub mod plan;
pub mod rbac;
pub mod records;
pub mod reports;
pub mod sales;
pub mod sealed;
pub mod sign_in_backoff;
pub mod sla;
pub mod standing;
pub mod text;
pub mod ticket;
pub mod user;
pub mod webhooks;

use thiserror::Error;

/// Why a value from outside could not become a domain value. `field` names the input field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// One field parsed: its value, or the parser's message under the field's name.
pub fn field<T>(name: &str, parsed: Result<T, String>) -> Result<T, FieldError> {
    parsed.map_err(|message| FieldError::new(name, message))
}

/// A field that may be absent: absent stays None, present is parsed under the field's name.
pub fn optional_field<R, T>(
    name: &str,
    raw: Option<R>,
    parse: impl FnOnce(R) -> Result<T, String>,
) -> Result<Option<T>, FieldError> {
    raw.map(|raw| field(name, parse(raw))).transpose()
}

/// A rule across fields (e.g. "a subcategory needs a category"), reported under `name` when broken.
pub fn rule(name: &str, holds: bool, message: &str) -> Result<(), FieldError> {
    if holds { Ok(()) } else { Err(FieldError::new(name, message)) }
}

/// The errors of one field, or of a nested group of fields.
pub trait IntoFieldErrors {
    fn into_field_errors(self) -> Vec<FieldError>;
}

impl IntoFieldErrors for FieldError {
    fn into_field_errors(self) -> Vec<FieldError> {
        vec![self]
    }
}

impl IntoFieldErrors for Vec<FieldError> {
    fn into_field_errors(self) -> Vec<FieldError> {
        self
    }
}

/// A tuple of parsed fields taken together: every value, or every error in field order, so one 422
/// names every problem in a request. `(field("a", …), field("b", …)).gather()?` gives `(a, b)`.
pub trait Gather {
    type Values;
    fn gather(self) -> Result<Self::Values, Vec<FieldError>>;
}

macro_rules! gather_tuple {
    ($($value:ident $error:ident),+) => {
        impl<$($value, $error: IntoFieldErrors),+> Gather for ($(Result<$value, $error>,)+) {
            type Values = ($($value,)+);

            #[allow(non_snake_case)]
            fn gather(self) -> Result<Self::Values, Vec<FieldError>> {
                let ($($value,)+) = self;
                let mut errors = Vec::new();
                $(let $value = $value.map_err(|error| errors.extend(error.into_field_errors())).ok();)+
                match ($($value,)+) {
                    ($(Some($value),)+) => Ok(($($value,)+)),
                    _ => Err(errors),
                }
            }
        }
    };
}

gather_tuple!(A EA);
gather_tuple!(A EA, B EB);
gather_tuple!(A EA, B EB, C EC);
gather_tuple!(A EA, B EB, C EC, D ED);
gather_tuple!(A EA, B EB, C EC, D ED, E EE);
gather_tuple!(A EA, B EB, C EC, D ED, E EE, F EF);
gather_tuple!(A EA, B EB, C EC, D ED, E EE, F EF, G EG);
gather_tuple!(A EA, B EB, C EC, D ED, E EE, F EF, G EG, H EH);
gather_tuple!(A EA, B EB, C EC, D ED, E EE, F EF, G EG, H EH, I EI);
gather_tuple!(A EA, B EB, C EC, D ED, E EE, F EF, G EG, H EH, I EI, J EJ);
gather_tuple!(A EA, B EB, C EC, D ED, E EE, F EF, G EG, H EH, I EI, J EJ, K EK);
gather_tuple!(A EA, B EB, C EC, D ED, E EE, F EF, G EG, H EH, I EI, J EJ, K EK, L EL);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gathering_yields_every_value_when_all_fields_parse() {
        let values = (field("a", Ok::<_, String>(1)), optional_field("b", Some("x"), |raw| Ok(raw.len()))).gather();
        assert_eq!(values, Ok((1, Some(1))));
    }

    #[test]
    fn gathering_names_every_bad_field_in_order() {
        let nested: Result<(), Vec<FieldError>> =
            Err(vec![FieldError::new("customer.email", "bad"), FieldError::new("customer.name", "long")]);
        let errors = (
            field::<u8>("a", Err("is required".to_owned())),
            field("b", Ok::<_, String>(2)),
            nested,
            rule("c", false, "needs a"),
        )
            .gather()
            .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["a", "customer.email", "customer.name", "c"]);
        assert_eq!(errors[0].message, "is required");
    }
}
