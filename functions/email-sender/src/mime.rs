//! The MIME of a reply (mail-builder): From the workspace's address, Reply-To with the ticket's reply
//! token, To the customer and Cc whom they copied, the threading headers of the conversation, the text
//! (as multipart/alternative: the plain text and the same words as simple, escaped HTML) and the files.

use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use shared::services::email_outbound::OutgoingMail;

/// The raw message. `message_id` is ours (SES replaces it with its own on the way out); `date` in
/// seconds since the epoch.
pub fn build(mail: &OutgoingMail, message_id: &str, date: i64) -> std::io::Result<Vec<u8>> {
    let to: Vec<Address<'_>> = mail.to.iter().map(|address| Address::from(address.as_str())).collect();
    let mut builder = MessageBuilder::new()
        .from((mail.from_name.as_str(), mail.from.as_str()))
        .reply_to(mail.reply_to.as_str())
        .to(to)
        .subject(mail.subject.as_str())
        .message_id(message_id)
        .date(date)
        // `no`: an answer a person wrote; notifications say they are automatic (RFC 3834), so
        // well-behaved auto-responders do not answer them.
        .header("Auto-Submitted", mail_builder::headers::raw::Raw::new(mail.auto_submitted))
        // Mail clients that prefer HTML show the same words, escaped: nothing written is read as markup.
        .text_body(mail.text.as_str())
        .html_body(html_of(&mail.text));
    if mail.auto_submitted != "no" {
        // Outlook and Exchange honour this instead of Auto-Submitted.
        builder = builder.header("X-Auto-Response-Suppress", mail_builder::headers::raw::Raw::new("All"));
    }
    if !mail.cc.is_empty() {
        let cc: Vec<Address<'_>> = mail.cc.iter().map(|address| Address::from(address.as_str())).collect();
        builder = builder.cc(cc);
    }
    if let Some(parent) = &mail.in_reply_to {
        builder = builder.in_reply_to(parent.as_str());
    }
    if !mail.references.is_empty() {
        let references: Vec<&str> = mail.references.iter().map(String::as_str).collect();
        builder = builder.references(references);
    }
    for file in &mail.attachments {
        builder = builder.attachment(file.content_type.as_str(), file.filename.as_str(), file.bytes.as_slice());
    }
    builder.write_to_vec()
}

