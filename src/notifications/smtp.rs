//! Turning an outbox row into an email and handing it to the SMTP server over a small pool
//! of kept-open connections (lettre speaks SMTP; [`super::connections`] opens the sockets).

use std::sync::Arc;

use entity::outbox_message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment as LettreAttachment, Mailbox, MultiPart};

use super::connections::{Connections, Endpoint};
use crate::config::Settings;

/// What became of one send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// A 4xx reply, a timeout or no connection: worth trying again later.
    Temporary(String),
    /// A 5xx reply or an address that cannot be sent to: trying again would fail the same way.
    Permanent(String),
}

/// Sends outbox rows over one pool of SMTP connections.
#[derive(Clone)]
pub struct Mailer {
    connections: Arc<Connections>,
    from: Mailbox,
    /// The right-hand side of every Message-ID: the public host, so IDs are unique to this service.
    message_id_host: String,
}

impl Mailer {
    /// `smtp://user:pass@host:port` uses STARTTLS when the server offers it (`?tls=required`
    /// insists on it); `smtps://` speaks TLS from the start. The error is one line and never
    /// contains the password.
    pub fn new(smtp_url: &str, mail_from: &str, base_url: &url::Url) -> Result<Self, String> {
        let endpoint = Endpoint::from_url(smtp_url)?;
        let from: Mailbox = mail_from.parse().map_err(|e| format!("CONVENE_MAIL_FROM {mail_from:?}: {e}"))?;
        let message_id_host = base_url.host_str().unwrap_or("localhost").to_owned();
        Ok(Self { connections: Arc::new(Connections::new(endpoint)), from, message_id_host })
    }

    pub fn from_settings(settings: &Settings) -> Result<Option<Self>, String> {
        settings.smtp_url.as_deref().map(|url| Self::new(url, &settings.mail_from, &settings.base_url)).transpose()
    }

    /// The same for every attempt at a row, so a receiver can drop a copy sent twice.
    pub fn message_id(&self, row_id: i64) -> String {
        format!("<outbox-{row_id}@{}>", self.message_id_host)
    }

    /// Builds the email for a row: text and HTML alternatives, a stable Message-ID, and a
    /// List-Unsubscribe on reminders (the only kinds a recipient can opt out of), and the
    /// row's attachment beside the alternatives (multipart/mixed) when it has one.
    pub fn build(&self, row: &outbox_message::Model) -> Result<lettre::Message, String> {
        let to: Mailbox = row.to_email.parse().map_err(|e| format!("recipient {:?}: {e}", row.to_email))?;
        let mut builder = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .message_id(Some(self.message_id(row.id)));
        let list_unsubscribe = match &row.list_unsubscribe {
            Some(value) => Some(value.clone()),
            None if row.kind.starts_with("reminder.") => {
                Some(format!("<mailto:{}?subject=unsubscribe%20{}>", self.from.email, row.kind))
            }
            None => None,
        };
        if let Some(value) = list_unsubscribe {
            builder = builder.raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), value));
        }
        let alternative = MultiPart::alternative_plain_html(row.text_body.clone(), row.html_body.clone());
        let body = match (&row.attachment_filename, &row.attachment_content_type, &row.attachment_body) {
            (Some(filename), Some(content_type), Some(body)) => {
                let content_type = ContentType::parse(content_type)
                    .map_err(|e| format!("attachment content type {content_type:?}: {e}"))?;
                MultiPart::mixed()
                    .multipart(alternative)
                    .singlepart(LettreAttachment::new(filename.clone()).body(body.clone(), content_type))
            }
            _ => alternative,
        };
        builder.multipart(body).map_err(|e| format!("cannot build the email: {e}"))
    }

    pub async fn send(&self, row: &outbox_message::Model) -> Delivery {
        let message = match self.build(row) {
            Ok(message) => message,
            Err(why) => return Delivery::Permanent(why),
        };
        self.connections.send(&message).await
    }

    /// Says goodbye (QUIT) on the connections kept open; the pool opens new ones if used again.
    pub async fn close(&self) {
        self.connections.close().await;
    }
}

pub(super) fn one_line(error: &lettre::transport::smtp::Error) -> String {
    // lettre's Display already names the direct cause; add the deeper ones (e.g. the io error).
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error).and_then(std::error::Error::source);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.replace(['\r', '\n'], " ")
}
