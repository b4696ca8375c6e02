//! A fake Lambda Runtime API on 127.0.0.1 for one run: hands out its single invocation on
//! `GET /2018-06-01/runtime/invocation/next`, holds every later `next` open (as Lambda does while no event is
//! waiting), and reports when each runtime request arrived. Each run gets its own port, so a straggler from an
//! earlier run can never take or answer the event of a later one.
//!
//! The same port stands in for DynamoDB (the functions get it as `AWS_ENDPOINT_URL`): every call is
//! answered as finding nothing, so a first request that reads storage is timed with its client built, its
//! request signed and one round trip made, but without a network or a database in the figure.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const NEXT: &str = "/2018-06-01/runtime/invocation/next";
const INVOCATION_PREFIX: &str = "/2018-06-01/runtime/invocation/";
const INIT_ERROR: &str = "/2018-06-01/runtime/init/error";
/// Runtime requests are small; anything larger is a bug worth stopping on.
const MAX_BODY_BYTES: usize = 16 << 20;

/// The event handed to the function under test.
pub struct Invocation {
    pub request_id: String,
    pub function_arn: String,
    pub body: Vec<u8>,
}

/// Whether the function answered through `/response` or `/error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Response,
    Error,
}

/// What the runtime did, stamped when the request line arrived.
pub enum Hit {
    /// The first `GET .../invocation/next` of the run: initialisation is over.
    NextRequested(Instant),
    Answered {
        at: Instant,
        request_id: String,
        outcome: Outcome,
        body: Vec<u8>,
    },
    InitError {
        body: Vec<u8>,
    },
    /// A DynamoDB call (its `X-Amz-Target` operation, e.g. `Query`).
    DynamoDb {
        operation: String,
    },
}

/// What every DynamoDB call gets: no item, no items (fields an operation does not have are ignored).
const DYNAMODB_NOTHING: &[u8] = br#"{"Items":[],"Count":0,"ScannedCount":0}"#;

struct Slot {
    pending: Option<Invocation>,
    next_seen: bool,
    hits: Sender<Hit>,
}

impl Slot {
    fn report(&self, hit: Hit) {
        let _ = self.hits.send(hit);
    }
}

pub struct RuntimeApi {
    addr: SocketAddr,
    stopped: Arc<AtomicBool>,
}

impl RuntimeApi {
    /// Binds an ephemeral port and serves `invocation` on background threads until dropped; the receiver
    /// reports what the runtime does with it.
    pub fn start(invocation: Invocation) -> io::Result<(Self, Receiver<Hit>)> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let (hits, receiver) = mpsc::channel();
        let slot = Arc::new(Mutex::new(Slot { pending: Some(invocation), next_seen: false, hits }));
        let stopped = Arc::new(AtomicBool::new(false));
        let accept_stopped = Arc::clone(&stopped);
        thread::Builder::new().name("runtime-api".to_owned()).spawn(move || {
            for stream in listener.incoming().flatten() {
                if accept_stopped.load(Ordering::SeqCst) {
                    return;
                }
                let slot = Arc::clone(&slot);
                let _ = thread::Builder::new().name("runtime-conn".to_owned()).spawn(move || {
                    let _ = serve_connection(stream, &slot);
                });
            }
        })?;
        Ok((Self { addr, stopped }, receiver))
    }

    /// `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn authority(&self) -> String {
        self.addr.to_string()
    }
}

impl Drop for RuntimeApi {
    /// Stops accepting (one connection wakes the accept loop); open connections end with their process.
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

fn lock(slot: &Mutex<Slot>) -> std::sync::MutexGuard<'_, Slot> {
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

struct Request {
    at: Instant,
    method: String,
    path: String,
    /// `X-Amz-Target`, sent by the AWS SDK on JSON-protocol calls (DynamoDB's).
    amz_target: Option<String>,
    body: Vec<u8>,
}

fn serve_connection(stream: TcpStream, slot: &Mutex<Slot>) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    while let Some(request) = read_request(&mut reader)? {
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", NEXT) => {
                let invocation = {
                    let mut slot = lock(slot);
                    if !slot.next_seen {
                        slot.next_seen = true;
                        slot.report(Hit::NextRequested(request.at));
                    }
                    slot.pending.take()
                };
                match invocation {
                    Some(invocation) => write_event(&mut writer, &invocation)?,
                    None => {
                        // Long poll: no second event is coming; wait for the process to go away.
                        io::copy(&mut reader, &mut io::sink())?;
                        return Ok(());
                    }
                }
            }
            ("POST", INIT_ERROR) => {
                lock(slot).report(Hit::InitError { body: request.body });
                write_status(&mut writer, "202 Accepted", br#"{"status":"OK"}"#)?;
            }
            ("POST", path) if path.starts_with(INVOCATION_PREFIX) => {
                let rest = &path[INVOCATION_PREFIX.len()..];
                let answer = rest
                    .strip_suffix("/response")
                    .map(|id| (id, Outcome::Response))
                    .or_else(|| rest.strip_suffix("/error").map(|id| (id, Outcome::Error)));
                match answer {
                    Some((request_id, outcome)) => {
                        let request_id = request_id.to_owned();
                        lock(slot).report(Hit::Answered { at: request.at, request_id, outcome, body: request.body });
                        write_status(&mut writer, "202 Accepted", br#"{"status":"OK"}"#)?;
                    }
                    None => write_status(&mut writer, "404 Not Found", br#"{"errorType":"NotFound"}"#)?,
                }
            }
            ("POST", "/") if request.amz_target.is_some() => {
                let target = request.amz_target.unwrap_or_default();
                let operation = target.strip_prefix("DynamoDB_20120810.").unwrap_or(&target).to_owned();
                lock(slot).report(Hit::DynamoDb { operation });
                write_status_typed(&mut writer, "200 OK", "application/x-amz-json-1.0", DYNAMODB_NOTHING)?;
            }
            _ => write_status(&mut writer, "404 Not Found", br#"{"errorType":"NotFound"}"#)?,
        }
    }
    Ok(())
}

/// Reads one HTTP/1.1 request; `None` when the peer closed the connection between requests.
fn read_request(reader: &mut impl BufRead) -> io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let at = Instant::now();
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Err(invalid(format!("bad request line {line:?}")));
    };
    let (method, path) = (method.to_owned(), target.split('?').next().unwrap_or(target).to_owned());
    let mut content_length = 0usize;
    let mut chunked = false;
    let mut amz_target = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                content_length = value.parse().map_err(|_| invalid(format!("bad content-length {value:?}")))?;
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.to_ascii_lowercase().contains("chunked");
            } else if name.eq_ignore_ascii_case("x-amz-target") {
                amz_target = Some(value.to_owned());
            }
        }
    }
    let body = if chunked { read_chunked(reader)? } else { read_exact_body(reader, content_length)? };
    Ok(Some(Request { at, method, path, amz_target, body }))
}