/// The HTML alternative of a text: every character escaped (what an agent or a template writes is never
/// markup), paragraphs at blank lines, line breaks kept.
fn html_of(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut html = String::from("<!DOCTYPE html>\n<html><body>\n");
    for paragraph in text.split("\n\n").filter(|paragraph| !paragraph.trim().is_empty()) {
        html.push_str("<p>");
        for (index, line) in paragraph.trim_matches('\n').lines().enumerate() {
            if index > 0 {
                html.push_str("<br>\n");
            }
            for c in line.chars() {
                match c {
                    '&' => html.push_str("&amp;"),
                    '<' => html.push_str("&lt;"),
                    '>' => html.push_str("&gt;"),
                    '"' => html.push_str("&quot;"),
                    '\'' => html.push_str("&#39;"),
                    c => html.push(c),
                }
            }
        }
        html.push_str("</p>\n");
    }
    html.push_str("</body></html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MimeHeaders;
    use shared::services::email_outbound::OutgoingFile;

    fn mail() -> OutgoingMail {
        OutgoingMail {
            from_name: "Acme Support".into(),
            from: "acme-3f4a5b@inbound.example.com".into(),
            reply_to: "acme-3f4a5b+tok@inbound.example.com".into(),
            to: vec!["ada@example.com".into()],
            cc: vec!["bob@example.com".into()],
            subject: "Re: Printer on fire [#12]".into(),
            text: "We sent a technician.\nRegards".into(),
            in_reply_to: Some("second@example.com".into()),
            references: vec!["first@example.com".into(), "second@example.com".into()],
            attachments: vec![OutgoingFile {
                filename: "invoice.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1.4 fake".to_vec(),
            }],
            auto_submitted: "no",
            tags: Vec::new(),
        }
    }

    #[test]
    fn a_reply_carries_its_addresses_threading_headers_and_files() {
        let raw = String::from_utf8(build(&mail(), "m1@inbound.example.com", 1_800_000_000).unwrap()).unwrap();
        for header in [
            "From: \"Acme Support\" <acme-3f4a5b@inbound.example.com>",
            "Reply-To: <acme-3f4a5b+tok@inbound.example.com>",
            "To: <ada@example.com>",
            "Cc: <bob@example.com>",
            "In-Reply-To: <second@example.com>",
            "References: <first@example.com> <second@example.com>",
            "Message-ID: <m1@inbound.example.com>",
        ] {
            assert!(raw.contains(header), "{header} missing in\n{raw}");
        }
        assert!(raw.contains("multipart/mixed"), "{raw}");
        assert!(raw.contains("invoice.pdf"), "{raw}");
    }

    #[test]
    fn a_first_reply_has_no_threading_headers() {
        let mut first = mail();
        first.in_reply_to = None;
        first.references.clear();
        first.cc.clear();
        first.attachments.clear();
        let raw = String::from_utf8(build(&first, "m1@x.example", 1_800_000_000).unwrap()).unwrap();
        assert!(!raw.contains("In-Reply-To") && !raw.contains("References") && !raw.contains("Cc:"), "{raw}");
        assert!(raw.contains("We sent a technician."), "{raw}");
        assert!(raw.contains("Auto-Submitted: no") && !raw.contains("X-Auto-Response-Suppress"), "{raw}");
    }

    /// The text and HTML parts of a raw message, as a mail client reads them, and the types of its parts.
    fn bodies(raw: &[u8]) -> (String, String, Vec<String>) {
        let message = mail_parser::MessageParser::default().parse(raw).expect("a MIME message");
        let types = message
            .parts
            .iter()
            .filter_map(|part| part.content_type())
            .map(|kind| format!("{}/{}", kind.ctype(), kind.subtype().unwrap_or_default()))
            .collect();
        // Lines end in CRLF on the wire.
        let text = message.body_text(0).expect("a text part").replace("\r\n", "\n");
        let html = message.body_html(0).expect("an HTML part").replace("\r\n", "\n");
        (text, html, types)
    }

    #[test]
    fn a_notification_goes_as_text_and_escaped_html() {
        let mut notification = mail();
        notification.auto_submitted = "auto-replied";
        notification.attachments.clear();
        notification.text =
            "Hi Ada & <b>Bob</b>,\n\nwe received \"The printer is on fire\" [#12].\nWe'll answer soon.\n\n-- \nAcme"
                .into();
        let raw = build(&notification, "m3@x.example", 1_800_000_000).unwrap();
        let (text, html, types) = bodies(&raw);
        assert_eq!(types[0], "multipart/alternative", "{types:?}");
        assert!(types.contains(&"text/plain".to_owned()) && types.contains(&"text/html".to_owned()), "{types:?}");
        assert_eq!(text.trim_end(), notification.text);
        assert_eq!(
            html,
            "<!DOCTYPE html>\n<html><body>\n<p>Hi Ada &amp; &lt;b&gt;Bob&lt;/b&gt;,</p>\n\
             <p>we received &quot;The printer is on fire&quot; [#12].<br>\nWe&#39;ll answer soon.</p>\n\
             <p>-- <br>\nAcme</p>\n</body></html>\n"
        );
    }

    #[test]
    fn a_reply_with_files_holds_both_bodies_and_the_files() {
        let raw = build(&mail(), "m4@x.example", 1_800_000_000).unwrap();
        let (text, html, types) = bodies(&raw);
        assert_eq!(&types[..2], ["multipart/mixed", "multipart/alternative"], "{types:?}");
        assert!(types.contains(&"application/pdf".to_owned()), "{types:?}");
        assert_eq!(text.trim_end(), "We sent a technician.\nRegards");
        assert!(html.contains("<p>We sent a technician.<br>\nRegards</p>"), "{html}");
    }

    #[test]
    fn a_notification_says_it_is_automatic() {
        let mut notification = mail();
        notification.auto_submitted = "auto-replied";
        let raw = String::from_utf8(build(&notification, "m2@x.example", 1_800_000_000).unwrap()).unwrap();
        assert!(raw.contains("Auto-Submitted: auto-replied"), "{raw}");
        assert!(raw.contains("X-Auto-Response-Suppress: All"), "{raw}");
    }
}
