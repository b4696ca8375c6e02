//! Schema-only types: how a raw string field or parameter reads, for the OpenAPI document. Requests
//! keep raw strings (so every invalid field is named in one 422); these give the document the same
//! rule the parser applies.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type};

fn uuid() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::Custom("uuid".to_owned())))
}

/// A member filter: `me` (the caller), `none` (no one) or a member id.
pub struct MemberFilter;

impl utoipa::PartialSchema for MemberFilter {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["me", "none"])))
            .item(uuid())
            .description(Some("`me`, `none` or a member id"))
            .into()
    }
}

impl utoipa::ToSchema for MemberFilter {}

/// A raw id in a request: a UUID, checked by the parser and named in the 422 when it is not one.
pub struct RawId;

impl utoipa::PartialSchema for RawId {
    fn schema() -> RefOr<Schema> {
        uuid().into()
    }
}

impl utoipa::ToSchema for RawId {}

/// An ISO 4217 currency code, one of those a deal may be priced in.
pub struct CurrencyCode;

impl utoipa::PartialSchema for CurrencyCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(crate::domain::deals::Currency::codes()))
            .description(Some("ISO 4217, e.g. EUR"))
            .into()
    }
}

impl utoipa::ToSchema for CurrencyCode {}
