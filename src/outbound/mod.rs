//! The one HTTP client for calls out of Kiosque: webhook deliveries now, the
//! weather provider later. Every call
//!
//! - goes to an `http` or `https` URL only, with no proxy and no redirect
//!   followed (a 3xx is the answer);
//! - connects only to addresses the [`Guard`] allows, checked by the
//!   resolver on the addresses actually connected to (a name that resolved
//!   to a public address yesterday and to 10.0.0.1 now is refused now);
//! - is bounded: a connect timeout, a total timeout, an answer read up to a
//!   number of bytes, and a number of calls in flight in this process.
//!
//! Calls run on blocking threads (ureq); [`Outbound::send`] awaits a slot first.

pub mod address;
pub mod target;

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

pub use address::{Guard, Refused};
pub use target::Target;

use crate::config::OutboundSettings;

/// Why a call brought no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Not a URL this client calls (scheme, credentials, no host).
    BadTarget(String),
    /// The host has no address.
    Unresolvable(String),
    /// The host resolves to an address off limits.
    Refused(Refused),
    /// No connection within the connect timeout, or no answer within the total.
    Timeout,
    /// The connection failed or broke (refused, reset, TLS).
    Connection(String),
}

impl Failure {
    /// A stable word for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::BadTarget(_) => "bad_target",
            Failure::Unresolvable(_) => "unresolvable",
            Failure::Refused(_) => "refused",
            Failure::Timeout => "timeout",
            Failure::Connection(_) => "connection",
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::BadTarget(why) => write!(f, "not a callable URL: {why}"),
            Failure::Unresolvable(host) => write!(f, "{host} does not resolve to any address"),
            Failure::Refused(r) => write!(f, "refused: {r}"),
            Failure::Timeout => f.write_str("no answer in time"),
            Failure::Connection(why) => write!(f, "connection failed: {why}"),
        }
    }
}

/// One call to make.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    /// Bytes of the answer to read at most (within the setting's bound).
    pub read_at_most: usize,
}

impl Call {
    pub fn post(url: impl Into<String>, body: Vec<u8>) -> Self {
        Self {
            method: "POST",
            url: url.into(),
            headers: Vec::new(),
            body,
            read_at_most: usize::MAX,
        }
    }

    pub fn get(url: impl Into<String>) -> Self {
        Self {
            method: "GET",
            ..Self::post(url, Vec::new())
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn read_at_most(mut self, bytes: usize) -> Self {
        self.read_at_most = bytes;
        self
    }
}

/// The answer to a call, whatever its status.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    /// The first bytes of the body.
    pub body: Vec<u8>,
    /// Whether the body went on beyond what was read.
    pub truncated: bool,
    /// Where a 3xx points (never followed).
    pub location: Option<String>,
    pub elapsed: Duration,
}

/// The client. Cloning is cheap; the bound on calls in flight is shared.
#[derive(Clone)]
pub struct Outbound {
    agent: ureq::Agent,
    guard: Arc<Guard>,
    slots: Arc<tokio::sync::Semaphore>,
    max_response_bytes: usize,
    resolve_timeout: Duration,
}

/// Resolves as usual, then refuses every answer that holds an address off
/// limits: the connector connects only to what this returns.
#[derive(Debug)]
struct GuardedResolver {
    guard: Arc<Guard>,
}

impl Resolver for GuardedResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addrs = DefaultResolver::default().resolve(uri, config, timeout)?;
        let host = uri.host().unwrap_or_default();
        for addr in addrs.iter() {
            self.guard
                .check(host, addr.ip())
                .map_err(|r| ureq::Error::Other(Box::new(r)))?;
        }
        Ok(addrs)
    }
}

