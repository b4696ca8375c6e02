//! References to sales records, for what hangs off any of them (notes now; activities next): one
//! storage and one set of rules, whichever record a note is on.

use std::fmt;

use super::ids::{CompanyId, CustomerId, DealId, LeadId};

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

    fn id(self) -> String {
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
        let company = CompanyId::generate();
        assert_eq!(RecordRef::Company(company).to_string(), format!("company#{company}"));
    }
}
