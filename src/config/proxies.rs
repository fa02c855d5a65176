//! Who is really asking: the peer's address, or — only when the peer is one of our own
//! reverse proxies (`CONVENE_TRUSTED_PROXIES`) — the address that proxy saw, from
//! `X-Forwarded-For`. Throttling, rate limits, audit addresses and the metrics allow-list all
//! read the address from here, so a header sent by anyone else changes nothing.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// Address ranges, e.g. `10.0.0.0/8, 192.168.1.7, ::1/128`; `setting` names the variable in
/// the error.
pub fn parse_ranges(setting: &str, raw: &str) -> Result<Vec<IpNet>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<IpNet>()
                .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{setting}: {part:?} is not an address range like 10.0.0.0/8"))
        })
        .collect()
}

/// An IPv4 peer on a dual-stack socket arrives as `::ffff:a.b.c.d`.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The proxies whose `X-Forwarded-For` is believed; none by default.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn parse(raw: &str) -> Result<Self, String> {
        parse_ranges("CONVENE_TRUSTED_PROXIES", raw).map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address. From an untrusted peer that is the peer, whatever the headers
    /// say. From a trusted proxy it is the nearest address in `X-Forwarded-For` (read from the
    /// right, each proxy having appended the address it saw) that is not itself a trusted
    /// proxy; an entry that is not an address ends the walk at the hop that added it.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            return client;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        for hop in hops.into_iter().rev() {
            let Ok(address) = hop.parse::<IpAddr>() else { break };
            client = canonical(address);
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append("x-forwarded-for", value.parse().expect("header value"));
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn only_a_trusted_peer_is_believed_and_only_up_to_the_first_untrusted_hop() {
        let none = TrustedProxies::default();
        let spoofed = headers(&["203.0.113.9"]);
        assert_eq!(none.client(ip("198.51.100.7"), &spoofed), ip("198.51.100.7"), "nobody is trusted by default");

        let proxies = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1").expect("ranges");
        assert_eq!(proxies.client(ip("198.51.100.7"), &spoofed), ip("198.51.100.7"), "untrusted peer");
        assert_eq!(proxies.client(ip("10.1.2.3"), &spoofed), ip("203.0.113.9"));
        // A client can put anything on the left; only the hops our proxies added count.
        let chain = headers(&["1.1.1.1, 203.0.113.9", "10.0.0.5"]);
        assert_eq!(proxies.client(ip("10.1.2.3"), &chain), ip("203.0.113.9"));
        assert_eq!(proxies.client(ip("10.1.2.3"), &headers(&["junk, 10.0.0.5"])), ip("10.0.0.5"));
        assert_eq!(proxies.client(ip("10.1.2.3"), &HeaderMap::new()), ip("10.1.2.3"), "no header: the proxy");
        assert_eq!(proxies.client(ip("::ffff:127.0.0.1"), &spoofed), ip("203.0.113.9"), "IPv4-mapped peer");
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
    }
}
