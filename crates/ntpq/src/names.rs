//! Host names for display, resolved concurrently (commands.md §13,
//! mrulist.md §9).
//!
//! The reference resolves one address at a time: a reverse lookup, then a
//! forward lookup of the name to confirm it. With a slow DNS server a
//! 10 000-entry MRU list takes minutes. [`NameResolver`] runs the same
//! blocking libc lookups (`getnameinfo` with `NI_NAMEREQD`, `getaddrinfo`)
//! on a bounded pool of worker threads, deduplicates addresses and names
//! before asking, and caches what it showed for 300 s as the reference does.
//! Timeouts and retries are the system resolver's (`/etc/resolv.conf`).
//!
//! The display text is the reference's:
//! * no reverse name: the address;
//! * a name (lower-cased) whose forward lookup includes the address: the name;
//! * otherwise `<address> (<name>)`.
//!
//! One deliberate difference: the reference caches a name's confirmation by
//! name, so when two addresses share a PTR name the first one looked up
//! decides for both. Here each address is checked against the name's
//! addresses.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Default number of lookup threads: at most about 2 queries in flight
/// each (reverse, then forward), well under the 150 concurrent queries a
/// default dnsmasq accepts; 10,000 names at 20 ms each take about 6 s.
pub const DEFAULT_WORKERS: usize = 64;
/// How long a shown name is reused (the reference's cache TTL).
pub const CACHE_TTL: Duration = Duration::from_secs(300);
/// Stack for a lookup thread: glibc's resolver keeps its packet buffers on
/// the stack, so be generous.
const WORKER_STACK: usize = 256 * 1024;
/// How often a waiting [`NameResolver::resolve_all_until`] checks its stop
/// condition.
const POLL: Duration = Duration::from_millis(50);

/// The blocking lookups, replaceable for tests.
pub trait Lookup: Send + Sync {
    /// Reverse lookup requiring a name (`NI_NAMEREQD`).
    fn reverse(&self, ip: IpAddr) -> Option<String>;
    /// Forward lookup of a name: all its addresses.
    fn forward(&self, name: &str) -> Vec<IpAddr>;
    /// The peers tables' `canonicalize` (commands.md §13).
    fn canonicalize(&self, text: &str) -> String;
}

/// The system resolver through libc (crate::resolve).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemLookup;

impl Lookup for SystemLookup {
    fn reverse(&self, ip: IpAddr) -> Option<String> {
        crate::resolve::reverse_lookup(ip)
    }
    fn forward(&self, name: &str) -> Vec<IpAddr> {
        crate::resolve::forward_addresses(name)
    }
    fn canonicalize(&self, text: &str) -> String {
        crate::resolve::canonicalize(text)
    }
}

enum Query {
    Reverse(IpAddr),
    Forward(String),
}

enum Answer {
    Reverse(IpAddr, Option<String>),
    Forward(String, Vec<IpAddr>),
}

struct Job {
    query: Query,
    cancel: Arc<AtomicBool>,
    reply: Sender<Answer>,
}

/// Lazily started worker threads sharing one job queue.
struct Pool {
    max: usize,
    started: usize,
    jobs: Option<Sender<Job>>,
    queue: Arc<Mutex<Receiver<Job>>>,
    lookup: Arc<dyn Lookup>,
}

impl Pool {
    fn new(max: usize, lookup: Arc<dyn Lookup>) -> Pool {
        let (tx, rx) = mpsc::channel();
        Pool {
            max: max.max(1),
            started: 0,
            jobs: Some(tx),
            queue: Arc::new(Mutex::new(rx)),
            lookup,
        }
    }

    /// Makes sure up to `wanted` workers (at most `max`) are running.
    /// Returns false when no worker could be started at all.
    fn ensure(&mut self, wanted: usize) -> bool {
        while self.started < wanted.min(self.max) {
            let queue = Arc::clone(&self.queue);
            let lookup = Arc::clone(&self.lookup);
            let spawned = std::thread::Builder::new()
                .name("ntpq-names".into())
                .stack_size(WORKER_STACK)
                .spawn(move || worker(&queue, lookup.as_ref()));
            if spawned.is_err() {
                break;
            }
            self.started += 1;
        }
        self.started > 0
    }

