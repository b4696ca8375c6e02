//! What the customer wrote this time, without the quoted history and signature under it: the rules of
//! the well-known reply parsers (GitHub's email_reply_parser, Mailgun's talon), for the quoting styles
//! of Gmail, Apple Mail, Thunderbird and Outlook.

/// A line that starts quoted history ("On Mon, 7 Dec 2026 at 10:00, Ada <a@x> wrote:", Outlook's
/// "-----Original Message-----" or its underscore rule followed by a From: block).
fn starts_history(line: &str, next: Option<&str>) -> bool {
    let trimmed = line.trim();
    let lower = trimmed.to_lowercase();
    if lower.starts_with("on ")
        && (lower.ends_with("wrote:") || next.is_some_and(|n| n.trim().to_lowercase() == "wrote:"))
    {
        return true;
    }
    // German, French, Spanish clients.
    if (lower.starts_with("am ") && lower.ends_with("schrieb:"))
        || (lower.starts_with("le ") && lower.ends_with("a écrit :"))
        || (lower.starts_with("el ") && lower.ends_with("escribió:"))
    {
        return true;
    }
    if lower.trim_matches('-').trim() == "original message" && trimmed.starts_with("---") {
        return true;
    }
    if trimmed.len() >= 10 && trimmed.chars().all(|c| c == '_') {
        return true;
    }
    // Outlook without a rule: "From: …" directly followed by "Sent:" or "Date:".
    lower.starts_with("from:")
        && next.is_some_and(|n| {
            let n = n.trim().to_lowercase();
            n.starts_with("sent:") || n.starts_with("date:")
        })
}

/// A line that starts the sender's signature.
fn starts_signature(line: &str) -> bool {
    let trimmed = line.trim_end();
    trimmed == "--" || trimmed == "-- " || line == "-- " || {
        let lower = trimmed.trim().to_lowercase();
        lower.starts_with("sent from my ") || lower.starts_with("get outlook for ")
    }
}

/// The new text of a reply. Falls back to the whole text when the rules would leave nothing (a message
/// that is all quote is shown as it came).
pub fn strip_reply(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut end = lines.len();
    for (index, line) in lines.iter().enumerate() {
        if starts_history(line, lines.get(index + 1).copied()) || starts_signature(line) {
            end = index;
            break;
        }
    }
    // Quoted lines at the bottom (">"), and blank lines between them, are history too.
    while end > 0 {
        let line = lines[end - 1].trim();
        if line.is_empty() || line.starts_with('>') {
            end -= 1;
        } else {
            break;
        }
    }
    // Trailing blanks on a line are noise (quoted-printable's soft `=20` leaves them).
    let kept = lines[..end].iter().map(|line| line.trim_end()).collect::<Vec<_>>().join("\n").trim().to_owned();
    if kept.is_empty() { text.trim().to_owned() } else { kept }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_quoting_is_cut_at_the_attribution_line() {
        let text = "Thanks, that worked.\n\nOn Mon, Dec 7, 2026 at 10:00 AM Acme Support <acme@inbound.test> wrote:\n> Try turning it off.\n> \n";
        assert_eq!(strip_reply(text), "Thanks, that worked.");
    }

    #[test]
    fn an_attribution_wrapped_over_two_lines_still_counts() {
        let text = "Yes.\n\nOn Mon, Dec 7, 2026 at 10:00 AM Acme Support <acme@inbound.test>\nwrote:\n> old";
        assert_eq!(strip_reply(text), "Yes.");
    }

    #[test]
    fn outlook_headers_and_rules_are_cut() {
        let ruled = "Still broken.\n\n________________________________\nFrom: Acme Support\nSent: Monday\nSubject: Re: x\n\nold";
        assert_eq!(strip_reply(ruled), "Still broken.");
        let bare =
            "Still broken.\r\n\r\nFrom: Acme Support <acme@inbound.test>\r\nSent: Monday, December 7, 2026\r\nold";
        assert_eq!(strip_reply(bare), "Still broken.");
        let original = "Ok\n-----Original Message-----\nFrom: x";
        assert_eq!(strip_reply(original), "Ok");
    }

    #[test]
    fn signatures_are_cut() {
        assert_eq!(strip_reply("Fixed now.\n-- \nAda Lovelace\nAnalytical Engines Ltd"), "Fixed now.");
        assert_eq!(strip_reply("Fixed now.\n\nSent from my iPhone"), "Fixed now.");
    }

    #[test]
    fn quoted_lines_at_the_bottom_go_but_inline_answers_stay() {
        let text = "> Which model?\nThe X200.\n\n> old line\n> older line";
        assert_eq!(strip_reply(text), "> Which model?\nThe X200.");
    }

    #[test]
    fn a_message_that_is_all_quote_is_kept_whole() {
        assert_eq!(strip_reply("> only a quote\n"), "> only a quote");
    }

    #[test]
    fn a_sentence_beginning_with_on_is_not_an_attribution() {
        let text = "On Monday it broke again.\nPlease help.";
        assert_eq!(strip_reply(text), text);
    }
}
