//! The SMTP connections one process keeps open: opened with `TCP_NODELAY`, reused for message
//! after message, at most [`POOL_SIZE`] at a time.
//!
//! Why not lettre's own pooled transport: its sockets keep Nagle's algorithm on. lettre writes
//! a message's body and then the five bytes `\r\n.\r\n` that end it as two writes; Nagle
//! holds the second until the server acknowledges the first, and a server delays that ACK
//! (40 ms on Linux) because it is waiting for the end of the message before it answers. Every
//! message then costs ~40 ms per connection, whatever the hardware (about 160 emails/s over 8
//! connections). The fix is upstream (lettre pull request 1159) but not in a release yet; until
//! it is, we open the sockets ourselves and hand them to lettre's `AsyncSmtpConnection`, which
//! still does all of the SMTP: EHLO, STARTTLS, AUTH, dot-stuffing and reply parsing.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

use super::smtp::{Delivery, one_line};

/// How long one SMTP exchange (connecting, or sending one message) may take before it counts
/// as a temporary failure.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(20);
/// Connections open to the server at once, shared by every send of this process.
pub const POOL_SIZE: usize = 8;
/// A connection unused for longer is closed rather than reused: servers drop idle clients
/// after a few minutes (RFC 5321 asks them to wait at least 5).
const IDLE_LIMIT: Duration = Duration::from_secs(60);
/// A connection unused for longer is checked with NOOP before a message goes down it.
const CHECK_AFTER: Duration = Duration::from_secs(5);

const SMTP_PORT: u16 = 25;
const SUBMISSION_PORT: u16 = 587;
const SUBMISSIONS_PORT: u16 = 465;

/// How the connection is protected.
#[derive(Clone)]
enum Security {
    /// `?tls=none`: plain text.
    Plain,
    /// The default for `smtp://`: STARTTLS whenever the server offers it.
    Opportunistic(TlsParameters),
    /// `?tls=required`: STARTTLS or no message.
    Required(TlsParameters),
    /// `smtps://`: TLS from the first byte.
    Wrapper(TlsParameters),
}

/// Where and how to connect, read from `SMTP_URL`.
#[derive(Clone)]
pub struct Endpoint {
    host: String,
    port: u16,
    security: Security,
    hello: ClientId,
    credentials: Option<Credentials>,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the credentials.
        f.debug_struct("Endpoint").field("host", &self.host).field("port", &self.port).finish_non_exhaustive()
    }
}

impl Endpoint {
    /// `smtp://user:pass@host:port[/hello-name][?tls=none|opportunistic|required]` or
    /// `smtps://…`; the same reading as lettre's `from_url`, except that a bare `smtp://`
    /// upgrades with STARTTLS when the server offers it (a submission client should). Errors
    /// are one line without the password.
    pub fn from_url(smtp_url: &str) -> Result<Self, String> {
        let redacted = crate::db::redact(smtp_url);
        let url = url::Url::parse(smtp_url).map_err(|e| format!("SMTP_URL is not a URL: {e}"))?;
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| format!("SMTP_URL {redacted}: no host"))?;
        // IPv6 literals come bracketed from the URL; the socket wants them bare.
        let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
        let tls = |host: &str| {
            TlsParameters::new(host.to_owned()).map_err(|e| format!("SMTP_URL {redacted}: {}", one_line(&e)))
        };
        let mode = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let (security, default_port) = match (url.scheme(), mode.as_deref()) {
            ("smtp", Some("none")) => (Security::Plain, SMTP_PORT),
            ("smtp", None | Some("opportunistic")) => (Security::Opportunistic(tls(&host)?), SUBMISSION_PORT),
            ("smtp", Some("required")) => (Security::Required(tls(&host)?), SUBMISSION_PORT),
            ("smtps", _) => (Security::Wrapper(tls(&host)?), SUBMISSIONS_PORT),
            (scheme, mode) => {
                return Err(format!("SMTP_URL {redacted}: unknown scheme {scheme:?} or tls={mode:?}"));
            }
        };
        let hello = match url.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_owned()),
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| format!("SMTP_URL {redacted}: the user or password is not UTF-8"))
        };
        let credentials = match url.password() {
            Some(password) => Some(Credentials::new(decode(url.username())?, decode(password)?)),
            None => None,
        };
        Ok(Self { port: url.port().unwrap_or(default_port), host, security, hello, credentials })
    }

    /// Opens, greets, secures and authenticates one connection.
    async fn connect(&self) -> Result<AsyncSmtpConnection, Failure> {
        let socket = TcpStream::connect((self.host.as_str(), self.port)).await?;
        // The point of this module: see the module comment.
        socket.set_nodelay(true)?;
        let stream: Box<dyn AsyncTokioStream> = match &self.security {
            Security::Wrapper(tls) => Box::new(Tls::wrap(socket, tls.clone()).await?),
            _ => Box::new(socket),
        };
        let mut connection = AsyncSmtpConnection::connect_with_transport(stream, &self.hello).await?;
        match &self.security {
            Security::Opportunistic(tls) if connection.can_starttls() => {
                connection.starttls(tls.clone(), &self.hello).await?;
            }
            Security::Required(tls) => connection.starttls(tls.clone(), &self.hello).await?,
            _ => {}
        }
        if let Some(credentials) = &self.credentials {
            connection.auth(&[Mechanism::Plain, Mechanism::Login], credentials).await?;
        }
        Ok(connection)
    }
}