    fn submit(&self, job: Job) -> Result<(), Job> {
        match &self.jobs {
            Some(tx) => tx.send(job).map_err(|e| e.0),
            None => Err(job),
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Closing the queue ends the workers once they finish their current
        // lookup; they are not joined (a lookup may hang until the system
        // resolver's timeout).
        self.jobs = None;
    }
}

fn run_query(lookup: &dyn Lookup, query: Query) -> Answer {
    match query {
        Query::Reverse(ip) => {
            let name = catch_unwind(AssertUnwindSafe(|| lookup.reverse(ip))).unwrap_or(None);
            Answer::Reverse(ip, name)
        }
        Query::Forward(name) => {
            let addrs =
                catch_unwind(AssertUnwindSafe(|| lookup.forward(&name))).unwrap_or_default();
            Answer::Forward(name, addrs)
        }
    }
}

fn worker(queue: &Mutex<Receiver<Job>>, lookup: &dyn Lookup) {
    loop {
        let job = {
            let rx = queue.lock().unwrap_or_else(|e| e.into_inner());
            match rx.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        if job.cancel.load(Ordering::Relaxed) {
            continue;
        }
        let _ = job.reply.send(run_query(lookup, job.query));
    }
}

/// Concurrent, cached host-name lookups for display.
pub struct NameResolver {
    ttl: Duration,
    lookup: Arc<dyn Lookup>,
    workers: usize,
    pool: Option<Pool>,
    /// address → text shown in mrulist's remote column.
    shown: HashMap<IpAddr, (Instant, String)>,
    /// name → its addresses (forward confirmation).
    forward: HashMap<String, (Instant, Vec<IpAddr>)>,
    /// `addr[:port]` text → canonicalize() result (peers tables).
    canonical: HashMap<String, (Instant, String)>,
}

impl Default for NameResolver {
    fn default() -> Self {
        NameResolver::new(DEFAULT_WORKERS)
    }
}

impl NameResolver {
    /// A resolver using the system resolver with up to `workers` threads.
    pub fn new(workers: usize) -> NameResolver {
        NameResolver::with_lookup(workers, Arc::new(SystemLookup))
    }

    /// A resolver with its own lookup functions (tests).
    pub fn with_lookup(workers: usize, lookup: Arc<dyn Lookup>) -> NameResolver {
        NameResolver {
            ttl: CACHE_TTL,
            lookup,
            workers: workers.max(1),
            pool: None,
            shown: HashMap::new(),
            forward: HashMap::new(),
            canonical: HashMap::new(),
        }
    }

    /// Changes how long results are reused (default [`CACHE_TTL`]).
    pub fn set_ttl(&mut self, ttl: Duration) {
        self.ttl = ttl;
    }

    /// Number of lookup threads started so far.
    pub fn threads_started(&self) -> usize {
        self.pool.as_ref().map_or(0, |p| p.started)
    }

    /// Forgets every cached result.
    pub fn clear_cache(&mut self) {
        self.shown.clear();
        self.forward.clear();
        self.canonical.clear();
    }

    fn fresh<'a, K, Q, V>(
        map: &'a HashMap<K, (Instant, V)>,
        key: &Q,
        ttl: Duration,
        now: Instant,
    ) -> Option<&'a V>
    where
        K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        map.get(key)
            .filter(|(at, _)| now.saturating_duration_since(*at) < ttl)
            .map(|(_, v)| v)
    }

    /// mrulist's remote column for every address in `addrs` (duplicates
    /// allowed): the name if forward-confirmed, `addr (name)` if not, the
    /// address if there is no name.
    pub fn resolve_all(&mut self, addrs: &[IpAddr]) -> HashMap<IpAddr, String> {
        self.resolve_all_until(addrs, &|| false)
    }

