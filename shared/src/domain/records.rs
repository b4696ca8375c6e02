//! References to sales records, for what hangs off any of them (notes now; activities next): one
//! storage and one set of rules, whichever record a note is on.

use std::fmt;

use super::ids::{CompanyId, CustomerId, DealId, LeadId};
use super::rbac::Permission;

/// The record a note belongs to: a lead, a customer, a company or a deal, all noted the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordRef {
    Lead(LeadId),
    Customer(CustomerId),
    Deal(DealId),
    Company(CompanyId),
}

impl RecordRef {
    /// The record's kind as stored and shown: `lead`, `customer`, `deal`, `company`.
    pub fn kind(self) -> &'static str {
        match self {
            RecordRef::Lead(_) => "lead",
            RecordRef::Customer(_) => "customer",
            RecordRef::Deal(_) => "deal",
            RecordRef::Company(_) => "company",
        }
    }

    /// The permission that writes to a record of this kind: `customers:write` for customers,
    /// `sales:write` for leads and deals, `customers:write` for companies.
    pub fn write_permission(self) -> Permission {
        match self {
            RecordRef::Customer(_) | RecordRef::Company(_) => Permission::CustomersWrite,
            RecordRef::Lead(_) | RecordRef::Deal(_) => Permission::SalesWrite,
        }
    }

    pub fn id(self) -> String {
        match self {
            RecordRef::Lead(id) => id.to_string(),
            RecordRef::Customer(id) => id.to_string(),
            RecordRef::Deal(id) => id.to_string(),
            RecordRef::Company(id) => id.to_string(),
        }
    }
}

/// `lead#<id>`: the record's part of a key, unique across kinds.
impl fmt::Display for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.kind(), self.id())
    }
}

/// Reads `lead#<id>` (as [`RecordRef`] displays) back.
impl std::str::FromStr for RecordRef {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let (kind, id) = raw.split_once('#').ok_or_else(|| format!("{raw:?} is not a record reference"))?;
        match kind {
            "lead" => Ok(RecordRef::Lead(id.parse()?)),
            "customer" => Ok(RecordRef::Customer(id.parse()?)),
            "deal" => Ok(RecordRef::Deal(id.parse()?)),
            _ => Err(format!("{kind:?} is not a kind of record")),
        }
    }
}

/// Stored as its `lead#<id>` text.
impl serde::Serialize for RecordRef {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for RecordRef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_name_their_kind_and_record() {
        let lead = LeadId::generate();
        assert_eq!(RecordRef::Lead(lead).to_string(), format!("lead#{lead}"));
        let customer = CustomerId::generate();
        assert_eq!(RecordRef::Customer(customer).to_string(), format!("customer#{customer}"));
        let deal = DealId::generate();
        assert_eq!(RecordRef::Deal(deal).to_string(), format!("deal#{deal}"));
        for record in [RecordRef::Lead(lead), RecordRef::Customer(customer), RecordRef::Deal(deal)] {
            assert_eq!(record.to_string().parse::<RecordRef>(), Ok(record));
        }
        assert!("ticket#x".parse::<RecordRef>().is_err());
        let stored = serde_json::to_value(RecordRef::Lead(lead)).unwrap();
        assert_eq!(stored, format!("lead#{lead}"));
        assert_eq!(serde_json::from_value::<RecordRef>(stored).unwrap(), RecordRef::Lead(lead));
        assert!(format!("lead{lead}").parse::<RecordRef>().is_err());
        let company = CompanyId::generate();
        assert_eq!(RecordRef::Company(company).to_string(), format!("company#{company}"));
    }
}