/// Why a connection could not be had: the socket, or SMTP (lettre's error, e.g. a refused AUTH).
enum Failure {
    Io(io::Error),
    Smtp(lettre::transport::smtp::Error),
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        Self::Io(error)
    }
}

impl From<lettre::transport::smtp::Error> for Failure {
    fn from(error: lettre::transport::smtp::Error) -> Self {
        Self::Smtp(error)
    }
}

impl Failure {
    fn delivery(&self) -> Delivery {
        match self {
            // Refused, reset, unreachable, timed out: the server may be back later.
            Self::Io(error) => Delivery::Temporary(format!("cannot connect: {error}")),
            Self::Smtp(error) => classify(error),
        }
    }
}

struct Idle {
    connection: AsyncSmtpConnection,
    since: Instant,
}

/// The pool: idle connections on a stack (the warmest first), a semaphore for the limit.
pub struct Connections {
    endpoint: Endpoint,
    idle: Mutex<Vec<Idle>>,
    permits: Semaphore,
}

impl Connections {
    pub fn new(endpoint: Endpoint) -> Self {
        Self { endpoint, idle: Mutex::new(Vec::new()), permits: Semaphore::new(POOL_SIZE) }
    }

    fn take_idle(&self) -> Option<Idle> {
        self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop()
    }

    fn put_back(&self, connection: AsyncSmtpConnection) {
        let idle = Idle { connection, since: Instant::now() };
        self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(idle);
    }

    /// An open connection: an idle one that still answers, or a new one.
    async fn checkout(&self) -> Result<AsyncSmtpConnection, Failure> {
        while let Some(Idle { mut connection, since }) = self.take_idle() {
            let unused = since.elapsed();
            if unused > IDLE_LIMIT {
                let _ = tokio::time::timeout(SMTP_TIMEOUT, connection.quit()).await;
                continue;
            }
            if unused <= CHECK_AFTER
                || tokio::time::timeout(SMTP_TIMEOUT, connection.test_connected()).await.unwrap_or(false)
            {
                return Ok(connection);
            }
        }
        match tokio::time::timeout(SMTP_TIMEOUT, self.endpoint.connect()).await {
            Ok(result) => result,
            Err(_) => Err(Failure::Io(io::Error::new(io::ErrorKind::TimedOut, "timed out"))),
        }
    }

    /// Sends one message down a pooled connection. The connection goes back to the pool
    /// unless lettre has given up on it (it does after any failed command).
    pub async fn send(&self, message: &lettre::Message) -> Delivery {
        let Ok(_permit) = self.permits.acquire().await else {
            return Delivery::Temporary("the mailer is closed".into());
        };
        let mut connection = match self.checkout().await {
            Ok(connection) => connection,
            Err(failure) => return failure.delivery(),
        };
        let body = message.formatted();
        match tokio::time::timeout(SMTP_TIMEOUT, connection.send(message.envelope(), &body)).await {
            Ok(Ok(_)) => {
                self.put_back(connection);
                Delivery::Sent
            }
            Ok(Err(error)) => {
                if !connection.has_broken() {
                    self.put_back(connection);
                }
                classify(&error)
            }
            Err(_) => Delivery::Temporary(format!("no answer within {} s", SMTP_TIMEOUT.as_secs())),
        }
    }

    /// QUIT on every idle connection.
    pub async fn close(&self) {
        while let Some(mut idle) = self.take_idle() {
            let _ = tokio::time::timeout(SMTP_TIMEOUT, idle.connection.quit()).await;
        }
    }
}

fn classify(error: &lettre::transport::smtp::Error) -> Delivery {
    if error.is_permanent() {
        Delivery::Permanent(one_line(error))
    } else {
        // Transient replies, timeouts, refused connections and TLS trouble all may pass.
        Delivery::Temporary(one_line(error))
    }
}

/// A socket that speaks TLS from the first byte (`smtps://`), for lettre's connection: the
/// handshake is lettre's own (its rustls set-up and roots); this only adapts its stream.
struct Tls(tokio_util::compat::Compat<TlsStream>);

#[allow(deprecated)]
type TlsStream = lettre::transport::smtp::client::AsyncNetworkStream;

impl Tls {
    #[allow(deprecated)]
    async fn wrap(socket: TcpStream, tls: TlsParameters) -> Result<Self, Failure> {
        use tokio_util::compat::FuturesAsyncReadCompatExt;
        let mut stream = TlsStream::use_existing_tokio1(Box::new(socket));
        stream.upgrade_tls(tls).await?;
        Ok(Self(stream.compat()))
    }
}

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tls")
    }
}

impl AsyncRead for Tls {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Tls {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl AsyncTokioStream for Tls {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().peer_addr()
    }
}
