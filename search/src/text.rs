//! How text becomes search terms, and the typo rules: one analyzer for indexing, querying and
//! highlighting (words split on anything not a letter or digit, lower-cased, diacritics folded), the
//! edit distance a word may be from a query word, and the exact keys (e-mail, phone, ticket number).

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, TokenStream,
};

/// The analyzer's name in the index's tokenizer manager.
pub const FOLDED: &str = "folded";

pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// A word of a text: its folded form and where it is in the original (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub from: usize,
    pub to: usize,
}

pub fn words(text: &str) -> Vec<Word> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    while stream.advance() {
        let token = stream.token();
        words.push(Word { text: token.text.clone(), from: token.offset_from, to: token.offset_to });
    }
    words
}

/// How many typos a query word of this length tolerates: none below 4 characters, one from 4, two
/// from 8 (a transposition counts as one).
pub fn typos_allowed(word: &str) -> u8 {
    match word.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Optimal string alignment distance: insertions, deletions, substitutions and transpositions of
/// neighbours each cost one (what tantivy's automaton counts with `transposition_cost_one`).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// How a stored word matches a query word, best first; None when it does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WordMatch {
    Exact,
    Prefix,
    Fuzzy,
}

/// Whether `word` (folded) matches the query word `query` (folded) under the typo rules; `prefix`
/// for the last query word, which may be a word still being typed.
pub fn word_match(query: &str, word: &str, prefix: bool) -> Option<WordMatch> {
    if query == word {
        return Some(WordMatch::Exact);
    }
    if prefix && word.starts_with(query) {
        return Some(WordMatch::Prefix);
    }
    let allowed = usize::from(typos_allowed(query));
    if allowed == 0 {
        return None;
    }
    if edit_distance(query, word) <= allowed {
        return Some(WordMatch::Fuzzy);
    }
    if prefix {
        // A typo in the part typed so far: the word's beginning, a little shorter or longer.
        let length = query.chars().count();
        for cut in length.saturating_sub(allowed)..=length + allowed {
            let start: String = word.chars().take(cut).collect();
            if start.chars().count() == cut && edit_distance(query, &start) <= allowed {
                return Some(WordMatch::Fuzzy);
            }
        }
    }
    None
}

/// The exact keys: the whole value, normalised, for things people paste whole.
pub fn email_key(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

/// A phone number by its digits ("+49 (30) 1234-567" and "4930 1234567" are one number).
pub fn phone_key(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 6).then(|| format!("phone:{digits}"))
}

pub fn ticket_number_key(number: u64) -> String {
    format!("ticket:{number}")
}

pub fn domain_key(domain: &str) -> String {
    format!("domain:{}", domain.trim().to_lowercase())
}

/// The exact key a whole query stands for, if it looks like one: an e-mail address, a ticket
/// reference (`#1042`), a phone number, or a web domain.
pub fn exact_keys_of_query(query: &str) -> Vec<String> {
    let query = query.trim();
    let mut keys = Vec::new();
    if query.contains('@') && !query.contains(char::is_whitespace) {
        keys.push(email_key(query));
    }
    if let Some(number) = query.strip_prefix('#').and_then(|rest| rest.parse::<u64>().ok()) {
        keys.push(ticket_number_key(number));
    }
    if let Ok(number) = query.strip_prefix('#').unwrap_or(query).parse::<u64>() {
        keys.push(ticket_number_key(number));
    }
    let phone_like = query.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c));
    if phone_like && let Some(key) = phone_key(query) {
        keys.push(key);
    }
    if !phone_like && !query.contains('@') && query.contains('.') && !query.contains(char::is_whitespace) {
        keys.push(domain_key(query));
    }
    keys.sort();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_and_keep_their_place_in_the_original() {
        let found = words("Zoë's Café-Müller");
        let texts: Vec<&str> = found.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["zoe", "s", "cafe", "muller"]);
        assert_eq!(&"Zoë's Café-Müller"[found[2].from..found[2].to], "Café");
    }

    #[test]
    fn typos_allowed_grow_with_the_word() {
        assert_eq!(typos_allowed("bob"), 0);
        assert_eq!(typos_allowed("anna"), 1);
        assert_eq!(typos_allowed("refundss"), 2);
    }

    #[test]
    fn a_transposition_is_one_edit() {
        assert_eq!(edit_distance("invoice", "invocie"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn words_match_by_the_typo_rules() {
        assert_eq!(word_match("refund", "refund", false), Some(WordMatch::Exact));
        assert_eq!(word_match("refnud", "refund", false), Some(WordMatch::Fuzzy));
        assert_eq!(word_match("bob", "rob", false), None, "short words must be exact");
        assert_eq!(word_match("ref", "refund", true), Some(WordMatch::Prefix));
        assert_eq!(word_match("ref", "refund", false), None);
        assert_eq!(word_match("refn", "refund", true), Some(WordMatch::Fuzzy), "a typo while typing");
        assert_eq!(word_match("subscripton", "subscription", false), Some(WordMatch::Fuzzy));
        assert_eq!(word_match("sbscriptn", "subscription", false), None, "three edits");
    }

    #[test]
    fn whole_queries_that_are_keys() {
        assert_eq!(exact_keys_of_query(" Ana@Example.com "), ["email:ana@example.com"]);
        assert_eq!(exact_keys_of_query("#1042"), ["ticket:1042"]);
        assert!(exact_keys_of_query("+49 30 1234567").contains(&"phone:49301234567".to_owned()));
        assert!(exact_keys_of_query("1042").contains(&"ticket:1042".to_owned()));
        assert_eq!(exact_keys_of_query("acme.io"), ["domain:acme.io"]);
        assert!(exact_keys_of_query("refund please").is_empty());
    }
}
