//! A URL a call may go to: `http` or `https`, a host, no credentials; and the
//! check of where its host resolves, made before a webhook is saved (the
//! resolver of each call checks again, on the addresses it connects to).

use std::net::{IpAddr, ToSocketAddrs};

use ureq::http::Uri;

use super::Failure;
use super::address::Guard;

/// A URL taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    /// As written, without brackets around an IPv6 address.
    pub host: String,
    pub port: u16,
}

impl Target {
    pub fn parse(url: &str) -> Result<Self, Failure> {
        let bad = |why: &str| Failure::BadTarget(why.to_string());
        if url.len() > 2_000 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad(
                "not a URL (too long, or with spaces or control characters)",
            ));
        }
        let uri: Uri = url.parse().map_err(|_| bad("not a URL"))?;
        let https = match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(bad("only http and https URLs are called")),
        };
        let authority = uri
            .authority()
            .ok_or_else(|| bad("the URL names no host"))?;
        if authority.as_str().contains('@') {
            return Err(bad("the URL must not carry a user name or password"));
        }
        let host = authority.host().trim_matches(|c| c == '[' || c == ']');
        if host.is_empty() {
            return Err(bad("the URL names no host"));
        }
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        if port == 0 {
            return Err(bad("port 0 cannot be called"));
        }
        Ok(Self {
            https,
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// The addresses the host stands for (an IP address stands for itself).
    /// Blocking: a name is looked up.
    pub fn resolve(&self) -> Result<Vec<IpAddr>, Failure> {
        if let Ok(ip) = self.host.parse::<IpAddr>() {
            return Ok(vec![ip]);
        }
        let addrs: Vec<IpAddr> = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|_| Failure::Unresolvable(self.host.clone()))?
            .map(|a| a.ip())
            .collect();
        if addrs.is_empty() {
            return Err(Failure::Unresolvable(self.host.clone()));
        }
        Ok(addrs)
    }

    /// Blocking: resolves the host and refuses it when any of its addresses
    /// is off limits.
    pub fn check(&self, guard: &Guard) -> Result<(), Failure> {
        for ip in self.resolve()? {
            guard.check(&self.host, ip).map_err(Failure::Refused)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_taken_apart() {
        let t = Target::parse("https://Hooks.Example.org/in?x=1").unwrap();
        assert_eq!(
            (t.https, t.host.as_str(), t.port),
            (true, "hooks.example.org", 443)
        );
        let t = Target::parse("http://[::1]:8080/").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("::1", 8080));
        for bad in [
            "ftp://example.org/",
            "example.org/hook",
            "https://user:pw@example.org/",
            "https:///x",
            "https://exa mple.org/",
            "https://example.org:0/",
        ] {
            assert!(
                matches!(Target::parse(bad), Err(Failure::BadTarget(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn literal_addresses_are_judged_without_a_lookup() {
        let guard = Guard::default();
        for url in [
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
            "http://[fd00:ec2::254]/",
        ] {
            let refused = Target::parse(url).unwrap().check(&guard);
            assert!(matches!(refused, Err(Failure::Refused(_))), "{url}");
        }
        assert!(
            Target::parse("https://93.184.216.34/")
                .unwrap()
                .check(&guard)
                .is_ok()
        );
    }
}
