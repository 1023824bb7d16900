//! Who is on the other end of a request: IP address and device, for the login history
//! and trusted devices.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use http::request::Parts;

use crate::server::Settings;

/// The client behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    pub ip: Option<IpAddr>,
    pub user_agent: String,
}

impl ClientInfo {
    /// Reads the client from the request. The IP is the socket's peer unless that peer is
    /// a trusted proxy, in which case `X-Forwarded-For` is walked from the right, skipping
    /// trusted proxies, to the first address that is not one.
    pub fn from_parts(parts: &Parts, settings: &Settings) -> Self {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let user_agent = parts
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .chars()
            .take(512)
            .collect();
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Self {
            ip: client_ip(peer, &forwarded, &settings.trusted_proxies),
            user_agent,
        }
    }

    /// The IP as stored and shown ("unknown" when there is none).
    pub fn ip_text(&self) -> String {
        self.ip
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    }

    /// The key per-IP limits count under: an IPv4 address as is (an IPv4-mapped IPv6
    /// address as its IPv4), any other IPv6 address as its /64 network, e.g.
    /// `2001:db8:1:2::/64`, because one customer line is usually given a whole /64 and
    /// could otherwise step through 2^64 addresses; "unknown" when there is no IP.
    pub fn ip_bucket(&self) -> String {
        match self.ip {
            None => "unknown".to_owned(),
            Some(IpAddr::V4(v4)) => v4.to_string(),
            Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let network = u128::from(v6) & !(u128::MAX >> 64);
                    format!("{}/64", std::net::Ipv6Addr::from(network))
                }
            },
        }
    }

    /// A readable device description, e.g. "Firefox on Windows".
    pub fn device(&self) -> String {
        describe_device(&self.user_agent)
    }
}

/// The client's address: the peer, unless it is a trusted proxy; then the
/// `X-Forwarded-For` entries (every header line in order, comma-split) are walked from
/// the right past trusted proxies, and the first entry that is not one is the client.
/// Only entries right of it were written by proxies we trust, so nothing further left
/// is ever believed: if that entry does not parse, the client is the last trusted
/// address walked (the proxy that reported the garbage).
fn client_ip(peer: Option<IpAddr>, forwarded: &[&str], trusted: &[ipnet::IpNet]) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let peer = peer?;
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let mut last_trusted = peer;
    let entries = forwarded
        .iter()
        .flat_map(|header| header.split(','))
        .rev()
        .map(str::trim)
        // `a,,b` and a trailing comma name nobody; they are not a forged address either.
        .filter(|entry| !entry.is_empty());
    for entry in entries {
        match parse_entry(entry) {
            Some(ip) if is_trusted(&ip) => last_trusted = ip,
            Some(ip) => return Some(ip),
            None => return Some(last_trusted),
        }
    }
    Some(last_trusted)
}

/// One `X-Forwarded-For` entry as an address. Besides bare addresses, accepts what
/// common proxies write: `[v6]`, and `v4:port` / `[v6]:port`.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    if let Ok(ip) = entry.parse() {
        return Some(ip);
    }
    if let Ok(addr) = entry.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    entry
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse::<std::net::Ipv6Addr>().ok())
        .map(IpAddr::V6)
}

