//! The e-mail sender: batches of the e-mail queue's messages, one agent reply each. It claims the reply
//! (never sent twice), builds its MIME ([`mime`]) and sends it raw through SES v2, then records what SES
//! answered (see `shared::services::email_outbound`). A send SES could not take now is reported back
//! (ReportBatchItemFailures) and comes again after the visibility timeout; after the 8th receive the
//! queue dead-letters it and [`handle_dead_letters`] marks the reply failed.

pub mod mime;

use std::sync::OnceLock;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_sesv2::error::DisplayErrorContext;
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{Destination, EmailContent, MessageTag, RawMessage};
use shared::App;
use shared::services::email_outbound::{self, Claimed, OutgoingMail, SendRequest};

/// Built on the first send; the same AWS configuration as every other client (locally, moto's SES).
fn ses(app: &App) -> &'static aws_sdk_sesv2::Client {
    static CLIENT: OnceLock<aws_sdk_sesv2::Client> = OnceLock::new();
    CLIENT.get_or_init(|| aws_sdk_sesv2::Client::new(&app.aws))
}

/// The configuration set whose event destination reports deliveries, bounces and complaints.
fn configuration_set() -> Option<String> {
    std::env::var("SWITCHBOARD_SES_CONFIGURATION_SET").ok().filter(|name| !name.is_empty())
}

pub async fn handle(app: &'static App, event: SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for message in &event.records {
        if let Err(err) = send_one(app, message).await {
            tracing::error!(error = %err, message_id = ?message.message_id, "e-mail reply not sent; retried");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message.message_id.clone().unwrap_or_default();
            response.batch_item_failures.push(failure);
        }
    }
    response
}

/// The dead-letter queue's consumer: a reply whose every attempt failed is marked failed with the reason.
pub async fn handle_dead_letters(app: &'static App, event: SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for message in &event.records {
        let result = match request_of(message) {
            Ok(request) => email_outbound::dead_lettered(app, &request).await.map_err(|err| err.to_string()),
            // Nothing to mark: logged and dropped.
            Err(err) => {
                tracing::error!(error = %err, "an e-mail dead letter that is no send request");
                Ok(())
            }
        };
        match result {
            Ok(()) => tracing::error!(message_id = ?message.message_id, "e-mail reply dead-lettered"),
            Err(err) => {
                tracing::error!(error = %err, "dead-lettered e-mail reply not recorded; retried");
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = message.message_id.clone().unwrap_or_default();
                response.batch_item_failures.push(failure);
            }
        }
    }
    response
}

fn request_of(message: &SqsMessage) -> Result<SendRequest, String> {
    let body = message.body.as_deref().unwrap_or_default();
    serde_json::from_str(body).map_err(|err| format!("not a send request: {err}"))
}

async fn send_one(app: &'static App, message: &SqsMessage) -> Result<(), String> {
    let request = match request_of(message) {
        Ok(request) => request,
        Err(err) => {
            // Retrying cannot make it readable.
            tracing::error!(error = %err, "dropping an unreadable e-mail queue message");
            return Ok(());
        }
    };
    let mail = match email_outbound::claim(app, &request).await.map_err(|err| err.to_string())? {
        Claimed::Send(mail) => mail,
        Claimed::Done(why) => {
            tracing::info!(ticket_id = %request.ticket_id, message_id = %request.message_id, why, "nothing to send");
            return Ok(());
        }
    };
    let domain = mail.from.rsplit_once('@').map_or("localhost", |(_, domain)| domain).to_owned();
    let raw = mime::build(&mail, &format!("{}@{domain}", request.message_id), app.clock.now().as_second())
        .map_err(|err| err.to_string())?;
    match send(app, &mail, raw).await {
        Ok(ses_id) => {
            let region = app.aws.region().map_or("us-east-1", |region| region.as_ref()).to_owned();
            email_outbound::sent(app, &request, &ses_id, &region).await.map_err(|err| err.to_string())?;
            tracing::info!(ticket_id = %request.ticket_id, message_id = %request.message_id, ses_id, "e-mail reply sent");
            Ok(())
        }
        Err(Failure::Refused(reason)) => {
            email_outbound::refused(app, &request, &reason).await.map_err(|err| err.to_string())
        }
        Err(Failure::Later(reason)) => {
            email_outbound::retry_later(app, &request, &reason).await.map_err(|err| err.to_string())?;
            Err(reason)
        }
    }
}

enum Failure {
    /// SES will not take this message: retrying sends nothing.
    Refused(String),
    /// Throttled, over a quota, a network failure: the queue tries again.
    Later(String),
}

async fn send(app: &App, mail: &OutgoingMail, raw: Vec<u8>) -> Result<String, Failure> {
    let content =
        RawMessage::builder().data(Blob::new(raw)).build().map_err(|err| Failure::Refused(err.to_string()))?;
    let destination = Destination::builder()
        .set_to_addresses(Some(mail.to.clone()))
        .set_cc_addresses((!mail.cc.is_empty()).then(|| mail.cc.clone()))
        .build();
    let mut call = ses(app)
        .send_email()
        .from_email_address(format!("\"{}\" <{}>", mail.from_name.replace(['"', '\\'], ""), mail.from))
        .destination(destination)
        .content(EmailContent::builder().raw(content).build())
        .set_configuration_set_name(configuration_set());
    for (name, value) in &mail.tags {
        let tag =
            MessageTag::builder().name(*name).value(value).build().map_err(|err| Failure::Refused(err.to_string()))?;
        call = call.email_tags(tag);
    }
    match call.send().await {
        Ok(output) => output.message_id.ok_or_else(|| Failure::Later("SES answered without a message id".to_owned())),
        Err(err) => {
            let text = DisplayErrorContext(&err).to_string();
            match err.as_service_error() {
                Some(
                    SendEmailError::MessageRejected(_)
                    | SendEmailError::MailFromDomainNotVerifiedException(_)
                    | SendEmailError::BadRequestException(_)
                    | SendEmailError::NotFoundException(_),
                ) => Err(Failure::Refused(format!("SES refused the message: {text}"))),
                _ => Err(Failure::Later(text)),
            }
        }
    }
}
