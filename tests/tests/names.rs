//! Host names in mrulist's remote column and the peers table, against a DNS
//! responder we run ourselves (`dns-stub`).
//!
//! Nothing here may reach the machine's real nameserver, so everything runs
//! inside a network namespace the test creates (only `lo`, up): `ip netns
//! exec` bind-mounts `/etc/netns/<ns>/resolv.conf` (→ `nameserver
//! 127.0.0.53`, the stub) and `/etc/netns/<ns>/hosts` over the system
//! files, and the stub, the simulator (on port 123, so NTPsec's ntpq can be
//! compared too) and ntpq all run in it. The guard deletes the namespace,
//! its /etc/netns directory and the processes on drop.
//!
//! Needs root and `ip netns`; without them the tests are skipped (fail in
//! CI). The binaries come from the same target directory as the test:
//! `cargo build --workspace` first.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ntpq_conformance::{have, ntpq_rs, run, workspace_bin, Need, RunOutput, REFERENCE_NTPQ};

const IP: &str = "/usr/sbin/ip";
const STUB_ADDR: &str = "127.0.0.53:53";

/// A network namespace with its own resolv.conf and hosts, and the
/// processes started in it; all removed on drop.
struct NetNs {
    name: String,
    etc: PathBuf,
    dir: PathBuf,
    children: Vec<Child>,
}

impl NetNs {
    fn create() -> Result<NetNs, String> {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "ntpqrs-dns{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let add = Command::new(IP)
            .args(["netns", "add", &name])
            .output()
            .map_err(|e| e.to_string())?;
        let etc = PathBuf::from("/etc/netns").join(&name);
        let dir = std::env::temp_dir().join(&name);
        // From here on the guard cleans up whatever was made.
        let ns = NetNs {
            name,
            etc,
            dir,
            children: Vec::new(),
        };
        if !add.status.success() {
            return Err(format!(
                "ip netns add failed: {}",
                String::from_utf8_lossy(&add.stderr).trim()
            ));
        }
        let up = Command::new(IP)
            .args(["-n", &ns.name, "link", "set", "lo", "up"])
            .status()
            .map_err(|e| e.to_string())?;
        if !up.success() {
            return Err("cannot bring lo up in the namespace".into());
        }
        std::fs::create_dir_all(&ns.etc).map_err(|e| e.to_string())?;
        std::fs::create_dir_all(&ns.dir).map_err(|e| e.to_string())?;
        // Only the stub; fail fast (the stub always answers anyway).
        std::fs::write(
            ns.etc.join("resolv.conf"),
            "nameserver 127.0.0.53\noptions timeout:2 attempts:2\n",
        )
        .map_err(|e| e.to_string())?;
        std::fs::write(ns.etc.join("hosts"), "127.0.0.1 localhost\n::1 localhost\n")
            .map_err(|e| e.to_string())?;
        Ok(ns)
    }

    fn command(&self, program: &Path) -> Command {
        let mut c = Command::new(IP);
        c.args(["netns", "exec", &self.name]).arg(program);
        c
    }

    /// Starts a server that prints `listening on …` once ready.
    fn spawn_server(&mut self, program: &Path, args: &[&str], log: &str) {
        let log = std::fs::File::create(self.dir.join(log)).expect("log file");
        let mut child = self
            .command(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        let mut line = String::new();
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let _ = out.read_line(&mut line);
        self.children.push(child);
        assert!(
            line.starts_with("listening on"),
            "{} did not start: {line:?}",
            program.display()
        );
    }

    fn run(&self, program: &Path, args: &[&str]) -> RunOutput {
        let mut all: Vec<&str> = vec!["netns", "exec", &self.name];
        let p = program.to_str().expect("utf-8 path");
        all.push(p);
        all.extend_from_slice(args);
        run(Path::new(IP), &all, "")
    }
}

impl Drop for NetNs {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = Command::new(IP)
            .args(["netns", "del", &self.name])
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.etc);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const STUB_HOSTS: &str = "\
# confirmed, also via a mixed-case PTR
198.51.100.1 one.example.test
ptr 198.51.100.4 UPPER.Example.TEST
addr upper.example.test 198.51.100.4
# PTR name that resolves elsewhere: `addr (name)`
ptr 198.51.100.2 liar.example.test
addr liar.example.test 198.51.100.99
# two addresses sharing one name, only the first confirmed
ptr 198.51.100.5 shared.example.test
ptr 198.51.100.6 shared.example.test
addr shared.example.test 198.51.100.5
# 198.51.100.3: no PTR at all -> the address
";

fn scenario(generated: usize) -> String {
    let entry = |addr: &str, ago: f64| {
        format!(
            "  {{ addr = \"{addr}\", last_ago = {ago}, first_ago = 9000, ct = 10, mv = 0x23, rs = 0x0, sc = 1.5, dr = 0 }},\n"
        )
    };
    let mut s = String::from(
        "[system]\nstatus = 0x0615\nvariables = [\"leap=0\", \"stratum=2\", \"refid=192.0.2.10\", \"clock={ts:start}\"]\n\n\
         [[peer]]\nassocid = 17770\nstatus = 0x961a\n\
         variables = [\"srcadr=198.51.100.1\", \"srcport=123\", \"hmode=3\", \"stratum=1\", \"rec={ts:now-37.5}\", \"reach=0xff\", \"delay=12.345678\"]\n\n\
         [mru]\nfrozen_now = true\nnoise = false\nentries = [\n",
    );
    for (i, a) in [
        "198.51.100.1:123",
        "198.51.100.2:123",
        "198.51.100.3:123",
        "198.51.100.4:123",
        "198.51.100.5:123",
        "198.51.100.6:123",
        "127.0.0.1:123",
        "[2001:db8::5]:123",
        "[2001:db8:1::7]:123",
    ]
    .iter()
    .enumerate()
    {
        s.push_str(&entry(a, 100.0 + 10.0 * i as f64));
    }
    s.push_str("]\n");
    if generated > 0 {
        s.push_str(&format!(
            "[mru.generate]\ncount = {generated}\nspacing = 1.0\nnewest_ago = 1000\nipv6_every = 7\n"
        ));
    }
    s
}

/// The remote column of each mrulist row (text after the rport field).
fn remotes(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            !t.is_empty() && t.as_bytes()[0].is_ascii_digit()
        })
        .map(|l| {
            let mut rest = l.trim_start();
            for _ in 0..10 {
                let end = rest.find(' ').unwrap_or(rest.len());
                rest = rest[end..].trim_start();
            }
            rest.to_string()
        })
        .collect()
}