fn read_exact_body(reader: &mut impl Read, len: usize) -> io::Result<Vec<u8>> {
    if len > MAX_BODY_BYTES {
        return Err(invalid(format!("body of {len} bytes")));
    }
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    Ok(body)
}

fn read_chunked(reader: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size_line = String::new();
        reader.read_line(&mut size_line)?;
        let size = size_line.trim().split(';').next().unwrap_or_default();
        let size = usize::from_str_radix(size, 16).map_err(|_| invalid(format!("bad chunk size {size_line:?}")))?;
        if size == 0 {
            // Trailers (lambda_runtime sends error trailers on streamed responses), then the blank line.
            loop {
                let mut trailer = String::new();
                if reader.read_line(&mut trailer)? == 0 || trailer.trim_end().is_empty() {
                    return Ok(body);
                }
            }
        }
        if body.len() + size > MAX_BODY_BYTES {
            return Err(invalid("chunked body too large".to_owned()));
        }
        body.extend(read_exact_body(reader, size)?);
        let mut crlf = [0u8; 2];
        reader.read_exact(&mut crlf)?;
    }
}

fn write_event(writer: &mut impl Write, invocation: &Invocation) -> io::Result<()> {
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis();
    let deadline_ms = now_ms + Duration::from_secs(30).as_millis();
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Lambda-Runtime-Aws-Request-Id: {}\r\nLambda-Runtime-Deadline-Ms: {deadline_ms}\r\n\
         Lambda-Runtime-Invoked-Function-Arn: {}\r\nLambda-Runtime-Trace-Id: {}\r\n\r\n",
        invocation.body.len(),
        invocation.request_id,
        invocation.function_arn,
        trace_id(now_ms),
    );
    writer.write_all(head.as_bytes())?;
    writer.write_all(&invocation.body)?;
    writer.flush()
}

fn write_status(writer: &mut impl Write, status: &str, body: &[u8]) -> io::Result<()> {
    write_status_typed(writer, status, "application/json", body)
}

fn write_status_typed(writer: &mut impl Write, status: &str, content_type: &str, body: &[u8]) -> io::Result<()> {
    let head = format!("HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n", body.len());
    writer.write_all(head.as_bytes())?;
    writer.write_all(body)?;
    writer.flush()
}

/// An X-Ray trace header of the shape Lambda sends, not sampled.
fn trace_id(now_ms: u128) -> String {
    let seconds = now_ms / 1000;
    format!("Root=1-{seconds:08x}-{:024x};Parent={:016x};Sampled=0", now_ms & 0xffff_ffff_ffff, now_ms & 0xffff_ffff)
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_content_length_and_chunked_bodies() {
        let raw = b"POST /a HTTP/1.1\r\nContent-Length: 2\r\nX-Amz-Target: DynamoDB_20120810.Query\r\n\r\nhiPOST /b?x=1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: 1\r\n\r\n";
        let mut reader = BufReader::new(&raw[..]);
        let first = read_request(&mut reader).unwrap().unwrap();
        assert_eq!((first.method.as_str(), first.path.as_str(), first.body.as_slice()), ("POST", "/a", &b"hi"[..]));
        assert_eq!(first.amz_target.as_deref(), Some("DynamoDB_20120810.Query"));
        let second = read_request(&mut reader).unwrap().unwrap();
        assert_eq!((second.path.as_str(), second.body.as_slice()), ("/b", &b"abcde"[..]));
        assert_eq!(second.amz_target, None);
        assert!(read_request(&mut reader).unwrap().is_none());
    }
}
