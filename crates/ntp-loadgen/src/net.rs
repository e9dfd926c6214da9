//! The raw socket work: one UDP socket bound to the wildcard address that
//! sends NTP client packets from any 127/8 source address (chosen per
//! packet with an `IP_PKTINFO` control message, `ipi_spec_dst`) in
//! `sendmmsg` batches, and reads ntpd's replies back with `recvmmsg`
//! (`IP_PKTINFO` on receive tells which client address a reply was for).
//!
//! Linux accepts any address of a `local` route as a source, and the kernel
//! installs `local 127.0.0.0/8 dev lo`, so every 127/8 address (except the
//! broadcast 127.255.255.255) works without configuring it on `lo`, without
//! `IP_FREEBIND`/`IP_TRANSPARENT` and without per-address sockets. Because
//! the socket is bound to 0.0.0.0:PORT, the replies ntpd sends to
//! 127.x.y.z:PORT are delivered to it as well (no ICMP port unreachable).

use std::io;
use std::mem;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

/// Packets per `sendmmsg` / `recvmmsg` call.
pub const BATCH: usize = 64;

/// Length of an NTP packet without extensions or MAC.
pub const NTP_LEN: usize = 48;

/// One reply read from the socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The client address the reply was sent to.
    pub client: Ipv4Addr,
    /// A Kiss-o'-Death code (stratum 0 with `RATE`, `DENY`, `RSTR`, …).
    /// An unsynchronised ntpd's ordinary replies also have stratum 0, with
    /// refid `INIT` or `STEP`: those are not KoD.
    pub kiss: Option<[u8; 4]>,
}

/// A UDP socket bound to 0.0.0.0:port sending to one target.
pub struct Loader {
    fd: OwnedFd,
    dst: libc::sockaddr_in,
    target: SocketAddrV4,
    port: u16,
}

fn cvt(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

fn sockaddr_in(a: SocketAddrV4) -> libc::sockaddr_in {
    // SAFETY: sockaddr_in is plain old data; all-zero is a valid value.
    let mut sa: libc::sockaddr_in = unsafe { mem::zeroed() };
    sa.sin_family = libc::AF_INET as libc::sa_family_t;
    sa.sin_port = a.port().to_be();
    sa.sin_addr.s_addr = u32::from(*a.ip()).to_be();
    sa
}

fn setsockopt_int(
    fd: libc::c_int,
    level: libc::c_int,
    name: libc::c_int,
    v: libc::c_int,
) -> io::Result<()> {
    // SAFETY: passes a pointer to a live c_int and its size.
    cvt(unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&v as *const libc::c_int).cast(),
            mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    })
    .map(drop)
}

/// Builds a 48-octet NTPv4 client request (LI 0, VN 4, mode 3) carrying
/// `xmt` as its transmit timestamp (poll 6, precision -20 like a real
/// client; everything else zero).
pub fn client_packet(xmt: u64) -> [u8; NTP_LEN] {
    let mut p = [0u8; NTP_LEN];
    p[0] = 4 << 3 | 3;
    p[2] = 6;
    p[3] = (-20i8) as u8;
    p[40..48].copy_from_slice(&xmt.to_be_bytes());
    p
}