/// The namespace with the stub and the simulator running, or None when
/// the machine cannot make one outside CI.
fn start(generated: usize, delay_ms: u32) -> Option<NetNs> {
    if !have(&[Need::Root, Need::IpNetns]) {
        return None;
    }
    let mut ns = NetNs::create().unwrap_or_else(|why| panic!("network namespace: {why}"));
    let hosts = ns.dir.join("stub-hosts");
    std::fs::write(&hosts, STUB_HOSTS).expect("stub hosts");
    let scen = ns.dir.join("scenario.toml");
    std::fs::write(&scen, scenario(generated)).expect("scenario");
    let delay = delay_ms.to_string();
    ns.spawn_server(
        &workspace_bin("dns-stub"),
        &[
            "--listen",
            STUB_ADDR,
            "--hosts",
            hosts.to_str().unwrap(),
            "--rule",
            "10.0.0.0/8=mix",
            "--rule",
            "2001:db8::/64=host",
            "--delay-ms",
            &delay,
            "-v",
        ],
        "stub.log",
    );
    ns.spawn_server(
        &workspace_bin("ntpd-sim"),
        &[
            "--listen",
            "127.0.0.1:123",
            "--scenario",
            scen.to_str().unwrap(),
        ],
        "sim.log",
    );
    Some(ns)
}

#[test]
fn mrulist_and_peers_names_from_the_stub() {
    let Some(ns) = start(0, 0) else { return };
    let ntpq = ntpq_rs();
    let got = ns.run(&ntpq, &["-c", "mrulist", "127.0.0.1"]);
    assert_eq!(got.status, 0, "{got:?}");
    let mut rem = remotes(&got.stdout);
    rem.sort();
    let mut want = vec![
        "one.example.test",
        "198.51.100.2 (liar.example.test)",
        "198.51.100.3",
        "upper.example.test",
        "shared.example.test",
        "198.51.100.6 (shared.example.test)",
        "localhost",
        "host-2001-db8--5.example.test",
        "2001:db8:1::7",
    ];
    want.sort();
    assert_eq!(rem, want, "{}", got.stdout);

    // -n: no lookups, addresses only.
    let numeric = ns.run(&ntpq, &["-n", "-c", "mrulist", "127.0.0.1"]);
    assert!(remotes(&numeric.stdout).contains(&"198.51.100.1".to_string()));

    // peers: canonicalize() of srcadr.
    let peers = ns.run(&ntpq, &["-c", "peers", "127.0.0.1"]);
    assert!(peers.stdout.contains("one.example.tes"), "{}", peers.stdout);

    // The lookups really went to the stub.
    let log = std::fs::read_to_string(ns.dir.join("stub.log")).unwrap_or_default();
    assert!(log.contains("1.100.51.198.in-addr.arpa"), "stub log: {log}");
    assert!(log.contains("liar.example.test"), "stub log: {log}");
}

/// The remote column agrees with NTPsec's ntpq, row for row, on a list with
/// generated confirmed, mismatching and nameless addresses (IPv4 and IPv6).
#[test]
fn mrulist_names_match_the_reference() {
    if !have(&[Need::ReferenceNtpq]) {
        return;
    }
    let Some(ns) = start(200, 0) else { return };
    let ours = ns.run(&ntpq_rs(), &["-c", "mrulist", "127.0.0.1"]);
    let reference = ns.run(Path::new(REFERENCE_NTPQ), &["-c", "mrulist", "127.0.0.1"]);
    let (a, b) = (remotes(&ours.stdout), remotes(&reference.stdout));
    assert_eq!(b.len(), 209, "{}", reference.stdout);
    // The reference decides a shared name's confirmation once for all its
    // addresses (first looked up wins); we check each address. Leave out
    // the one row where that shows.
    let differs: Vec<(usize, &String, &String)> = a
        .iter()
        .zip(&b)
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .map(|(i, (x, y))| (i, x, y))
        .collect();
    assert!(
        differs
            .iter()
            .all(|(_, x, _)| x.contains("shared.example.test")),
        "remote columns differ: {differs:?}"
    );
    assert_eq!(a.len(), b.len());
}

/// Lookups run concurrently: 300 distinct addresses with a 20 ms answer
/// delay (two round trips each) take far less than the serial 12 s.
#[test]
fn lookups_are_concurrent() {
    let Some(ns) = start(300, 20) else { return };
    let t = Instant::now();
    let got = ns.run(&ntpq_rs(), &["-c", "mrulist", "127.0.0.1"]);
    let took = t.elapsed();
    assert_eq!(got.status, 0, "{got:?}");
    assert_eq!(remotes(&got.stdout).len(), 309);
    assert!(took < Duration::from_secs(6), "took {took:?}");
}
