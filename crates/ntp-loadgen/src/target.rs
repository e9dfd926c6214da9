//! Where the load goes and comes from: the target (IPv4 loopback only) and
//! the client addresses `first + i`, kept inside 127/8.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};

/// Default first client address.
pub const DEFAULT_FIRST: Ipv4Addr = Ipv4Addr::new(127, 1, 0, 0);
/// The highest usable client address (127.255.255.255 is lo's broadcast).
pub const LAST_USABLE: Ipv4Addr = Ipv4Addr::new(127, 255, 255, 254);

/// Parses a target `ADDR[:PORT]` (IP literal, port default 123) and
/// refuses anything that is not IPv4 loopback.
pub fn parse_target(s: &str) -> Result<SocketAddrV4, String> {
    let addr: SocketAddr = match s.parse::<SocketAddr>() {
        Ok(a) => a,
        Err(_) => match s.trim_matches(|c| c == '[' || c == ']').parse::<IpAddr>() {
            Ok(ip) => SocketAddr::new(ip, 123),
            Err(_) => {
                return Err(format!(
                    "bad target {s:?}: expected an IP address, optionally with :PORT"
                ))
            }
        },
    };
    match addr {
        SocketAddr::V4(a) if a.ip().is_loopback() => Ok(a),
        SocketAddr::V6(a) if a.ip().is_loopback() => Err(format!(
            "target {s}: IPv6 (::1) is not supported; clients are IPv4 127/8 addresses, use 127.0.0.1"
        )),
        _ => Err(format!("target {s} refused: only loopback targets (127.0.0.0/8) are allowed")),
    }
}

/// Checks that `count` client addresses from `first` stay inside 127/8
/// (below the broadcast 127.255.255.255) and do not include the target.
pub fn check_range(first: Ipv4Addr, count: u64, target: SocketAddrV4) -> Result<(), String> {
    if !first.is_loopback() {
        return Err(format!(
            "first client address {first} is not in 127.0.0.0/8"
        ));
    }
    if count == 0 {
        return Ok(());
    }
    let lo = u64::from(u32::from(first));
    let hi = lo + count - 1;
    if hi > u64::from(u32::from(LAST_USABLE)) {
        let room = u64::from(u32::from(LAST_USABLE)) + 1 - lo;
        return Err(format!(
            "{count} clients from {first} would leave 127/8 (at most {room} fit below 127.255.255.255)"
        ));
    }
    let t = u64::from(u32::from(*target.ip()));
    if (lo..=hi).contains(&t) {
        return Err(format!(
            "client range {first}..{} includes the target {}",
            addr_of(first, count - 1),
            target.ip()
        ));
    }
    Ok(())
}

/// Client number `i`'s address.
pub fn addr_of(first: Ipv4Addr, i: u64) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(first).wrapping_add(i as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            parse_target("127.0.0.1").unwrap(),
            "127.0.0.1:123".parse().unwrap()
        );
        assert_eq!(
            parse_target("127.3.4.5:1234").unwrap(),
            "127.3.4.5:1234".parse().unwrap()
        );
        assert!(parse_target("::1").unwrap_err().contains("IPv6"));
        assert!(parse_target("[::1]:123").unwrap_err().contains("IPv6"));
        assert!(parse_target("192.0.2.1").unwrap_err().contains("refused"));
        assert!(parse_target("10.0.0.1:123")
            .unwrap_err()
            .contains("refused"));
        assert!(parse_target("localhost").is_err());
    }

    #[test]
    fn ranges() {
        let t = parse_target("127.0.0.1").unwrap();
        assert_eq!(addr_of(DEFAULT_FIRST, 0), Ipv4Addr::new(127, 1, 0, 0));
        assert_eq!(
            addr_of(DEFAULT_FIRST, 65_536 + 257),
            Ipv4Addr::new(127, 2, 1, 1)
        );
        assert!(check_range(DEFAULT_FIRST, 1_000_000, t).is_ok());
        let room = u32::from(LAST_USABLE) - u32::from(DEFAULT_FIRST) + 1;
        assert!(check_range(DEFAULT_FIRST, room as u64, t).is_ok());
        assert!(check_range(DEFAULT_FIRST, room as u64 + 1, t).is_err());
        assert!(check_range(Ipv4Addr::new(10, 0, 0, 0), 1, t).is_err());
        assert!(check_range(Ipv4Addr::new(127, 0, 0, 0), 2, t)
            .unwrap_err()
            .contains("includes the target"));
    }
}
