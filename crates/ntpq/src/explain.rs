//! The line ntpq-rs adds after a failed query's message (1.2.2's text,
//! which scripts match, stays first and unchanged): which host and which
//! address were tried, and the likely cause where one is known.

use std::net::{IpAddr, SocketAddr};

use ntp_control::{QueryError, ServerErrorCode};

/// What the explanation needs to know about the query that failed.
pub struct Attempt<'a> {
    /// The host as the user typed it.
    pub host: &'a str,
    pub addr: SocketAddr,
    pub timeout_ms: i64,
    /// The key id the failed request was signed with, if it was.
    pub keyid: Option<i64>,
    /// The datagrams were refused: nothing listens at the address.
    pub refused: bool,
}

/// `host (address)`, or the address alone when the host was typed as it.
fn target(a: &Attempt) -> String {
    let typed = a
        .host
        .trim_start_matches('[')
        .split(']')
        .next()
        .unwrap_or(a.host);
    let typed_ip = typed.parse::<IpAddr>().ok().or_else(|| {
        // host:port as typed (IPv4 or a name with a port).
        typed.rsplit_once(':').and_then(|(h, _)| h.parse().ok())
    });
    if typed_ip == Some(a.addr.ip()) {
        a.addr.to_string()
    } else {
        format!("{} ({})", a.host, a.addr)
    }
}

fn nothing_listening(a: &Attempt, to: &str) -> String {
    let other = if a.addr.is_ipv4() {
        "IPv6 only (try -6)"
    } else {
        "IPv4 only (try -4)"
    };
    format!(
        "nothing is listening on {to}: is ntpd running? Is it listening on {other}, \
         or on another port (host:port)?"
    )
}

/// The line after `e`'s message (without the `ntpq: ` prefix), when there
/// is something to add.
pub fn explain(e: &QueryError, a: &Attempt) -> Option<String> {
    let to = target(a);
    let port = a.addr.port();
    Some(match e {
        QueryError::Timeout | QueryError::Socket if a.refused => nothing_listening(a, &to),
        QueryError::Socket => nothing_listening(a, &to),
        QueryError::Timeout => format!(
            "no answer from {to} within {} ms: is ntpd running there? A `restrict ... noquery` \
             line for this client, or a firewall dropping UDP port {port}, looks the same",
            a.timeout_ms
        ),
        QueryError::Server(code) if *code == ServerErrorCode::PERMISSION => match a.keyid {
            Some(id) => format!(
                "{to} refused key {id}: the request needs the server's control key \
                 (`controlkey` in its ntp.conf, also a `trustedkey`) with the same secret \
                 and type as in the -k key file"
            ),
            None => format!(
                "{to} requires authentication: give the server's control key \
                 (`controlkey` in its ntp.conf) with -a KEYID and its key file with -k"
            ),
        },
        QueryError::Server(code) if *code == ServerErrorCode::RESTRICT => format!(
            "{to} refuses this client: a `restrict` line in its ntp.conf (noquery, nomodify) \
             covers this address"
        ),
        QueryError::Incomplete => format!(
            "{to} sent part of a reply: fragments were lost on the way; try again, or ask \
             for less at once"
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(host: &str, addr: &str) -> Attempt<'static> {
        Attempt {
            host: Box::leak(host.to_string().into_boxed_str()),
            addr: addr.parse().unwrap(),
            timeout_ms: 5000,
            keyid: None,
            refused: false,
        }
    }

    #[test]
    fn names_the_host_and_the_address() {
        let a = attempt("ntp.example", "192.0.2.1:123");
        let t = explain(&QueryError::Timeout, &a).unwrap();
        assert!(t.starts_with("no answer from ntp.example (192.0.2.1:123) within 5000 ms"));
        assert!(t.contains("noquery") && t.contains("firewall"), "{t}");
        // Typed as the address: said once.
        let a = attempt("127.0.0.1", "127.0.0.1:123");
        let t = explain(&QueryError::Socket, &a).unwrap();
        assert!(
            t.starts_with("nothing is listening on 127.0.0.1:123: "),
            "{t}"
        );
        assert!(t.contains("IPv6 only (try -6)"), "{t}");
        let a = attempt("[::1]:4123", "[::1]:4123");
        let t = explain(&QueryError::Socket, &a).unwrap();
        assert!(t.starts_with("nothing is listening on [::1]:4123: "), "{t}");
        assert!(t.contains("IPv4 only"), "{t}");
        // A timeout after refused datagrams: nothing listens either.
        let mut a = attempt("localhost", "127.0.0.1:123");
        a.refused = true;
        let t = explain(&QueryError::Timeout, &a).unwrap();
        assert!(
            t.starts_with("nothing is listening on localhost (127.0.0.1:123): "),
            "{t}"
        );
    }

    #[test]
    fn permission_says_which_key() {
        let mut a = attempt("ntp.example", "192.0.2.1:123");
        let e = QueryError::Server(ServerErrorCode::PERMISSION);
        assert!(explain(&e, &a).unwrap().contains("-a KEYID"));
        a.keyid = Some(7);
        let t = explain(&e, &a).unwrap();
        assert!(
            t.contains("refused key 7") && t.contains("controlkey"),
            "{t}"
        );
        let e = QueryError::Server(ServerErrorCode::BADASSOC);
        assert_eq!(explain(&e, &a), None);
    }
}
