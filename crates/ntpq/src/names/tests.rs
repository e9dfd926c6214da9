use super::*;
use std::sync::atomic::AtomicUsize;

/// 10.0.0.x → `h<x>.test`, confirmed for even x, pointing elsewhere for
/// odd x; 10.0.1.x has no name; 10.0.2.x all share `shared.test`, which
/// resolves to 10.0.2.1 only.
struct Fake {
    delay: Duration,
    reverse_calls: AtomicUsize,
    forward_calls: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl Fake {
    fn new(delay_ms: u64) -> Arc<Fake> {
        Arc::new(Fake {
            delay: Duration::from_millis(delay_ms),
            reverse_calls: AtomicUsize::new(0),
            forward_calls: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        })
    }
    fn busy<T>(&self, f: impl FnOnce() -> T) -> T {
        let n = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(n, Ordering::SeqCst);
        std::thread::sleep(self.delay);
        let r = f();
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        r
    }
}

impl Lookup for Fake {
    fn reverse(&self, ip: IpAddr) -> Option<String> {
        self.reverse_calls.fetch_add(1, Ordering::SeqCst);
        self.busy(|| match ip {
            IpAddr::V4(v4) => match v4.octets() {
                [10, 0, 0, x] => Some(format!("H{x}.Test")),
                [10, 0, 2, _] => Some("shared.test".into()),
                [10, 0, 9, 9] => panic!("lookup blew up"),
                _ => None,
            },
            IpAddr::V6(_) => Some("v6.test".into()),
        })
    }
    fn forward(&self, name: &str) -> Vec<IpAddr> {
        self.forward_calls.fetch_add(1, Ordering::SeqCst);
        self.busy(|| {
            if name == "shared.test" {
                return vec!["10.0.2.1".parse().unwrap()];
            }
            if name == "v6.test" {
                return vec!["2001:db8::1".parse().unwrap()];
            }
            let x: u8 = name
                .strip_prefix('h')
                .and_then(|n| n.strip_suffix(".test"))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            if x & 1 == 0 {
                vec![IpAddr::from([10, 0, 0, x]), "2001:db8::9".parse().unwrap()]
            } else {
                vec![IpAddr::from([192, 0, 2, x])]
            }
        })
    }
    fn canonicalize(&self, text: &str) -> String {
        self.reverse_calls.fetch_add(1, Ordering::SeqCst);
        format!("canon({text})")
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn display_forms() {
    let fake = Fake::new(0);
    let mut r = NameResolver::with_lookup(4, fake.clone());
    let got = r.resolve_all(&[
        ip("10.0.0.2"),
        ip("10.0.0.3"),
        ip("10.0.1.7"),
        ip("2001:db8::1"),
        ip("2001:db8::2"),
    ]);
    assert_eq!(got[&ip("10.0.0.2")], "h2.test");
    assert_eq!(got[&ip("10.0.0.3")], "10.0.0.3 (h3.test)");
    assert_eq!(got[&ip("10.0.1.7")], "10.0.1.7");
    assert_eq!(got[&ip("2001:db8::1")], "v6.test");
    assert_eq!(got[&ip("2001:db8::2")], "2001:db8::2 (v6.test)");
    assert_eq!(got.len(), 5);
}

#[test]
fn shared_name_is_checked_per_address_and_looked_up_once() {
    let fake = Fake::new(1);
    let mut r = NameResolver::with_lookup(8, fake.clone());
    let addrs: Vec<IpAddr> = (1..=20).map(|x| IpAddr::from([10, 0, 2, x])).collect();
    let got = r.resolve_all(&addrs);
    assert_eq!(got[&ip("10.0.2.1")], "shared.test");
    assert_eq!(got[&ip("10.0.2.2")], "10.0.2.2 (shared.test)");
    assert_eq!(fake.forward_calls.load(Ordering::SeqCst), 1);
}

#[test]
fn duplicates_and_cache() {
    let fake = Fake::new(0);
    let mut r = NameResolver::with_lookup(4, fake.clone());
    let addrs = vec![ip("10.0.0.4"); 50];
    let got = r.resolve_all(&addrs);
    assert_eq!(got.len(), 1);
    assert_eq!(fake.reverse_calls.load(Ordering::SeqCst), 1);
    let again = r.resolve_all(&[ip("10.0.0.4"), ip("10.0.0.6")]);
    assert_eq!(again[&ip("10.0.0.4")], "h4.test");
    assert_eq!(again[&ip("10.0.0.6")], "h6.test");
    assert_eq!(fake.reverse_calls.load(Ordering::SeqCst), 2);
    // Expired entries are looked up again.
    r.set_ttl(Duration::ZERO);
    r.resolve_all(&[ip("10.0.0.4")]);
    assert_eq!(fake.reverse_calls.load(Ordering::SeqCst), 3);
}

#[test]
fn lookups_run_concurrently_within_the_bound() {
    let fake = Fake::new(20);
    let mut r = NameResolver::with_lookup(16, fake.clone());
    let addrs: Vec<IpAddr> = (0..=255).map(|x| IpAddr::from([10, 0, 1, x])).collect();
    let start = Instant::now();
    let got = r.resolve_all(&addrs);
    let took = start.elapsed();
    assert_eq!(got.len(), 256);
    assert!(got.iter().all(|(a, t)| *t == a.to_string()));
    let peak = fake.max_in_flight.load(Ordering::SeqCst);
    assert!(peak <= 16, "peak {peak}");
    assert!(peak >= 8, "peak {peak}");
    // Serially this would take 256 × 20 ms = 5.1 s.
    assert!(took < Duration::from_millis(2000), "took {took:?}");
    assert_eq!(r.threads_started(), 16);
}

#[test]
fn a_panicking_lookup_shows_the_address() {
    let fake = Fake::new(0);
    let mut r = NameResolver::with_lookup(2, fake.clone());
    let got = r.resolve_all(&[ip("10.0.9.9"), ip("10.0.0.8")]);
    assert_eq!(got[&ip("10.0.9.9")], "10.0.9.9");
    assert_eq!(got[&ip("10.0.0.8")], "h8.test");
    // The pool still works afterwards.
    assert_eq!(
        r.resolve_all(&[ip("10.0.0.10")])[&ip("10.0.0.10")],
        "h10.test"
    );
}

#[test]
fn stop_gives_up_without_caching() {
    let fake = Fake::new(200);
    let mut r = NameResolver::with_lookup(2, fake.clone());
    let addrs: Vec<IpAddr> = (0..40).map(|x| IpAddr::from([10, 0, 1, x])).collect();
    let start = Instant::now();
    let got = r.resolve_all_until(&addrs, &|| start.elapsed() > Duration::from_millis(50));
    assert!(start.elapsed() < Duration::from_millis(1000));
    assert!(got.len() < 40);
    // Cancelled jobs are skipped by the workers.
    std::thread::sleep(Duration::from_millis(500));
    assert!(fake.reverse_calls.load(Ordering::SeqCst) < 10);
    assert!(r.shown.len() < 40);
}

#[test]
fn peers_name_is_cached() {
    let fake = Fake::new(0);
    let mut r = NameResolver::with_lookup(2, fake.clone());
    assert_eq!(r.peers_name("10.0.0.1:123"), "canon(10.0.0.1:123)");
    assert_eq!(r.peers_name("10.0.0.1:123"), "canon(10.0.0.1:123)");
    assert_eq!(fake.reverse_calls.load(Ordering::SeqCst), 1);
    assert_eq!(r.threads_started(), 0);
}

#[test]
fn empty_input() {
    let mut r = NameResolver::with_lookup(2, Fake::new(0));
    assert!(r.resolve_all(&[]).is_empty());
    assert_eq!(r.threads_started(), 0);
}

#[test]
fn system_peers_name_of_garbage_needs_no_dns() {
    let mut r = NameResolver::default();
    assert_eq!(r.peers_name("not an address"), "DNSFAIL:not an address");
    assert_eq!(r.peers_name("bad\0nul"), "DNSFAIL:bad\0nul");
}
