//! Calls out of Kiosque (webhooks, later the weather provider): which
//! private addresses may be reached anyway, and the bounds of time, bytes and
//! concurrency every call keeps.

use std::net::IpAddr;
use std::time::Duration;

use super::{Config, ranged, var};

/// The settings of the one HTTP client for calls out.
#[derive(Debug, Clone)]
pub struct OutboundSettings {
    /// Address ranges reachable even though they are private, loopback,
    /// link-local or metadata addresses (`KIOSQUE_OUTBOUND_ALLOW`).
    pub allow: Vec<Cidr>,
    pub connect_timeout: Duration,
    /// The whole call: connecting, sending, reading the answer.
    pub timeout: Duration,
    /// Bytes of an answer read at most; the rest is never read.
    pub max_response_bytes: usize,
    /// Calls in flight at once in this process; more wait their turn.
    pub max_in_flight: usize,
}

impl Default for OutboundSettings {
    fn default() -> Self {
        Self {
            allow: Vec::new(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
            max_response_bytes: 1 << 20,
            max_in_flight: 32,
        }
    }
}

/// An address range: `10.0.0.0/8`, `::1/128`, or one address (`::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl Cidr {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let (addr, prefix) = match raw.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (raw, None),
        };
        let addr: IpAddr = addr
            .trim_matches(|c| c == '[' || c == ']')
            .parse()
            .map_err(|_| format!("`{raw}` is not an address or a CIDR range"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{raw}`: the prefix must be 0–{max}"))?,
        };
        Ok(Self { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

pub(super) fn read(cfg: &mut Config) -> Result<(), String> {
    let o = &mut cfg.outbound;
    if let Some(raw) = var("KIOSQUE_OUTBOUND_ALLOW") {
        o.allow = raw
            .split(',')
            .filter(|r| !r.trim().is_empty())
            .map(Cidr::parse)
            .collect::<Result<_, _>>()
            .map_err(|e| format!("KIOSQUE_OUTBOUND_ALLOW: {e}"))?;
    }
    o.connect_timeout = Duration::from_millis(ranged(
        "KIOSQUE_OUTBOUND_CONNECT_TIMEOUT_MS",
        o.connect_timeout.as_millis() as u64,
        100,
        60_000,
    )?);
    o.timeout = Duration::from_millis(ranged(
        "KIOSQUE_OUTBOUND_TIMEOUT_MS",
        o.timeout.as_millis() as u64,
        100,
        300_000,
    )?);
    o.max_response_bytes = ranged(
        "KIOSQUE_OUTBOUND_MAX_RESPONSE_BYTES",
        o.max_response_bytes,
        1_024,
        64 << 20,
    )?;
    o.max_in_flight = ranged("KIOSQUE_OUTBOUND_MAX_IN_FLIGHT", o.max_in_flight, 1, 4_096)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Cidr;

    #[test]
    fn ranges_hold_their_addresses() {
        let loopback = Cidr::parse("127.0.0.0/8").unwrap();
        assert!(loopback.contains("127.4.5.6".parse().unwrap()));
        assert!(!loopback.contains("128.0.0.1".parse().unwrap()));
        assert!(!loopback.contains("::1".parse().unwrap()));
        let one = Cidr::parse("[::1]").unwrap();
        assert_eq!(one.prefix, 128);
        assert!(one.contains("::1".parse().unwrap()));
        assert!(
            Cidr::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("nope").is_err());
    }
}
