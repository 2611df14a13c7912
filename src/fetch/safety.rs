//! Address safety: a crawl must never be steered into the operator's own
//! network (cloud metadata at 169.254.169.254, a router at 10.0.0.1, a
//! database on localhost) by a link or a redirect.
//!
//! Two places check: IP literals in URLs (and `connect_to` addresses) are
//! checked before any connection is opened, and host names are checked after
//! resolution by [`SafeResolver`], the DNS resolver plugged into the HTTP
//! client, so every redirect hop is covered and no packet is sent to a
//! refused address.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// True for addresses a crawler must not reach unless explicitly allowed:
/// private, loopback, link-local, unspecified, multicast, broadcast,
/// shared (CGNAT), IPv6 unique-local, and IPv4-mapped forms of those.
pub fn is_restricted(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_restricted_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_restricted_v4(v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (first & 0xffc0) == 0xfec0 // old site-local fec0::/10
                || is_nat64_of_restricted(v6)
        }
    }
}

fn is_restricted_v4(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    v4.is_private()
        || v4.is_loopback()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_multicast()
        || v4.is_broadcast()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
}

/// `64:ff9b::a.b.c.d` reaches `a.b.c.d` through a NAT64 gateway.
fn is_nat64_of_restricted(v6: Ipv6Addr) -> bool {
    let s = v6.segments();
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [a, b] = s[6].to_be_bytes();
        let [c, d] = s[7].to_be_bytes();
        return is_restricted_v4(Ipv4Addr::new(a, b, c, d));
    }
    false
}

/// The hosts and IP literals (as written in URLs) allowed to be private.
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    names: HashSet<String>,
}

impl AllowList {
    /// Builds the list from `FetchConfig::allow_private` (case-insensitive;
    /// IPv6 literals with or without brackets).
    pub fn new(entries: &[String]) -> Self {
        let names = entries
            .iter()
            .map(|e| normalise_host(e))
            .filter(|e| !e.is_empty())
            .collect();
        AllowList { names }
    }

    /// True when `host` (a name or an IP literal) is listed.
    pub fn allows(&self, host: &str) -> bool {
        self.names.contains(&normalise_host(host))
    }

    /// Checks an IP that `host` stands for: `Ok` when it is public or when
    /// `host` (as written in the URL) is listed. A name that resolves to a
    /// listed IP is not allowed by that: the name itself must be listed.
    pub fn check_ip(&self, host: &str, ip: IpAddr) -> Result<(), String> {
        if !is_restricted(ip) || self.allows(host) {
            Ok(())
        } else {
            Err(format!(
                "{host} is at restricted address {ip} and is not in allow_private"
            ))
        }
    }
}

fn normalise_host(host: &str) -> String {
    host.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// The error our resolver returns when every address of a name is refused.
/// The fetcher finds it in the error chain to report `PrivateAddress`.
#[derive(Debug, thiserror::Error)]
#[error("refused private address: {0}")]
pub struct PrivateAddressError(pub String);

/// A DNS resolver that drops restricted addresses of names not in the allow list.
#[derive(Debug, Clone)]
pub struct SafeResolver {
    allow: Arc<AllowList>,
}

impl SafeResolver {
    /// A resolver using the system resolver, filtered by `allow`.
    pub fn new(allow: Arc<AllowList>) -> Self {
        SafeResolver { allow }
    }
}

impl Resolve for SafeResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.allow.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refused = None;
            let kept: Vec<SocketAddr> = found
                .into_iter()
                .filter(|addr| match allow.check_ip(&host, addr.ip()) {
                    Ok(()) => true,
                    Err(why) => {
                        refused = Some(why);
                        false
                    }
                })
                .collect();
            if kept.is_empty() {
                if let Some(why) = refused {
                    tracing::debug!(%host, %why, "refusing resolved address");
                    return Err(Box::new(PrivateAddressError(why)) as _);
                }
            }
            let addrs: Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test literal")
    }

    #[test]
    fn restricted_ranges() {
        for bad in [
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "100.64.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "::ffff:10.1.2.3",
            "64:ff9b::7f00:1",
        ] {
            assert!(is_restricted(ip(bad)), "{bad} should be restricted");
        }
        for good in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "100.128.0.1"] {
            assert!(!is_restricted(ip(good)), "{good} should be public");
        }
    }

    #[test]
    fn allow_list_matches_name_or_literal() {
        let allow = AllowList::new(&["LocalHost".into(), "[::1]".into(), "127.0.0.1".into()]);
        assert!(allow.check_ip("localhost", ip("127.0.0.2")).is_ok());
        assert!(allow.check_ip("::1", ip("::1")).is_ok());
        assert!(allow.check_ip("evil.example", ip("10.0.0.1")).is_err());
        assert!(allow.check_ip("evil.example", ip("127.0.0.1")).is_err());
        assert!(allow.check_ip("127.0.0.1", ip("127.0.0.1")).is_ok());
        assert!(allow.check_ip("evil.example", ip("8.8.8.8")).is_ok());
    }
}
