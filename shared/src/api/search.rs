//! Search results on the wire (`GET /api/v1/search`).

use serde::Serialize;
use utoipa::ToSchema;

/// The records matching a query, best first, across the kinds asked for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResults {
    pub results: Vec<SearchResult>,
    /// The index version the results come from (one more per indexed change).
    pub index_version: u64,
    /// Changes committed but not in the index yet; those records are searched straight from the
    /// table (their results are current, and ranked among the others).
    pub pending: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResult {
    /// `tickets`, `customers`, `companies`, `leads` or `deals`.
    #[serde(rename = "type")]
    #[schema(example = "tickets")]
    pub kind: String,
    pub id: String,
    /// The ticket's subject, the person's or company's name, the deal's title.
    pub title: String,
    /// The field the query matched best: `subject`, `message`, `internal_note`, `reference`, `name`,
    /// `email`, `phone`, `company`, `domain`, `notes`, `tags`, ...
    pub matched_field: String,
    pub snippet: Snippet,
    /// Relevance; only the order means something.
    pub score: f32,
}

/// Part of the matched field, in pieces: the matching words have `highlight` set.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Snippet {
    pub parts: Vec<SnippetPart>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SnippetPart {
    pub text: String,
    pub highlight: bool,
}

impl Snippet {
    /// `text` cut at the byte ranges to highlight (in order, not overlapping).
    pub fn from_ranges(text: &str, ranges: &[(usize, usize)]) -> Self {
        let mut parts = Vec::new();
        let mut at = 0;
        for &(from, to) in ranges {
            if from < at || to > text.len() || !text.is_char_boundary(from) || !text.is_char_boundary(to) {
                continue;
            }
            if from > at {
                parts.push(SnippetPart { text: text[at..from].to_owned(), highlight: false });
            }
            parts.push(SnippetPart { text: text[from..to].to_owned(), highlight: true });
            at = to;
        }
        if at < text.len() {
            parts.push(SnippetPart { text: text[at..].to_owned(), highlight: false });
        }
        Self { parts }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snippet_is_cut_into_plain_and_highlighted_parts() {
        let snippet = Snippet::from_ranges("Refund for Zoë please", &[(0, 6), (11, 15)]);
        let parts: Vec<(&str, bool)> = snippet.parts.iter().map(|p| (p.text.as_str(), p.highlight)).collect();
        assert_eq!(parts, [("Refund", true), (" for ", false), ("Zoë", true), (" please", false)]);
        let odd = Snippet::from_ranges("Zoë", &[(0, 3)]);
        assert_eq!(odd.parts.len(), 1, "a range inside a character is left out");
        assert!(!odd.parts[0].highlight);
    }
}
