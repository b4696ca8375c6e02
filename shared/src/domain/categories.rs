//! The ticket category taxonomy of a workspace: categories, each with its own subcategories.
//!
//! Pure rules: parsing the replacement an admin sends (every invalid name is reported with its field
//! path, e.g. `categories[2].subcategories[0]`), and checking a ticket's category and subcategory
//! against the taxonomy. Names compare without regard to case; a ticket gets the taxonomy's spelling.

use serde::{Deserialize, Serialize};

use super::FieldError;

pub const MAX_CATEGORIES: usize = 100;
pub const MAX_SUBCATEGORIES: usize = 50;
pub const MAX_NAME_CHARS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub name: String,
    #[serde(default)]
    pub subcategories: Vec<String>,
}

/// A valid taxonomy: at most [`MAX_CATEGORIES`] categories with unique names, each with at most
/// [`MAX_SUBCATEGORIES`] unique subcategories. Empty means "not configured": labels are free.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Taxonomy {
    categories: Vec<Category>,
}

fn parse_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("must be at most {MAX_NAME_CHARS} characters"));
    }
    super::text::check_controls(name, super::text::TextKind::Line)?;
    Ok(name.to_owned())
}

/// How names compare: trimmed and case-folded.
fn fold(name: &str) -> String {
    name.trim().to_lowercase()
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|name| format!("\"{name}\"")).collect::<Vec<_>>().join(", ")
}

