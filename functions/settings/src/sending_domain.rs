//! The sending domain's verification, read from SES v2 (GetEmailIdentity): whether SES sends from it,
//! its DKIM status and the CNAME records to publish. Only this function links the SES client for it.

use std::sync::OnceLock;

use aws_sdk_sesv2::error::DisplayErrorContext;
use aws_sdk_sesv2::operation::get_email_identity::{GetEmailIdentityError, GetEmailIdentityOutput};
use aws_sdk_sesv2::types::DkimStatus;
use shared::App;
use shared::api::{DnsRecordView, SendingDomainStatus, SendingDomainView};

fn ses(app: &App) -> &'static aws_sdk_sesv2::Client {
    static CLIENT: OnceLock<aws_sdk_sesv2::Client> = OnceLock::new();
    CLIENT.get_or_init(|| aws_sdk_sesv2::Client::new(&app.aws))
}

/// What SES says about `domain`.
pub async fn status(app: &App, domain: &str) -> SendingDomainView {
    match ses(app).get_email_identity().email_identity(domain).send().await {
        Ok(identity) => view_of(domain, &identity),
        Err(err) => match err.as_service_error() {
            Some(GetEmailIdentityError::NotFoundException(_)) => SendingDomainView {
                domain: domain.to_owned(),
                status: SendingDomainStatus::NotSetUp,
                verified_for_sending: false,
                dkim_status: None,
                dkim_records: Vec::new(),
                detail: Some(format!(
                    "{domain} is not an SES identity: create it (aws sesv2 create-email-identity --email-identity \
                     {domain}) and publish the records it returns"
                )),
            },
            _ => {
                let reason = DisplayErrorContext(&err).to_string();
                tracing::warn!(domain, error = %reason, "SES identity status not read");
                SendingDomainView {
                    domain: domain.to_owned(),
                    status: SendingDomainStatus::Unavailable,
                    verified_for_sending: false,
                    dkim_status: None,
                    dkim_records: Vec::new(),
                    detail: Some("SES could not be asked just now; try again in a minute".to_owned()),
                }
            }
        },
    }
}

fn view_of(domain: &str, identity: &GetEmailIdentityOutput) -> SendingDomainView {
    let dkim = identity.dkim_attributes();
    let dkim_status = dkim.and_then(|dkim| dkim.status());
    let records = dkim
        .map(|dkim| dkim.tokens())
        .unwrap_or_default()
        .iter()
        .map(|token| DnsRecordView {
            record_type: "CNAME".to_owned(),
            name: format!("{token}._domainkey.{domain}"),
            value: format!("{token}.dkim.amazonses.com"),
        })
        .collect();
    let status = match dkim_status {
        Some(DkimStatus::Success) if identity.verified_for_sending_status() => SendingDomainStatus::Verified,
        Some(DkimStatus::Failed) => SendingDomainStatus::Failed,
        _ => SendingDomainStatus::Pending,
    };
    let detail = match status {
        SendingDomainStatus::Verified => None,
        SendingDomainStatus::Failed => {
            Some("SES did not find the records within 72 hours: publish them, then restart verification".to_owned())
        }
        _ => Some("Publish the CNAME records below in the domain's DNS; SES checks for them on its own".to_owned()),
    };
    SendingDomainView {
        domain: domain.to_owned(),
        status,
        verified_for_sending: identity.verified_for_sending_status(),
        dkim_status: dkim_status.map(|status| status.as_str().to_owned()),
        dkim_records: records,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_sesv2::types::DkimAttributes;

    fn identity(status: DkimStatus, verified: bool) -> GetEmailIdentityOutput {
        GetEmailIdentityOutput::builder()
            .verified_for_sending_status(verified)
            .dkim_attributes(
                DkimAttributes::builder().status(status).tokens("tok1").tokens("tok2").tokens("tok3").build(),
            )
            .build()
    }

    #[test]
    fn records_are_the_three_easy_dkim_cnames() {
        let view = view_of("mail.example.com", &identity(DkimStatus::Pending, false));
        assert_eq!(view.status, SendingDomainStatus::Pending);
        assert_eq!(view.dkim_status.as_deref(), Some("PENDING"));
        assert_eq!(view.dkim_records.len(), 3);
        assert_eq!(view.dkim_records[0].name, "tok1._domainkey.mail.example.com");
        assert_eq!(view.dkim_records[0].value, "tok1.dkim.amazonses.com");
        assert!(view.detail.unwrap().contains("Publish"));
    }

    #[test]
    fn verified_needs_both_dkim_success_and_sending() {
        assert_eq!(view_of("d.example", &identity(DkimStatus::Success, true)).status, SendingDomainStatus::Verified);
        assert_eq!(view_of("d.example", &identity(DkimStatus::Success, false)).status, SendingDomainStatus::Pending);
        assert_eq!(view_of("d.example", &identity(DkimStatus::Failed, false)).status, SendingDomainStatus::Failed);
        let retrying = view_of("d.example", &identity(DkimStatus::TemporaryFailure, false));
        assert_eq!(retrying.status, SendingDomainStatus::Pending);
    }
}