    /// [`resolve_all`](Self::resolve_all) that gives up when `stop` returns
    /// true (checked every 50 ms while waiting, e.g. on Ctrl-C): addresses
    /// not resolved by then are left out of the map (and not cached).
    pub fn resolve_all_until(
        &mut self,
        addrs: &[IpAddr],
        stop: &dyn Fn() -> bool,
    ) -> HashMap<IpAddr, String> {
        let now = Instant::now();
        let ttl = self.ttl;
        let mut out: HashMap<IpAddr, String> = HashMap::with_capacity(addrs.len());
        let mut todo: Vec<IpAddr> = Vec::new();
        let mut seen: HashSet<IpAddr> = HashSet::with_capacity(addrs.len());
        for &ip in addrs {
            if !seen.insert(ip) {
                continue;
            }
            match Self::fresh(&self.shown, &ip, ttl, now) {
                Some(text) => {
                    out.insert(ip, text.clone());
                }
                None => todo.push(ip),
            }
        }
        if todo.is_empty() {
            return out;
        }
        self.shown
            .retain(|_, (at, _)| now.saturating_duration_since(*at) < ttl);
        self.forward
            .retain(|_, (at, _)| now.saturating_duration_since(*at) < ttl);

        let cancel = Arc::new(AtomicBool::new(false));
        let (reply_tx, reply_rx) = mpsc::channel::<Answer>();
        let mut outstanding = 0usize;
        // name → addresses waiting for its forward lookup.
        let mut waiting: HashMap<String, Vec<IpAddr>> = HashMap::new();
        let mut pending: Vec<Answer> = Vec::new();

        let lookup = Arc::clone(&self.lookup);
        let workers = self.workers;
        let pool = self
            .pool
            .get_or_insert_with(|| Pool::new(workers, Arc::clone(&lookup)));
        let threaded = pool.ensure(todo.len());

        // Runs a query on the pool, or here if the pool is unusable.
        let ask = |q: Query, outstanding: &mut usize, pending: &mut Vec<Answer>| {
            if threaded {
                let job = Job {
                    query: q,
                    cancel: Arc::clone(&cancel),
                    reply: reply_tx.clone(),
                };
                match pool.submit(job) {
                    Ok(()) => *outstanding += 1,
                    Err(job) => pending.push(run_query(lookup.as_ref(), job.query)),
                }
            } else {
                pending.push(run_query(lookup.as_ref(), q));
            }
        };
        for &ip in &todo {
            ask(Query::Reverse(ip), &mut outstanding, &mut pending);
        }

        let mut finish = |ip: IpAddr, text: String, out: &mut HashMap<IpAddr, String>| {
            self.shown.insert(ip, (now, text.clone()));
            out.insert(ip, text);
        };
        let mut interrupted = false;
        loop {
            let answer = if let Some(a) = pending.pop() {
                a
            } else if outstanding == 0 {
                break;
            } else {
                if stop() {
                    interrupted = true;
                    break;
                }
                match reply_rx.recv_timeout(POLL) {
                    Ok(a) => {
                        outstanding -= 1;
                        a
                    }
                    Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            };
            match answer {
                Answer::Reverse(ip, None) => finish(ip, ip.to_string(), &mut out),
                Answer::Reverse(ip, Some(name)) => {
                    let name = name.to_lowercase();
                    if let Some(addrs) = Self::fresh(&self.forward, name.as_str(), ttl, now) {
                        let text = shown_text(ip, &name, addrs);
                        finish(ip, text, &mut out);
                    } else if let Some(list) = waiting.get_mut(&name) {
                        list.push(ip);
                    } else {
                        waiting.insert(name.clone(), vec![ip]);
                        ask(Query::Forward(name), &mut outstanding, &mut pending);
                    }
                }
                Answer::Forward(name, addrs) => {
                    for ip in waiting.remove(&name).unwrap_or_default() {
                        let text = shown_text(ip, &name, &addrs);
                        finish(ip, text, &mut out);
                    }
                    self.forward.insert(name, (now, addrs));
                }
            }
        }
        if interrupted {
            cancel.store(true, Ordering::Relaxed);
        }
        out
    }

    /// The peers tables' `canonicalize` (commands.md §13), cached 300 s:
    /// `addr[:port]` → lower-case name + port, the address when there is no
    /// name, `DNSFAIL:<addr>` when the text is not an address.
    pub fn peers_name(&mut self, text: &str) -> String {
        let now = Instant::now();
        if let Some(hit) = Self::fresh(&self.canonical, text, self.ttl, now) {
            return hit.clone();
        }
        let lookup = Arc::clone(&self.lookup);
        let name = catch_unwind(AssertUnwindSafe(|| lookup.canonicalize(text)))
            .unwrap_or_else(|_| format!("DNSFAIL:{text}"));
        self.canonical.insert(text.to_string(), (now, name.clone()));
        name
    }
}

/// The reference's remote-column text for an address with reverse name
/// `name` (already lower case) whose forward lookup gave `addrs`.
fn shown_text(ip: IpAddr, name: &str, addrs: &[IpAddr]) -> String {
    if addrs.contains(&ip) {
        name.to_string()
    } else {
        format!("{ip} ({name})")
    }
}

/// Environment variable overriding [`DEFAULT_WORKERS`] for the process-wide
/// resolver (1..=1024; benchmarks and unusually slow or strict servers).
pub const THREADS_ENV: &str = "NTPQRS_NAME_THREADS";

impl NameResolver {
    /// The program's resolver: [`DEFAULT_WORKERS`] threads unless
    /// [`THREADS_ENV`] says otherwise. The interpreter keeps one for the
    /// whole run, so the 300 s cache spans commands as the reference's
    /// module-level cache does.
    pub fn from_env() -> NameResolver {
        let workers = std::env::var(THREADS_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|n| (1..=1024).contains(n))
            .unwrap_or(DEFAULT_WORKERS);
        NameResolver::new(workers)
    }
}

#[cfg(test)]
mod tests;