impl Taxonomy {
    /// Parses `(name, subcategories)` pairs, reporting every invalid name with its field path.
    pub fn parse<'a>(raw: impl IntoIterator<Item = (&'a str, &'a [String])>) -> Result<Self, Vec<FieldError>> {
        let raw: Vec<(&str, &[String])> = raw.into_iter().collect();
        if raw.len() > MAX_CATEGORIES {
            return Err(vec![FieldError::new(
                "categories",
                format!("must have at most {MAX_CATEGORIES} categories (got {})", raw.len()),
            )]);
        }
        let mut errors = Vec::new();
        let mut categories = Vec::with_capacity(raw.len());
        let mut seen: Vec<(String, usize)> = Vec::new();
        for (index, (name, subcategories)) in raw.into_iter().enumerate() {
            let field = format!("categories[{index}]");
            let name = match parse_name(name) {
                Ok(name) => {
                    let folded = fold(&name);
                    match seen.iter().find(|(other, _)| *other == folded) {
                        Some((_, first)) => {
                            errors.push(FieldError::new(
                                format!("{field}.name"),
                                format!("repeats categories[{first}].name (names compare without regard to case)"),
                            ));
                        }
                        None => seen.push((folded, index)),
                    }
                    Some(name)
                }
                Err(message) => {
                    errors.push(FieldError::new(format!("{field}.name"), message));
                    None
                }
            };
            if subcategories.len() > MAX_SUBCATEGORIES {
                errors.push(FieldError::new(
                    format!("{field}.subcategories"),
                    format!("must have at most {MAX_SUBCATEGORIES} subcategories (got {})", subcategories.len()),
                ));
                continue;
            }
            let mut subs = Vec::with_capacity(subcategories.len());
            let mut seen_subs: Vec<(String, usize)> = Vec::new();
            for (sub_index, sub) in subcategories.iter().enumerate() {
                let sub_field = format!("{field}.subcategories[{sub_index}]");
                match parse_name(sub) {
                    Ok(sub) => {
                        let folded = fold(&sub);
                        match seen_subs.iter().find(|(other, _)| *other == folded) {
                            Some((_, first)) => errors.push(FieldError::new(
                                sub_field,
                                format!(
                                    "repeats {field}.subcategories[{first}] (names compare without regard to case)"
                                ),
                            )),
                            None => {
                                seen_subs.push((folded, sub_index));
                                subs.push(sub);
                            }
                        }
                    }
                    Err(message) => errors.push(FieldError::new(sub_field, message)),
                }
            }
            if let Some(name) = name {
                categories.push(Category { name, subcategories: subs });
            }
        }
        if errors.is_empty() { Ok(Self { categories }) } else { Err(errors) }
    }

    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// No taxonomy configured: ticket categories are free labels.
    pub fn is_empty(&self) -> bool {
        self.categories.is_empty()
    }

    fn find(&self, name: &str) -> Option<&Category> {
        let folded = fold(name);
        self.categories.iter().find(|category| fold(&category.name) == folded)
    }

    /// Checks a ticket's category and subcategory, returning them spelled as in the taxonomy. With no
    /// taxonomy configured, any labels pass unchanged.
    pub fn check(
        &self,
        category: Option<&str>,
        subcategory: Option<&str>,
    ) -> Result<(Option<String>, Option<String>), FieldError> {
        if self.is_empty() {
            return Ok((category.map(str::to_owned), subcategory.map(str::to_owned)));
        }
        let Some(raw) = category else {
            return match subcategory {
                Some(_) => Err(FieldError::new("subcategory", "needs a category")),
                None => Ok((None, None)),
            };
        };
        let Some(found) = self.find(raw) else {
            let names: Vec<String> = self.categories.iter().map(|category| category.name.clone()).collect();
            return Err(FieldError::new("category", format!("must be one of {}", quoted(&names))));
        };
        let subcategory = match subcategory {
            None => None,
            Some(raw) => {
                let folded = fold(raw);
                match found.subcategories.iter().find(|sub| fold(sub) == folded) {
                    Some(sub) => Some(sub.clone()),
                    None if found.subcategories.is_empty() => {
                        return Err(FieldError::new(
                            "subcategory",
                            format!("must be empty: the category \"{}\" has no subcategories", found.name),
                        ));
                    }
                    None => {
                        return Err(FieldError::new(
                            "subcategory",
                            format!(
                                "must be one of the subcategories of \"{}\": {}",
                                found.name,
                                quoted(&found.subcategories)
                            ),
                        ));
                    }
                }
            }
        };
        Ok((Some(found.name.clone()), subcategory))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|value| (*value).to_owned()).collect()
    }

    fn parse(raw: &[(&str, Vec<String>)]) -> Result<Taxonomy, Vec<FieldError>> {
        Taxonomy::parse(raw.iter().map(|(name, subs)| (*name, subs.as_slice())))
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|error| error.field.as_str()).collect()
    }

    fn sample() -> Taxonomy {
        parse(&[("Billing", strings(&["Refunds", "Invoices"])), ("Technical", vec![])]).unwrap()
    }

    #[test]
    fn names_are_trimmed_and_kept_in_order() {
        let taxonomy = parse(&[(" Billing ", strings(&["  Refunds"])), ("Sales", vec![])]).unwrap();
        assert_eq!(
            taxonomy.categories(),
            [
                Category { name: "Billing".into(), subcategories: strings(&["Refunds"]) },
                Category { name: "Sales".into(), subcategories: vec![] },
            ]
        );
        assert!(parse(&[]).unwrap().is_empty());
    }

    #[test]
    fn bad_names_are_reported_with_their_field_path() {
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        let errors = parse(&[
            ("Billing", vec![]),
            ("ok", strings(&["fine", "  ", &long])),
            ("   ", vec![]),
            ("tab\there", vec![]),
        ])
        .unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                "categories[1].subcategories[1]",
                "categories[1].subcategories[2]",
                "categories[2].name",
                "categories[3].name"
            ]
        );
        assert!(errors[1].message.contains("at most 64"));
        let exactly = "y".repeat(MAX_NAME_CHARS);
        assert!(parse(&[(exactly.as_str(), vec![])]).is_ok(), "64 characters are allowed");
    }

    #[test]
    fn names_must_be_unique_without_regard_to_case() {
        let errors =
            parse(&[("Billing", vec![]), ("Sales", strings(&["Leads", "LEADS "])), (" billing", vec![])]).unwrap_err();
        assert_eq!(fields(&errors), ["categories[1].subcategories[1]", "categories[2].name"]);
        assert!(errors[1].message.contains("categories[0].name"));
        // The same subcategory under two categories is fine.
        assert!(parse(&[("A", strings(&["Other"])), ("B", strings(&["other"]))]).is_ok());
    }

    #[test]
    fn counts_are_bounded() {
        let names: Vec<String> = (0..=MAX_CATEGORIES).map(|i| format!("c{i}")).collect();
        let too_many: Vec<(&str, Vec<String>)> = names.iter().map(|name| (name.as_str(), vec![])).collect();
        assert_eq!(fields(&parse(&too_many).unwrap_err()), ["categories"]);
        assert!(parse(&too_many[..MAX_CATEGORIES]).is_ok());

        let subs: Vec<String> = (0..=MAX_SUBCATEGORIES).map(|i| format!("s{i}")).collect();
        assert_eq!(fields(&parse(&[("A", subs.clone())]).unwrap_err()), ["categories[0].subcategories"]);
        assert!(parse(&[("A", subs[..MAX_SUBCATEGORIES].to_vec())]).is_ok());
    }

    #[test]
    fn tickets_take_the_taxonomys_spelling() {
        let taxonomy = sample();
        assert_eq!(
            taxonomy.check(Some("billing"), Some("REFUNDS")).unwrap(),
            (Some("Billing".into()), Some("Refunds".into()))
        );
        assert_eq!(taxonomy.check(Some("Technical"), None).unwrap(), (Some("Technical".into()), None));
        assert_eq!(taxonomy.check(None, None).unwrap(), (None, None));
    }

    #[test]
    fn unknown_values_are_refused_with_the_allowed_ones() {
        let taxonomy = sample();
        let error = taxonomy.check(Some("Shipping"), None).unwrap_err();
        assert_eq!(error.field, "category");
        assert_eq!(error.message, "must be one of \"Billing\", \"Technical\"");
        let error = taxonomy.check(Some("Billing"), Some("Chargebacks")).unwrap_err();
        assert_eq!(error.field, "subcategory");
        assert!(error.message.contains("\"Refunds\", \"Invoices\""), "{}", error.message);
        let error = taxonomy.check(Some("Technical"), Some("Anything")).unwrap_err();
        assert_eq!(error.field, "subcategory");
        assert!(error.message.contains("no subcategories"));
        assert_eq!(taxonomy.check(None, Some("Refunds")).unwrap_err().field, "subcategory");
    }

    #[test]
    fn without_a_taxonomy_labels_are_free() {
        let free = Taxonomy::default();
        assert_eq!(free.check(Some("anything"), Some("goes")).unwrap(), (Some("anything".into()), Some("goes".into())));
    }
}
