//! A real SMTP server on a local port, for tests and the mail benchmark: it speaks enough
//! SMTP for lettre (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps what it receives,
//! and can be told to refuse chosen recipients with a 4xx or 5xx reply.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One message as it arrived.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

#[derive(Default)]
struct State {
    messages: Vec<Received>,
    /// Replies to give, in order, to the next RCPT TO of each address.
    refusals: HashMap<String, VecDeque<u16>>,
    /// Once this many messages are kept, each further one is kept but never answered: the
    /// session hangs as if the server (or the sender) had died mid-send.
    hang_after: Option<usize>,
}

pub struct SmtpSink {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSink {
    /// Listens on a port the OS picks.
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0".parse().expect("address")).await.expect("bind the SMTP sink")
    }

    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                // As real servers do: a reply is never held back waiting for an ACK.
                let _ = stream.set_nodelay(true);
                tokio::spawn(session(stream, shared.clone()));
            }
        });
        Ok(Self { addr, state, task })
    }

    /// For the mail bench's raw lettre reference, which connects without a URL.
    #[allow(dead_code)]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL for SMTP_URL (plain SMTP: the sink offers no STARTTLS).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Answers the next `times` RCPT TO for `address` with `code` (e.g. 451 or 550).
    pub fn refuse(&self, address: &str, code: u16, times: usize) {
        let mut state = self.state.lock().expect("sink state");
        state.refusals.entry(address.to_owned()).or_default().extend(std::iter::repeat_n(code, times));
    }

    /// Keeps every message after the first `count` without ever answering it.
    pub fn hang_after(&self, count: usize) {
        self.state.lock().expect("sink state").hang_after = Some(count);
    }

    pub fn messages(&self) -> Vec<Received> {
        self.state.lock().expect("sink state").messages.clone()
    }

    pub fn count(&self) -> usize {
        self.state.lock().expect("sink state").messages.len()
    }
}

fn address_in(argument: &str) -> String {
    let start = argument.find('<').map_or(0, |i| i + 1);
    let end = argument[start..].find('>').map_or(argument.len(), |i| start + i);
    argument[start..end].to_owned()
}

async fn session(stream: TcpStream, state: Arc<Mutex<State>>) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    if write.write_all(b"220 sink.test ESMTP\r\n").await.is_err() {
        return;
    }
    let mut from = String::new();
    let mut to: Vec<String> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_owned();
        let verb = text.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
        let reply: String = match verb.as_str() {
            "EHLO" => "250-sink.test\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n".into(),
            "HELO" | "NOOP" => "250 ok\r\n".into(),
            "RSET" => {
                from.clear();
                to.clear();
                "250 ok\r\n".into()
            }
            "MAIL" => {
                from = address_in(&text);
                to.clear();
                "250 ok\r\n".into()
            }
            "RCPT" => {
                let address = address_in(&text);
                let refusal =
                    state.lock().expect("sink state").refusals.get_mut(&address).and_then(VecDeque::pop_front);
                match refusal {
                    Some(code) if code >= 500 => format!("{code} 5.1.1 <{address}> refused\r\n"),
                    Some(code) => format!("{code} 4.3.0 <{address}> try again later\r\n"),
                    None => {
                        to.push(address);
                        "250 ok\r\n".into()
                    }
                }
            }
            "DATA" if to.is_empty() => "503 no recipients\r\n".into(),
            "DATA" => {
                if write.write_all(b"354 go ahead\r\n").await.is_err() {
                    return;
                }
                let mut data = Vec::new();
                loop {
                    line.clear();
                    match reader.read_until(b'\n', &mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == b".\r\n" || line == b".\n" {
                        break;
                    }
                    // Undo dot-stuffing.
                    let body = if line.starts_with(b"..") { &line[1..] } else { &line[..] };
                    data.extend_from_slice(body);
                }
                let received = Received { from: from.clone(), to: std::mem::take(&mut to), data };
                let hang = {
                    let mut state = state.lock().expect("sink state");
                    state.messages.push(received);
                    state.hang_after.is_some_and(|limit| state.messages.len() > limit)
                };
                if hang {
                    std::future::pending::<()>().await;
                }
                "250 2.0.0 queued\r\n".into()
            }
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            _ => "502 not implemented\r\n".into(),
        };
        if write.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}
