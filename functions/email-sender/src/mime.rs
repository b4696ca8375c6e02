//! The MIME of a reply (mail-builder): From the workspace's address, Reply-To with the ticket's reply
//! token, To the customer and Cc whom they copied, the threading headers of the conversation, the text
//! and the files.

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
        .text_body(mail.text.as_str());
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

#[cfg(test)]
mod tests {
    use super::*;
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

    #[test]
    fn a_notification_says_it_is_automatic() {
        let mut notification = mail();
        notification.auto_submitted = "auto-replied";
        let raw = String::from_utf8(build(&notification, "m2@x.example", 1_800_000_000).unwrap()).unwrap();
        assert!(raw.contains("Auto-Submitted: auto-replied"), "{raw}");
        assert!(raw.contains("X-Auto-Response-Suppress: All"), "{raw}");
    }
}
