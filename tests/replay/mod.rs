//! A tiny HTTP replay server on loopback for failure paths no emulator reproduces: each
//! request (CloudFormation/STS query protocol: `Action=...` in the form body; S3: method and
//! path) is answered by the test's handler with a recorded AWS-shaped response. It counts
//! the calls per action so tests can check retries.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One request as the handler sees it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Decoded form fields (query protocol).
    pub form: HashMap<String, String>,
    /// `Action` for query-protocol services, `S3 <METHOD>` otherwise.
    pub action: String,
    /// How many times this action was called before (0 for the first call).
    pub nth: usize,
}

pub struct Response {
    pub status: u16,
    pub body: String,
}

impl Response {
    pub fn ok(body: impl Into<String>) -> Response {
        Response { status: 200, body: body.into() }
    }

    /// A query-protocol error document.
    pub fn error(status: u16, code: &str, message: &str) -> Response {
        Response {
            status,
            body: format!(
                "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender</Type>\
                 <Code>{code}</Code><Message>{message}</Message></Error><RequestId>replay</RequestId></ErrorResponse>"
            ),
        }
    }

    pub fn status(status: u16) -> Response {
        Response { status, body: String::new() }
    }
}

/// Wraps a result document of a CloudFormation query action.
pub fn cfn(action: &str, result: &str) -> Response {
    Response::ok(format!(
        "<{action}Response xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><{action}Result>{result}</{action}Result>\
         <ResponseMetadata><RequestId>replay</RequestId></ResponseMetadata></{action}Response>"
    ))
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

pub struct Replay {
    pub port: u16,
    calls: Arc<Mutex<HashMap<String, usize>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Replay {
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Replay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().unwrap().port();
        let calls: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let (c, s) = (calls.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let _ = serve(stream, &*handler, &c);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Replay { port, calls, stop, thread: Some(thread) }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// How many times `action` was called.
    pub fn calls(&self, action: &str) -> usize {
        self.calls.lock().unwrap().get(action).copied().unwrap_or(0)
    }
}

impl Drop for Replay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream, handler: &Handler, calls: &Mutex<HashMap<String, usize>>) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let mut len = 0usize;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            len = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body)?;
    let form: HashMap<String, String> = String::from_utf8_lossy(&body)
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect();
    let action = form.get("Action").cloned().unwrap_or_else(|| format!("S3 {method}"));
    let nth = {
        let mut c = calls.lock().unwrap();
        let n = c.entry(action.clone()).or_insert(0);
        *n += 1;
        *n - 1
    };
    let resp = handler(&Request { method: method.clone(), path, form, action, nth });
    let reason = match resp.status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        _ => "Status",
    };
    let body = if method == "HEAD" { String::new() } else { resp.body };
    let mut out = stream;
    write!(
        out,
        "HTTP/1.1 {} {reason}\r\nContent-Type: text/xml\r\nx-amzn-RequestId: replay\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        resp.status,
        body.len()
    )?;
    out.flush()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
