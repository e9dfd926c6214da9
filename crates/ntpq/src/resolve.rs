//! Host lookup as the reference does it: numeric first, then a normal
//! lookup, first result wins, with getaddrinfo's own error texts.
//! ntpq-rs also accepts `host:port` and `[v6]:port` (test servers and
//! non-root daemons need a port).

use std::ffi::{CStr, CString};
use std::net::{IpAddr, SocketAddr};

/// Address family requested for host lookups (`-4`, `-6`, `host -4 ...`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Family {
    #[default]
    Any,
    V4,
    V6,
}

pub const NTP_PORT: u16 = 123;

/// Splits `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 literal.
pub fn split_host_port(text: &str) -> (String, Option<u16>) {
    if let Some(rest) = text.strip_prefix('[') {
        if let Some((addr, tail)) = rest.split_once(']') {
            let port = tail.strip_prefix(':').and_then(|p| p.parse().ok());
            return (addr.to_string(), port);
        }
    }
    match text.rsplit_once(':') {
        // Exactly one colon: host:port. More: a bare IPv6 literal.
        Some((host, port)) if !host.contains(':') => match port.parse() {
            Ok(p) => (host.to_string(), Some(p)),
            Err(_) => (text.to_string(), None),
        },
        _ => (text.to_string(), None),
    }
}

/// A failed lookup with getaddrinfo's error text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupError {
    pub code: i32,
    pub text: String,
}

impl LookupError {
    /// EAI_NONAME / EAI_NODATA: the reference then tries once more.
    pub fn is_no_name(&self) -> bool {
        self.code == libc::EAI_NONAME || self.code == -5 /* EAI_NODATA */
    }
}

fn family_flag(f: Family) -> i32 {
    match f {
        Family::Any => libc::AF_UNSPEC,
        Family::V4 => libc::AF_INET,
        Family::V6 => libc::AF_INET6,
    }
}

/// getaddrinfo(host, port, family, DGRAM, UDP, flags) → first address.
pub fn getaddrinfo_first(
    host: &str,
    port: u16,
    family: Family,
    flags: i32,
) -> Result<SocketAddr, LookupError> {
    let bad = |text: &str| LookupError {
        code: libc::EAI_NONAME,
        text: text.to_string(),
    };
    let c_host = CString::new(host).map_err(|_| bad("Name or service not known"))?;
    let c_port = CString::new(port.to_string()).map_err(|_| bad("Servname not supported"))?;
    // SAFETY: hints is a plain C struct, zeroed is a valid initial value.
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_family = family_flag(family);
    hints.ai_socktype = libc::SOCK_DGRAM;
    hints.ai_protocol = libc::IPPROTO_UDP;
    hints.ai_flags = flags;
    let mut res: *mut libc::addrinfo = std::ptr::null_mut();
    // SAFETY: valid NUL-terminated strings and hints; res is freed below.
    let rc = unsafe { libc::getaddrinfo(c_host.as_ptr(), c_port.as_ptr(), &hints, &mut res) };
    if rc != 0 {
        // SAFETY: gai_strerror returns a static NUL-terminated string.
        let text = unsafe { CStr::from_ptr(libc::gai_strerror(rc)) }
            .to_string_lossy()
            .into_owned();
        return Err(LookupError { code: rc, text });
    }
    let mut out = None;
    let mut cur = res;
    while !cur.is_null() && out.is_none() {
        // SAFETY: cur walks the list getaddrinfo returned.
        let ai = unsafe { &*cur };
        out = sockaddr_to_std(ai.ai_addr, ai.ai_addrlen);
        cur = ai.ai_next;
    }
    // SAFETY: res came from getaddrinfo.
    unsafe { libc::freeaddrinfo(res) };
    out.ok_or_else(|| bad("No address associated with hostname"))
}

fn sockaddr_to_std(sa: *const libc::sockaddr, len: libc::socklen_t) -> Option<SocketAddr> {
    if sa.is_null() {
        return None;
    }
    // SAFETY: the family field tells which struct this is; lengths checked.
    unsafe {
        match (*sa).sa_family as i32 {
            libc::AF_INET if len as usize >= std::mem::size_of::<libc::sockaddr_in>() => {
                let s = &*(sa as *const libc::sockaddr_in);
                let ip = std::net::Ipv4Addr::from(u32::from_be(s.sin_addr.s_addr));
                Some(SocketAddr::new(IpAddr::V4(ip), u16::from_be(s.sin_port)))
            }
            libc::AF_INET6 if len as usize >= std::mem::size_of::<libc::sockaddr_in6>() => {
                let s = &*(sa as *const libc::sockaddr_in6);
                let ip = std::net::Ipv6Addr::from(s.sin6_addr.s6_addr);
                Some(SocketAddr::V6(std::net::SocketAddrV6::new(
                    ip,
                    u16::from_be(s.sin6_port),
                    s.sin6_flowinfo,
                    s.sin6_scope_id,
                )))
            }
            _ => None,
        }
    }
}

