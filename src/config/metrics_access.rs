//! Who may read `/metrics`: an allow-list of addresses, or a bearer token.

use std::net::IpAddr;

use axum::http::{HeaderMap, header};
use ipnet::IpNet;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Who may scrape: a peer address inside one of `allow`, or a matching bearer token.
#[derive(Clone, Debug)]
pub struct MetricsAccess {
    pub allow: Vec<IpNet>,
    /// Never printed; compared by hash in constant time.
    pub token: Option<String>,
}

impl Default for MetricsAccess {
    /// Loopback only, no token.
    fn default() -> Self {
        Self { allow: parse_allow_list(DEFAULT_ALLOW).unwrap_or_default(), token: None }
    }
}

pub const DEFAULT_ALLOW: &str = "127.0.0.0/8,::1/128";

/// A comma-separated list of CIDR ranges (a bare address is its own /32 or /128); empty
/// means no address is allowed (token only).
pub fn parse_allow_list(raw: &str) -> Result<Vec<IpNet>, String> {
    super::proxies::parse_ranges("CONVENE_METRICS_ALLOW", raw)
}

impl MetricsAccess {
    pub fn permits(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> bool {
        let by_address = peer.is_some_and(|ip| {
            let ip = super::proxies::canonical(ip);
            self.allow.iter().any(|net| net.contains(&ip))
        });
        by_address || self.token_matches(headers)
    }

    fn token_matches(&self, headers: &HeaderMap) -> bool {
        let Some(expected) = self.token.as_deref().filter(|t| !t.is_empty()) else {
            return false;
        };
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        presented.is_some_and(|presented| {
            // Hash both so the comparison takes the same time whatever the lengths.
            Sha256::digest(presented.as_bytes()).ct_eq(&Sha256::digest(expected.as_bytes())).into()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_parse_ranges_and_bare_addresses_and_refuse_nonsense() {
        let nets = parse_allow_list(" 10.0.0.0/8, 192.168.1.7 ,::1/128,").expect("valid list");
        assert_eq!(nets.len(), 3);
        assert!(parse_allow_list("").expect("empty").is_empty());
        assert!(parse_allow_list("10.0.0.0/33").is_err());
        assert!(parse_allow_list("localhost").is_err());
    }

    #[test]
    fn access_by_range_mapped_ipv4_and_token() {
        let access = MetricsAccess { allow: parse_allow_list("10.0.0.0/8").unwrap_or_default(), token: None };
        let none = HeaderMap::new();
        assert!(access.permits(Some("10.1.2.3".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))), &none));
        assert!(access.permits(Some("::ffff:10.1.2.3".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))), &none));
        assert!(!access.permits(Some(IpAddr::from([127, 0, 0, 1])), &none));
        assert!(!access.permits(None, &none));
        let with_token = MetricsAccess { token: Some("s3cret".into()), ..access };
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, axum::http::HeaderValue::from_static("Bearer s3cret"));
        assert!(with_token.permits(None, &headers));
        headers.insert(header::AUTHORIZATION, axum::http::HeaderValue::from_static("Bearer s3cre"));
        assert!(!with_token.permits(None, &headers));
    }
}
