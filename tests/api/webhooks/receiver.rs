//! A webhook receiver in the test process: a small HTTP/1.1 server on a
//! loopback port that records every request and answers as the test
//! programs it (a status, a slow answer, a redirect, a huge body, or a
//! request held until the test lets it go).

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How to answer one request.
#[derive(Debug, Clone)]
pub enum Answer {
    Status(u16),
    /// Waits this long, then answers 200.
    Slow(Duration),
    /// 302 to this location.
    Redirect(String),
    /// 200 with a body of this many bytes.
    Huge(usize),
    /// Holds the request (no answer) until [`Receiver::release`].
    Hold,
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    /// Lower-case names.
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn id(&self) -> &str {
        self.header("webhook-id")
    }
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    script: VecDeque<Answer>,
    otherwise: Option<Answer>,
    released: bool,
}

pub struct Receiver {
    pub port: u16,
    inner: Arc<(Mutex<Inner>, Condvar)>,
}

impl Receiver {
    /// Listens on 127.0.0.1; answers 200 unless told otherwise.
    pub fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let inner: Arc<(Mutex<Inner>, Condvar)> = Arc::default();
        let shared = inner.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = shared.clone();
                std::thread::spawn(move || serve(stream, &shared));
            }
        });
        Receiver { port, inner }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The next requests get these answers, in order.
    pub fn then(&self, answers: &[Answer]) -> &Self {
        self.inner
            .0
            .lock()
            .unwrap()
            .script
            .extend(answers.iter().cloned());
        self
    }

    /// Requests beyond the script get this answer (200 by default).
    pub fn otherwise(&self, answer: Answer) -> &Self {
        self.inner.0.lock().unwrap().otherwise = Some(answer);
        self
    }

    /// Lets held requests go (they are then answered 200), and those to come.
    pub fn release(&self) {
        self.inner.0.lock().unwrap().released = true;
        self.inner.1.notify_all();
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.0.lock().unwrap().received.clone()
    }

    /// Waits (20 s at most) until `n` requests came, and returns them all.
    #[track_caller]
    pub fn wait_for(&self, n: usize) -> Vec<Received> {
        self.wait_until(|r| r.len() >= n, &format!("{n} request(s)"))
    }

    /// Waits (20 s at most) until the requests received satisfy `done`.
    #[track_caller]
    pub fn wait_until(&self, done: impl Fn(&[Received]) -> bool, what: &str) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        let (lock, cond) = &*self.inner;
        let mut inner = lock.lock().unwrap();
        while !done(&inner.received) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "the receiver waited in vain for {what}; it got {} request(s)",
                inner.received.len()
            );
            inner = cond.wait_timeout(inner, left).unwrap().0;
        }
        inner.received.clone()
    }
}

fn serve(stream: TcpStream, shared: &Arc<(Mutex<Inner>, Condvar)>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_lowercase(), v.trim().to_string());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let (lock, cond) = &**shared;
    let answer = {
        let mut inner = lock.lock().unwrap();
        inner.received.push(Received {
            path,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        cond.notify_all();
        inner
            .script
            .pop_front()
            .or_else(|| inner.otherwise.clone())
            .unwrap_or(Answer::Status(200))
    };
    let mut stream = stream;
    let reply = |stream: &mut TcpStream, status: u16, extra: &str, body: &[u8]| {
        let _ = write!(
            stream,
            "HTTP/1.1 {status} Whatever\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n",
            body.len()
        );
        let _ = stream.write_all(body);
    };
    match answer {
        Answer::Status(s) => reply(&mut stream, s, "", format!("answer {s}").as_bytes()),
        Answer::Slow(wait) => {
            std::thread::sleep(wait);
            reply(&mut stream, 200, "", b"late");
        }
        Answer::Redirect(to) => reply(&mut stream, 302, &format!("Location: {to}\r\n"), b""),
        Answer::Huge(n) => {
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {n}\r\nConnection: close\r\n\r\n"
            );
            let chunk = vec![b'x'; 64 * 1024];
            let mut left = n;
            while left > 0 {
                let k = left.min(chunk.len());
                if stream.write_all(&chunk[..k]).is_err() {
                    break;
                }
                left -= k;
            }
        }
        Answer::Hold => {
            let mut inner = lock.lock().unwrap();
            while !inner.released {
                inner = cond.wait(inner).unwrap();
            }
            drop(inner);
            reply(&mut stream, 200, "", b"released");
        }
    }
}