impl Loader {
    /// Opens the socket, bound to 0.0.0.0:`port` (0: an ephemeral port).
    pub fn new(target: SocketAddrV4, port: u16) -> io::Result<Loader> {
        // SAFETY: plain socket(2) call; the fd is owned right away.
        let raw = cvt(unsafe {
            libc::socket(
                libc::AF_INET,
                libc::SOCK_DGRAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                0,
            )
        })?;
        // SAFETY: `raw` is a fresh descriptor nobody else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        setsockopt_int(raw, libc::IPPROTO_IP, libc::IP_PKTINFO, 1)?;
        // Large buffers: replies arrive in bursts. FORCE works as root and
        // ignores rmem_max; otherwise fall back to the capped variant.
        for (force, plain) in [
            (libc::SO_RCVBUFFORCE, libc::SO_RCVBUF),
            (libc::SO_SNDBUFFORCE, libc::SO_SNDBUF),
        ] {
            if setsockopt_int(raw, libc::SOL_SOCKET, force, 16 << 20).is_err() {
                let _ = setsockopt_int(raw, libc::SOL_SOCKET, plain, 16 << 20);
            }
        }
        let local = sockaddr_in(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port));
        // SAFETY: pointer and length describe `local`.
        cvt(unsafe {
            libc::bind(
                raw,
                (&local as *const libc::sockaddr_in).cast(),
                mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
            )
        })?;
        // SAFETY: getsockname writes at most `len` bytes into `bound`.
        let mut bound: libc::sockaddr_in = unsafe { mem::zeroed() };
        let mut len = mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        cvt(unsafe {
            libc::getsockname(raw, (&mut bound as *mut libc::sockaddr_in).cast(), &mut len)
        })?;
        Ok(Loader {
            fd,
            dst: sockaddr_in(target),
            target,
            port: u16::from_be(bound.sin_port),
        })
    }

    /// The local (source) port every packet is sent from.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Sends one client packet per `(source, xmt)` (at most [`BATCH`]) with
    /// one `sendmmsg`. Returns how many were sent: fewer than asked when the
    /// socket buffer is full (0 on EAGAIN).
    pub fn send(&mut self, pkts: &[(Ipv4Addr, u64)]) -> io::Result<usize> {
        let n = pkts.len().min(BATCH);
        if n == 0 {
            return Ok(0);
        }
        let mut dst = self.dst;
        let mut bufs = [[0u8; NTP_LEN]; BATCH];
        // 8-byte aligned room for one cmsghdr + in_pktinfo (32 octets).
        let mut ctl = [[0u64; 4]; BATCH];
        // SAFETY: iovec/mmsghdr are plain old data; all-zero is valid.
        let mut iov: [libc::iovec; BATCH] = unsafe { mem::zeroed() };
        let mut msgs: [libc::mmsghdr; BATCH] = unsafe { mem::zeroed() };
        // SAFETY: CMSG_SPACE is a pure computation.
        let space = unsafe { libc::CMSG_SPACE(mem::size_of::<libc::in_pktinfo>() as u32) } as usize;
        debug_assert!(space <= mem::size_of::<[u64; 4]>());
        for i in 0..n {
            let (src, xmt) = pkts[i];
            bufs[i] = client_packet(xmt);
            iov[i].iov_base = bufs[i].as_mut_ptr().cast();
            iov[i].iov_len = NTP_LEN;
            let h = &mut msgs[i].msg_hdr;
            h.msg_name = (&mut dst as *mut libc::sockaddr_in).cast();
            h.msg_namelen = mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
            h.msg_iov = &mut iov[i];
            h.msg_iovlen = 1;
            h.msg_control = ctl[i].as_mut_ptr().cast();
            h.msg_controllen = space as _;
            // SAFETY: msg_control points at `space` writable, aligned bytes,
            // so CMSG_FIRSTHDR is non-null and CMSG_DATA has room for an
            // in_pktinfo.
            unsafe {
                let c = libc::CMSG_FIRSTHDR(h);
                (*c).cmsg_level = libc::IPPROTO_IP;
                (*c).cmsg_type = libc::IP_PKTINFO;
                (*c).cmsg_len = libc::CMSG_LEN(mem::size_of::<libc::in_pktinfo>() as u32) as _;
                let info = libc::in_pktinfo {
                    ipi_ifindex: 0,
                    ipi_spec_dst: libc::in_addr {
                        s_addr: u32::from(src).to_be(),
                    },
                    ipi_addr: libc::in_addr { s_addr: 0 },
                };
                std::ptr::write_unaligned(libc::CMSG_DATA(c).cast::<libc::in_pktinfo>(), info);
            }
        }
        // SAFETY: every header points at buffers that outlive the call.
        let r = unsafe { libc::sendmmsg(self.fd.as_raw_fd(), msgs.as_mut_ptr(), n as u32, 0) };
        if r < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::WouldBlock {
                return Ok(0);
            }
            return Err(e);
        }
        Ok(r as usize)
    }

    /// Reads every reply queued on the socket (without blocking), passing
    /// the well-formed NTP server replies from the target to `f`. Returns
    /// the number of datagrams read (including ignored ones).
    pub fn drain(&mut self, mut f: impl FnMut(Reply)) -> io::Result<usize> {
        let mut total = 0;
        loop {
            let mut bufs = [[0u8; 128]; BATCH];
            let mut ctl = [[0u64; 8]; BATCH];
            // SAFETY: plain old data; all-zero is valid.
            let mut names: [libc::sockaddr_in; BATCH] = unsafe { mem::zeroed() };
            let mut iov: [libc::iovec; BATCH] = unsafe { mem::zeroed() };
            let mut msgs: [libc::mmsghdr; BATCH] = unsafe { mem::zeroed() };
            for i in 0..BATCH {
                iov[i].iov_base = bufs[i].as_mut_ptr().cast();
                iov[i].iov_len = bufs[i].len();
                let h = &mut msgs[i].msg_hdr;
                h.msg_name = (&mut names[i] as *mut libc::sockaddr_in).cast();
                h.msg_namelen = mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
                h.msg_iov = &mut iov[i];
                h.msg_iovlen = 1;
                h.msg_control = ctl[i].as_mut_ptr().cast();
                h.msg_controllen = mem::size_of::<[u64; 8]>() as _;
            }
            // SAFETY: every header points at buffers that outlive the call.
            let r = unsafe {
                libc::recvmmsg(
                    self.fd.as_raw_fd(),
                    msgs.as_mut_ptr(),
                    BATCH as u32,
                    libc::MSG_DONTWAIT,
                    std::ptr::null_mut(),
                )
            };
            if r < 0 {
                let e = io::Error::last_os_error();
                match e.kind() {
                    io::ErrorKind::WouldBlock => return Ok(total),
                    io::ErrorKind::Interrupted => continue,
                    // An ICMP error queued on the socket (e.g. nothing
                    // listens on the target): not fatal here.
                    io::ErrorKind::ConnectionRefused => continue,
                    _ => return Err(e),
                }
            }
            let r = r as usize;
            total += r;
            for i in 0..r {
                let len = msgs[i].msg_len as usize;
                let from = SocketAddrV4::new(
                    Ipv4Addr::from(u32::from_be(names[i].sin_addr.s_addr)),
                    u16::from_be(names[i].sin_port),
                );
                let p = &bufs[i][..len.min(128)];
                if from != self.target || len < NTP_LEN || p[0] & 7 != 4 {
                    continue;
                }
                let Some(client) = pktinfo_dst(&mut msgs[i].msg_hdr) else {
                    continue;
                };
                let code = [p[12], p[13], p[14], p[15]];
                let kiss = (p[1] == 0 && !matches!(&code, b"INIT" | b"STEP")).then_some(code);
                f(Reply { client, kiss });
            }
            if r < BATCH {
                return Ok(total);
            }
        }
    }

    /// Waits until the socket is readable (or writable too, when
    /// `want_write`), at most `timeout`.
    pub fn wait(&self, timeout: Duration, want_write: bool) {
        let mut pfd = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN | if want_write { libc::POLLOUT } else { 0 },
            revents: 0,
        };
        let ms = timeout.as_millis().min(i32::MAX as u128) as libc::c_int;
        // SAFETY: one valid pollfd.
        unsafe { libc::poll(&mut pfd, 1, ms) };
    }
}

/// The header destination address from an `IP_PKTINFO` control message.
fn pktinfo_dst(h: &mut libc::msghdr) -> Option<Ipv4Addr> {
    // SAFETY: `h` was filled by recvmmsg; the CMSG macros stay within
    // msg_control/msg_controllen.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(h);
        while !c.is_null() {
            if (*c).cmsg_level == libc::IPPROTO_IP && (*c).cmsg_type == libc::IP_PKTINFO {
                let info: libc::in_pktinfo =
                    std::ptr::read_unaligned(libc::CMSG_DATA(c).cast::<libc::in_pktinfo>());
                return Some(Ipv4Addr::from(u32::from_be(info.ipi_addr.s_addr)));
            }
            c = libc::CMSG_NXTHDR(h, c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn packet() {
        let p = super::client_packet(0x0102_0304_0506_0708);
        assert_eq!(p[0], 0x23);
        assert_eq!(&p[40..], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert!(p[4..40].iter().all(|&b| b == 0));
    }
}