/// Browser and operating system from a User-Agent, for people to recognise their devices.
pub fn describe_device(user_agent: &str) -> String {
    let ua = user_agent;
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("OPR/") || ua.contains("Opera") {
        "Opera"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") || ua.contains("CriOS/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else if ua.is_empty() {
        return "Unknown device".to_owned();
    } else {
        "Unknown browser"
    };
    let os = if ua.contains("iPhone") || ua.contains("iPad") {
        "iOS"
    } else if ua.contains("Android") {
        "Android"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        "macOS"
    } else if ua.contains("CrOS") {
        "ChromeOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        return browser.to_owned();
    };
    format!("{browser} on {os}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn x_forwarded_for_from_an_untrusted_peer_is_ignored() {
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(
            client_ip(Some(ip("203.0.113.9")), &["1.2.3.4"], &trusted),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(
            client_ip(Some(ip("203.0.113.9")), &["1.2.3.4"], &[]),
            Some(ip("203.0.113.9"))
        );
    }

    #[test]
    fn a_trusted_proxy_chain_is_walked_from_the_right() {
        let trusted: Vec<ipnet::IpNet> =
            vec!["10.0.0.0/8".parse().unwrap(), "fd00::/8".parse().unwrap()];
        // (peer, X-Forwarded-For lines, expected client)
        let cases: &[(&str, &[&str], &str)] = &[
            // The client forged the left-most entry; the proxy appended the real address.
            (
                "10.0.0.2",
                &["6.6.6.6, 198.51.100.7, 10.0.0.5"],
                "198.51.100.7",
            ),
            ("10.0.0.2", &[], "10.0.0.2"),
            ("10.0.0.2", &["garbage"], "10.0.0.2"),
            // Garbage left of the client entry is the client's own doing: ignored.
            ("10.0.0.2", &["garbage, 198.51.100.7"], "198.51.100.7"),
            ("10.0.0.2", &["garbage", "198.51.100.7"], "198.51.100.7"),
            // Garbage where the client should be: the proxy that reported it is blamed,
            // never an address further left.
            ("10.0.0.2", &["198.51.100.7, garbage, 10.0.0.5"], "10.0.0.5"),
            ("10.0.0.2", &["198.51.100.7, garbage"], "10.0.0.2"),
            ("10.0.0.2", &["6.6.6.6", "10.0.0.9", "unknown"], "10.0.0.2"),
            // Several header lines count in order, as one list.
            (
                "10.0.0.2",
                &["6.6.6.6", "198.51.100.7", "10.0.0.5, 10.0.0.6"],
                "198.51.100.7",
            ),
            // Only trusted proxies in the chain: the left-most of them.
            ("10.0.0.2", &["10.0.0.7, 10.0.0.5"], "10.0.0.7"),
            // Empty entries name nobody and are skipped.
            ("10.0.0.2", &["198.51.100.7,, "], "198.51.100.7"),
            // What proxies write besides bare addresses.
            ("10.0.0.2", &["198.51.100.7:4711"], "198.51.100.7"),
            ("10.0.0.2", &["[2001:db8::7]:443"], "2001:db8::7"),
            ("10.0.0.2", &["[2001:db8::7]"], "2001:db8::7"),
            ("fd00::1", &["6.6.6.6, 2001:db8::7, fd00::2"], "2001:db8::7"),
        ];
        for (peer, forwarded, expected) in cases {
            assert_eq!(
                client_ip(Some(ip(peer)), forwarded, &trusted),
                Some(ip(expected)),
                "peer {peer}, X-Forwarded-For {forwarded:?}"
            );
        }
        assert_eq!(client_ip(None, &["198.51.100.7"], &trusted), None);
    }

    #[test]
    fn per_ip_buckets_group_an_ipv6_64_and_unwrap_mapped_ipv4() {
        let cases: &[(Option<&str>, &str)] = &[
            (Some("198.51.100.7"), "198.51.100.7"),
            (Some("::ffff:198.51.100.7"), "198.51.100.7"),
            (Some("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64"),
            (Some("2001:db8:1:2::"), "2001:db8:1:2::/64"),
            (
                Some("2001:db8:1:2:ffff:ffff:ffff:ffff"),
                "2001:db8:1:2::/64",
            ),
            (Some("2001:db8:1:3::1"), "2001:db8:1:3::/64"),
            (Some("::1"), "::/64"),
            (None, "unknown"),
        ];
        for (addr, expected) in cases {
            let client = ClientInfo {
                ip: addr.map(ip),
                user_agent: String::new(),
            };
            assert_eq!(client.ip_bucket(), *expected, "{addr:?}");
        }
    }

    #[test]
    fn devices_are_described_in_words() {
        let firefox =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(describe_device(firefox), "Firefox on Windows");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(describe_device(iphone), "Safari on iOS");
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
        assert_eq!(describe_device(chrome), "Chrome on Linux");
        assert_eq!(describe_device(""), "Unknown device");
    }
}