impl Outbound {
    pub fn new(settings: &OutboundSettings) -> Self {
        let guard = Arc::new(Guard::new(settings.allow.clone()));
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .proxy(None)
            .https_only(false)
            .timeout_resolve(Some(settings.connect_timeout))
            .timeout_connect(Some(settings.connect_timeout))
            .timeout_global(Some(settings.timeout))
            .user_agent(concat!("Kiosque/", env!("CARGO_PKG_VERSION")))
            .max_idle_connections(settings.max_in_flight.max(10))
            .max_idle_connections_per_host(settings.max_in_flight.max(3))
            .build();
        let agent = ureq::Agent::with_parts(
            config,
            DefaultConnector::new(),
            GuardedResolver {
                guard: guard.clone(),
            },
        );
        Self {
            agent,
            guard,
            slots: Arc::new(tokio::sync::Semaphore::new(settings.max_in_flight)),
            max_response_bytes: settings.max_response_bytes,
            resolve_timeout: settings.connect_timeout,
        }
    }

    /// Whether `url` may be called: a callable URL whose host resolves only
    /// to allowed addresses. For checks before a target is saved; each call
    /// checks again.
    pub async fn check_target(&self, url: &str) -> Result<Target, Failure> {
        let target = Target::parse(url)?;
        if let Ok(ip) = target.host.parse() {
            self.guard
                .check(&target.host, ip)
                .map_err(Failure::Refused)?;
            return Ok(target);
        }
        let (guard, t) = (self.guard.clone(), target.clone());
        let lookup = actix_web::web::block(move || t.check(&guard));
        match actix_web::rt::time::timeout(self.resolve_timeout, lookup).await {
            Ok(Ok(done)) => done.map(|()| target),
            Ok(Err(e)) => Err(Failure::Connection(format!("lookup failed: {e}"))),
            Err(_) => Err(Failure::Unresolvable(target.host)),
        }
    }

    /// Makes one call when a slot is free; the answer is whatever the server
    /// said, a 3xx or a 5xx included.
    pub async fn send(&self, call: Call) -> Result<Reply, Failure> {
        let _slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Failure::Connection("the client is closed".into()))?;
        let agent = self.agent.clone();
        let cap = call.read_at_most.min(self.max_response_bytes);
        actix_web::web::block(move || call_blocking(&agent, call, cap))
            .await
            .map_err(|e| Failure::Connection(format!("the call's thread failed: {e}")))?
    }

    /// Calls in flight now.
    pub fn in_flight(&self, max: usize) -> usize {
        max.saturating_sub(self.slots.available_permits())
    }
}

fn call_blocking(agent: &ureq::Agent, call: Call, cap: usize) -> Result<Reply, Failure> {
    Target::parse(&call.url)?;
    let mut request = ureq::http::Request::builder()
        .method(call.method)
        .uri(call.url.as_str());
    for (name, value) in &call.headers {
        request = request.header(*name, value.as_str());
    }
    let request = request
        .body(call.body)
        .map_err(|e| Failure::BadTarget(e.to_string()))?;
    let started = Instant::now();
    let mut response = agent.run(request).map_err(failure)?;
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut body = Vec::new();
    // read one byte more than kept, to tell a body that goes on; a body
    // that breaks off or runs out of time after the status is still an answer
    let reader = response.body_mut().with_config().limit(u64::MAX).reader();
    let _ = reader
        .take(cap.saturating_add(1) as u64)
        .read_to_end(&mut body);
    let truncated = body.len() > cap;
    body.truncate(cap);
    Ok(Reply {
        status,
        body,
        truncated,
        location,
        elapsed: started.elapsed(),
    })
}

/// What a ureq error means to a caller.
fn failure(e: ureq::Error) -> Failure {
    use std::io::ErrorKind;
    match e {
        ureq::Error::Other(inner) => match inner.downcast::<Refused>() {
            Ok(r) => Failure::Refused(*r),
            Err(other) => Failure::Connection(other.to_string()),
        },
        ureq::Error::Timeout(_) => Failure::Timeout,
        ureq::Error::Io(io) if matches!(io.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => {
            Failure::Timeout
        }
        ureq::Error::HostNotFound => Failure::Unresolvable("the host".into()),
        ureq::Error::BadUri(why) => Failure::BadTarget(why),
        other => Failure::Connection(other.to_string()),
    }
}
