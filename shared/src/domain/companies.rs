//! Companies (organisation records): the rules of their fields. A company's web domain identifies it
//! within a workspace, so it is kept in one canonical form: lower case, without scheme, path, port or
//! a leading `www.`.

pub const MAX_COMPANY_NAME_CHARS: usize = 200;
pub const MAX_WEBSITE_CHARS: usize = 500;
pub const MAX_ADDRESS_CHARS: usize = 500;
pub const MAX_PHONE_CHARS: usize = 40;
/// DNS names are at most 253 characters, each label at most 63.
const MAX_DOMAIN_CHARS: usize = 253;
const MAX_LABEL_CHARS: usize = 63;

/// A web domain in its canonical form (`acme.com`), so `https://www.Acme.com/about` and `acme.com`
/// are the same company's.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Domain(String);

impl Domain {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut text = raw.trim().to_lowercase();
        for scheme in ["https://", "http://"] {
            if let Some(rest) = text.strip_prefix(scheme) {
                text = rest.to_owned();
            }
        }
        let host = text.split(['/', '?', '#']).next().unwrap_or_default();
        let host = host.split(':').next().unwrap_or_default().trim_end_matches('.');
        let host = host.strip_prefix("www.").unwrap_or(host);
        let invalid = || format!("{raw:?} is not a web domain (e.g. acme.com)");
        if host.is_empty() || host.len() > MAX_DOMAIN_CHARS || !host.contains('.') {
            return Err(invalid());
        }
        let label_ok = |label: &str| {
            !label.is_empty()
                && label.len() <= MAX_LABEL_CHARS
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if !host.split('.').all(label_ok) {
            return Err(invalid());
        }
        Ok(Self(host.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Domain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Domain {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<Domain> for String {
    fn from(domain: Domain) -> Self {
        domain.0
    }
}

/// The key a company sorts under in name order: case and surrounding space do not matter.
pub fn name_sort_key(name: &str) -> String {
    name.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_kept_in_one_form_whatever_way_they_are_written() {
        for raw in ["acme.com", "ACME.com", " https://www.Acme.com/about?x=1 ", "http://acme.com:8080", "acme.com."] {
            assert_eq!(Domain::parse(raw).unwrap().as_str(), "acme.com", "{raw}");
        }
        assert_eq!(Domain::parse("eu.shop.acme.co.uk").unwrap().as_str(), "eu.shop.acme.co.uk");
    }

    #[test]
    fn things_that_are_not_domains_are_refused() {
        for raw in ["", "acme", "acme..com", "-acme.com", "ac me.com", "acme.com-", "https://", "ä@b.com"] {
            assert!(Domain::parse(raw).is_err(), "{raw:?}");
        }
        let long = format!("{}.com", "a".repeat(64));
        assert!(Domain::parse(&long).is_err(), "a label is at most 63 characters");
    }

    #[test]
    fn names_sort_without_regard_to_case() {
        assert_eq!(name_sort_key("  Acme GmbH "), "acme gmbh");
        assert!(name_sort_key("beta") > name_sort_key("Acme"));
    }
}
