//! Which addresses a call out may reach. Everything public is; private,
//! loopback, link-local, unique-local, shared (CGNAT), multicast, reserved,
//! documentation and unspecified addresses, and the clouds' metadata
//! services, are not — unless `KIOSQUE_OUTBOUND_ALLOW` names their range.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::config::Cidr;

/// Why an address is off limits, or `None` for a public address.
pub fn refused_because(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => v6_reason(v6),
    }
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (169, 254, 169) if ip.octets()[3] == 254 => "a cloud metadata address",
        (0, _, _) => "an unspecified address",
        (127, _, _) => "a loopback address",
        (10, _, _) | (192, 168, _) => "a private address",
        (172, b, _) if (16..32).contains(&b) => "a private address",
        (100, b, _) if (64..128).contains(&b) => "a shared (CGNAT) address",
        (169, 254, _) => "a link-local address",
        (192, 0, 0) => "a reserved address",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "a documentation address",
        (198, b, _) if b == 18 || b == 19 => "a benchmarking address",
        (a, _, _) if (224..240).contains(&a) => "a multicast address",
        (a, _, _) if a >= 240 => "a reserved address",
        _ => return None,
    })
}

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_reason(v4);
    }
    let seg = ip.segments();
    // 64:ff9b::/96 (NAT64) carries an IPv4 address in its last 32 bits
    if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [a, b] = seg[6].to_be_bytes();
        let [c, d] = seg[7].to_be_bytes();
        return v4_reason(Ipv4Addr::new(a, b, c, d));
    }
    Some(match seg[0] {
        _ if ip == Ipv6Addr::UNSPECIFIED => "an unspecified address",
        _ if ip == Ipv6Addr::LOCALHOST => "a loopback address",
        _ if seg == [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254] => "a cloud metadata address",
        // ::/96, the deprecated IPv4-compatible form
        0 if seg[..6] == [0; 6] => "a reserved address",
        s if s & 0xfe00 == 0xfc00 => "a unique-local (private) address",
        s if s & 0xffc0 == 0xfe80 => "a link-local address",
        s if s & 0xffc0 == 0xfec0 => "a site-local (private) address",
        s if s & 0xff00 == 0xff00 => "a multicast address",
        0x2001 if seg[1] == 0x0db8 => "a documentation address",
        0x0100 if seg[1..4] == [0, 0, 0] => "a discard address",
        // 6to4 carries an IPv4 address in bits 16–47
        0x2002 => {
            let [a, b] = seg[1].to_be_bytes();
            let [c, d] = seg[2].to_be_bytes();
            return v4_reason(Ipv4Addr::new(a, b, c, d));
        }
        _ => return None,
    })
}

/// The rule every call out follows: an address is reachable when it is
/// public or falls in an allowed range.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    allow: Vec<Cidr>,
}

/// A target refused: the host, the address it resolved to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub host: String,
    pub addr: IpAddr,
    pub reason: &'static str,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.trim_matches(|c| c == '[' || c == ']') == self.addr.to_string() {
            write!(f, "{} is {}", self.addr, self.reason)
        } else {
            write!(
                f,
                "{} resolves to {}, {}",
                self.host, self.addr, self.reason
            )
        }
    }
}

impl std::error::Error for Refused {}

impl Guard {
    pub fn new(allow: Vec<Cidr>) -> Self {
        Self { allow }
    }

    /// Whether `host`'s address `ip` may be reached.
    pub fn check(&self, host: &str, ip: IpAddr) -> Result<(), Refused> {
        // an IPv4 address written the IPv6 way is judged as itself
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        let Some(reason) = refused_because(ip) else {
            return Ok(());
        };
        if self.allow.iter().any(|c| c.contains(ip)) {
            return Ok(());
        }
        Err(Refused {
            host: host.to_string(),
            addr: ip,
            reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(ip: &str) -> bool {
        refused_because(ip.parse().unwrap()).is_some()
    }

    #[test]
    fn private_and_special_addresses_are_refused() {
        for ip in [
            "10.0.0.1",
            "127.0.0.1",
            "172.16.5.4",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "169.254.169.254",
            "169.254.1.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "fd00:ec2::254",
            "ff02::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
            "2002:a00:1::1",
            "2001:db8::1",
        ] {
            assert!(refused(ip), "{ip} must be refused");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(!refused(ip), "{ip} is public");
        }
        assert_eq!(
            refused_because("169.254.169.254".parse().unwrap()),
            Some("a cloud metadata address")
        );
        assert_eq!(
            refused_because("fd00:ec2::254".parse().unwrap()),
            Some("a cloud metadata address")
        );
    }

    #[test]
    fn the_allow_list_opens_ranges() {
        let guard = Guard::new(vec![Cidr::parse("127.0.0.0/8").unwrap()]);
        assert!(
            guard
                .check("localhost", "127.0.0.1".parse().unwrap())
                .is_ok()
        );
        assert!(
            guard
                .check("x", "::ffff:127.0.0.1".parse().unwrap())
                .is_ok()
        );
        let no = guard
            .check("localhost", "::1".parse().unwrap())
            .unwrap_err();
        assert_eq!(
            no.to_string(),
            "localhost resolves to ::1, a loopback address"
        );
        let no = guard
            .check("10.0.0.1", "10.0.0.1".parse().unwrap())
            .unwrap_err();
        assert_eq!(no.to_string(), "10.0.0.1 is a private address");
    }
}
