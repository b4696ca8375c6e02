//! The one rule for control characters in text people send, applied by every parser of a text field:
//!
//! - a **line** (a subject, a name, a label, a file's display name) holds no control character at all
//!   (C0, DEL, C1): it is shown on one line, in lists, headers and notifications;
//! - a **body** (a message, a note, a description) may also hold tab, line feed and carriage return,
//!   and nothing else of C0, DEL or C1.
//!
//! A NUL or an escape sequence in stored text would break terminals, CSV exports, e-mail headers and
//! other systems reading it; they are refused with a 422 naming the field.

/// What kind of text a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    Line,
    Body,
}

/// Whether `text` keeps the rule for `kind`; the message names the first character it refuses.
pub fn check_controls(text: &str, kind: TextKind) -> Result<(), String> {
    let allowed = |c: char| kind == TextKind::Body && matches!(c, '\t' | '\n' | '\r');
    match text.chars().find(|c| c.is_control() && !allowed(*c)) {
        None => Ok(()),
        Some(c) => Err(match kind {
            TextKind::Line => format!("must be one line without control characters (found U+{:04X})", u32::from(c)),
            TextKind::Body => {
                format!(
                    "must not contain control characters other than tab and line breaks (found U+{:04X})",
                    u32::from(c)
                )
            }
        }),
    }
}

/// Text from outside that is kept whatever it holds (an e-mail's subject and body): the control characters
/// `kind` does not allow are dropped rather than refused.
pub fn strip_controls(text: &str, kind: TextKind) -> String {
    let allowed = |c: char| kind == TextKind::Body && matches!(c, '\t' | '\n' | '\r');
    text.chars().filter(|c| !c.is_control() || allowed(*c)).collect()
}

/// A single-line value: trimmed, required, at most `max` characters, no control characters.
pub fn parse_line(raw: &str, max: usize) -> Result<String, String> {
    let line = raw.trim();
    if line.is_empty() {
        return Err("is required".to_owned());
    }
    if line.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    check_controls(line, TextKind::Line)?;
    Ok(line.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripping_keeps_what_the_kind_allows() {
        assert_eq!(strip_controls("a\u{1b}[31mb\tc\n", TextKind::Body), "a[31mb\tc\n");
        assert_eq!(strip_controls("a\tb\nc", TextKind::Line), "abc");
    }

    #[test]
    fn a_line_refuses_every_control_character() {
        for bad in ["a\0b", "tab\there", "two\nlines", "cr\r", "esc\u{1b}[31m", "del\u{7f}", "c1\u{85}"] {
            assert!(check_controls(bad, TextKind::Line).is_err(), "{bad:?}");
        }
        assert!(check_controls("Printer on fire — ünïcode ✓", TextKind::Line).is_ok());
        assert!(check_controls("a\0b", TextKind::Line).unwrap_err().contains("U+0000"));
    }

    #[test]
    fn a_body_allows_tabs_and_line_breaks_only() {
        assert!(check_controls("Hello,\r\n\tthe printer\nis on fire.", TextKind::Body).is_ok());
        for bad in ["nul\0", "bell\u{7}", "esc\u{1b}[2J", "del\u{7f}", "c1\u{9b}"] {
            assert!(check_controls(bad, TextKind::Body).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_line_is_trimmed_required_and_bounded() {
        assert_eq!(parse_line("  Inbox  ", 10).unwrap(), "Inbox");
        assert!(parse_line("   ", 10).is_err());
        assert!(parse_line("elevenchars", 10).is_err());
        assert!(parse_line("new\nline", 10).is_err());
    }
}