/// Resolves a host argument as the reference does; on failure returns the
/// log lines the reference writes.
pub fn resolve_host(text: &str, family: Family) -> Result<SocketAddr, Vec<String>> {
    let (host, port) = split_host_port(text);
    let port = port.unwrap_or(NTP_PORT);
    if let Ok(a) = getaddrinfo_first(&host, port, family, libc::AI_NUMERICHOST) {
        return Ok(a);
    }
    match getaddrinfo_first(&host, port, family, 0) {
        Ok(a) => Ok(a),
        Err(e) => {
            let mut lines = vec![format!(
                "ntpq: standard-mode lookup of {text} failed, {}",
                e.text
            )];
            if e.is_no_name() {
                if let Err(e2) = getaddrinfo_first(&host, port, family, 0) {
                    lines.push(format!("ntpq: ndp lookup failed, {}", e2.text));
                } else if let Ok(a) = getaddrinfo_first(&host, port, family, 0) {
                    return Ok(a);
                }
            }
            Err(lines)
        }
    }
}

/// Reverse lookup of an IP address (getnameinfo with NI_NAMEREQD).
pub fn reverse_lookup(ip: IpAddr) -> Option<String> {
    let sa: SocketAddr = SocketAddr::new(ip, 0);
    let mut host = [0 as libc::c_char; 1025];
    // SAFETY: storage built from a std SocketAddr of the right family and length.
    let rc = unsafe {
        match sa {
            SocketAddr::V4(v4) => {
                let mut s: libc::sockaddr_in = std::mem::zeroed();
                s.sin_family = libc::AF_INET as libc::sa_family_t;
                s.sin_addr.s_addr = u32::from(*v4.ip()).to_be();
                libc::getnameinfo(
                    &s as *const _ as *const libc::sockaddr,
                    std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
                    host.as_mut_ptr(),
                    host.len() as libc::socklen_t,
                    std::ptr::null_mut(),
                    0,
                    libc::NI_NAMEREQD,
                )
            }
            SocketAddr::V6(v6) => {
                let mut s: libc::sockaddr_in6 = std::mem::zeroed();
                s.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                s.sin6_addr.s6_addr = v6.ip().octets();
                s.sin6_scope_id = v6.scope_id();
                libc::getnameinfo(
                    &s as *const _ as *const libc::sockaddr,
                    std::mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t,
                    host.as_mut_ptr(),
                    host.len() as libc::socklen_t,
                    std::ptr::null_mut(),
                    0,
                    libc::NI_NAMEREQD,
                )
            }
        }
    };
    if rc != 0 {
        return None;
    }
    // SAFETY: getnameinfo wrote a NUL-terminated string into host.
    Some(
        unsafe { CStr::from_ptr(host.as_ptr()) }
            .to_string_lossy()
            .into_owned(),
    )
}

/// The reference's `canonicalize` (commands.md §13): `addr[:port]` to a
/// lower-case name with the port kept, the address when no name is found,
/// `DNSFAIL:<addr>` when the text is not an address.
pub fn canonicalize(text: &str) -> String {
    let (addr, port) = if let Some(rest) = text.strip_prefix('[') {
        match rest.split_once("]:") {
            Some((a, p)) => (a.to_string(), format!(":{p}")),
            None => (rest.trim_end_matches(']').to_string(), String::new()),
        }
    } else {
        match text.rsplit_once(':') {
            Some((a, p)) if !a.contains(':') => (a.to_string(), format!(":{p}")),
            _ => (text.to_string(), String::new()),
        }
    };
    let Ok(sa) = getaddrinfo_first(&addr, 0, Family::Any, libc::AI_NUMERICHOST) else {
        return format!("DNSFAIL:{addr}");
    };
    match reverse_lookup(sa.ip()) {
        Some(name) => format!("{}{port}", name.to_lowercase()),
        None => format!("{}{port}", addr.to_lowercase()),
    }
}

/// Forward lookup of a name (for confirming a reverse lookup).
pub fn forward_addresses(name: &str) -> Vec<IpAddr> {
    use std::net::ToSocketAddrs;
    (name, 0)
        .to_socket_addrs()
        .map(|it| it.map(|a| a.ip()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_forms() {
        assert_eq!(split_host_port("127.0.0.1"), ("127.0.0.1".into(), None));
        assert_eq!(
            split_host_port("127.0.0.1:1234"),
            ("127.0.0.1".into(), Some(1234))
        );
        assert_eq!(split_host_port("::1"), ("::1".into(), None));
        assert_eq!(split_host_port("[::1]"), ("::1".into(), None));
        assert_eq!(split_host_port("[::1]:99"), ("::1".into(), Some(99)));
        assert_eq!(split_host_port("host:ntp"), ("host:ntp".into(), None));
    }

    #[test]
    fn numeric_lookups_need_no_dns() {
        assert_eq!(
            resolve_host("127.0.0.9", Family::Any),
            Ok("127.0.0.9:123".parse().unwrap())
        );
        assert_eq!(
            resolve_host("[::1]:5", Family::Any),
            Ok("[::1]:5".parse().unwrap())
        );
    }
}
