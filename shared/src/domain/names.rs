//! Human-entered names: trimmed, non-empty, bounded, no control characters.

use std::fmt;

use serde::{Deserialize, Serialize};

fn parse_name(raw: &str, max: usize) -> Result<String, String> {
    super::text::parse_line(raw, max)
}

macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(raw: &str) -> Result<Self, String> {
                parse_name(raw, Self::MAX_CHARS).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

name_type!(
    /// A person's display name.
    PersonName,
    100
);
impl PersonName {
    /// What an avatar shows without a picture: the first letter of the first and of the last word,
    /// upper-cased ("Ada Lovelace" → "AL", "Grace" → "G").
    pub fn initials(&self) -> String {
        let words: Vec<&str> = self.0.split_whitespace().collect();
        let first_letter = |word: &str| word.chars().next().into_iter().flat_map(char::to_uppercase);
        match words.as_slice() {
            [] => String::new(),
            [only] => first_letter(only).collect(),
            [first, .., last] => first_letter(first).chain(first_letter(last)).collect(),
        }
    }
}

name_type!(
    /// A workspace's display name.
    WorkspaceName,
    80
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds_names() {
        assert_eq!(PersonName::parse("  Ada Lovelace ").unwrap().as_str(), "Ada Lovelace");
        assert!(PersonName::parse("   ").is_err());
        assert!(WorkspaceName::parse(&"x".repeat(81)).is_err());
        assert!(PersonName::parse("bad\u{0}name").is_err());
    }

    #[test]
    fn initials_are_the_first_and_last_words_first_letters() {
        let initials = |name: &str| PersonName::parse(name).unwrap().initials();
        assert_eq!(initials("Ada Lovelace"), "AL");
        assert_eq!(initials("grace brewster murray hopper"), "GH");
        assert_eq!(initials("Cher"), "C");
        assert_eq!(initials("élodie  ünal"), "ÉÜ");
    }
}
