//! The targets, one per class of input, and what they share.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::Target;

pub mod format;
pub mod interp;
pub mod local;
pub mod mru;
pub mod protocol;

pub fn server_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 123))
}

pub fn client_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 40000))
}

/// The simulator's start time.
pub fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_790_000_000)
}

/// A scenario of the simulator (parsed once per text).
pub fn scenario(toml: &'static str) -> ntpd_sim::Scenario {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static CACHE: Mutex<Option<HashMap<usize, ntpd_sim::Scenario>>> = Mutex::new(None);
    let key = toml.as_ptr() as usize;
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .get_or_insert_with(HashMap::new)
        .entry(key)
        .or_insert_with(|| ntpd_sim::Scenario::from_toml_str(toml).expect("scenario"))
        .clone()
}

/// Panics if `text` holds a control character that could act on a
/// terminal (C0, DEL, C1; not tab nor the information separators
/// 0x1c-0x1f, as `ntp_control::visible` decides) other than those in
/// `allowed`: server text must not act on a terminal.
pub fn assert_visible(text: &str, allowed: &str) {
    let acts = |c: char| c.is_control() && !matches!(c, '\t' | '\x1c'..='\x1f');
    if let Some(c) = text.chars().find(|&c| acts(c) && !allowed.contains(c)) {
        panic!("control character {c:?} in output: {text:?}");
    }
}

/// Tokens of the Mode 6 text protocol.
const VARLIST_DICT: &[&[u8]] = &[
    b"=",
    b",",
    b", ",
    b",\r\n",
    b"\"",
    b"\r\n",
    b"0x",
    b"srcadr=",
    b"refid=",
    b"stratum=",
    b"reach=",
    b"delay=",
    b"offset=",
    b"jitter=",
    b"rootdisp=",
    b"clock=",
    b"reftime=",
    b"rec=",
    b"hmode=",
    b"ppoll=",
    b"hpoll=",
    b"leap=",
    b"precision=",
    b"srchost=\"",
    b"ntscookies=",
    b"filtdelay=",
    b"frequency=",
    b"sys_jitter=",
    b"uptime=",
    b"ss_uptime=",
    b"version=\"",
    b"\\x1b[2J",
    b"\x1b",
    b"0xe9c0a1b2.12345678",
    b"0x00000000.00000000",
    b"1.5e3",
    b"-0.000",
    b"192.0.2.1",
    b"[2001:db8::1]:123",
    b"INIT",
    b"    ",
    b"=\"\"",
];

const MRU_DICT: &[&[u8]] = &[
    b"addr.0=",
    b"last.0=",
    b"first.0=",
    b"ct.0=",
    b"mv.0=",
    b"rs.0=",
    b"sc.0=",
    b"dr.0=",
    b"addr.1=",
    b"last.1=",
    b"addr.4095=",
    b"addr.4096=",
    b"addr.99999999=",
    b"addr.-1=",
    b"addr.01=",
    b"last.older=",
    b"addr.older=",
    b"last.newest=",
    b"nonce=",
    b"now=",
    b", ",
    b",\r\n",
    b"=",
    b"0xe9c0a1b2.12345678",
    b"0xffffffff.ffffffff",
    b"0x0.0",
    b"192.0.2.1:123",
    b"[2001:db8::1]:123",
    b"[fe80::1%2]:123",
    b"[::ffff:1.2.3.4]:1",
    b"1.2.3.4",
    b"0.150",
    b"\"",
    b"xyz.3=1",
    b"frags=",
    b"limit=",
    b"mincount=",
    b"laddr=",
    b"recent=",
];

const HEADER_DICT: &[&[u8]] = &[
    b"\x16\x82",
    b"\x16\x8a",
    b"\x16\xa2",
    b"\x16\xc2",
    b"\x00\x00\x01\xd4",
];

const KEY_DICT: &[&[u8]] = &[
    b"1 ",
    b"65535 ",
    b"65536 ",
    b"0 ",
    b"MD5 ",
    b"SHA1 ",
    b"SHA256 ",
    b"AES ",
    b"AES128CMAC ",
    b"SHA3-512 ",
    b"BLAKE2b512 ",
    b"SM3 ",
    b"RIPEMD160 ",
    b"ARIA-128 ",
    b"CAMELLIA-256 ",
    b"SM4 ",
    b"0123456789abcdef0123456789abcdef01234567",
    b"0123456789abcdef",
    b"secret",
    b"#",
    b"\n",
    b"\t",
    b"\r\n",
    b"zz",
    b"0g",
];

const CLI_DICT: &[&[u8]] = &[
    b"\0",
    b"-c",
    b"-n",
    b"-p",
    b"-4",
    b"-6",
    b"-a",
    b"-d",
    b"-D",
    b"-k",
    b"-l",
    b"-w",
    b"-W",
    b"-u",
    b"-V",
    b"-h",
    b"-i",
    b"--command",
    b"--numeric",
    b"--peers",
    b"--width=",
    b"--set-debug-level=",
    b"--units",
    b"--wide",
    b"--debug",
    b"--ipv4",
    b"--authentication=",
    b"--",
    b"-",
    b"rv",
    b"mrulist",
    b"127.0.0.1",
    b"localhost",
    b"[::1]:123",
    b"-99999999999999999999",
];

const MRU_ARGS_DICT: &[&[u8]] = &[
    b" ",
    b"=",
    b"limit=",
    b"frags=",
    b"mincount=",
    b"mindrop=",
    b"minscore=",
    b"maxlstint=",
    b"minlstint=",
    b"laddr=",
    b"resall=",
    b"resany=",
    b"recent=",
    b"sort=",
    b"sort=-",
    b"lstint",
    b"avgint",
    b"addr",
    b"count",
    b"score",
    b"drop",
    b"kod",
    b"limited",
    b"direct",
    b"stats",
    b"addr.0=",
    b"last.0=",
    b"addr.15=",
    b"last.16=",
    b"0x",
    b"127.0.0.1",
    b"[::1]",
];

const COMMAND_DICT: &[&[u8]] = &[
    b"\n",
    b" ",
    b"rv",
    b"rv 0 ",
    b"readvar ",
    b"peers",
    b"apeers",
    b"opeers",
    b"rpeers",
    b"lpeers",
    b"mrulist",
    b"mrulist limit=2 sort=addr",
    b"associations",
    b"passociations",
    b"cv ",
    b"cl",
    b"clocklist",
    b"mreadvar ",
    b"mrv 1 3 ",
    b"pstats ",
    b"sysinfo",
    b"sysstats",
    b"kerninfo",
    b"monstats",
    b"iostats",
    b"timerstats",
    b"authinfo",
    b"ntsinfo",
    b"ifstats",
    b"reslist",
    b"raw",
    b"cooked",
    b"units",
    b"hostnames ",
    b"debug ",
    b"timeout ",
    b"delay ",
    b"keyid ",
    b"keytype ",
    b"passwd",
    b"authenticate yes",
    b":config ",
    b"writevar ",
    b"addvars ",
    b"rmvars ",
    b"clearvars",
    b"showvars",
    b"help ",
    b"? ",
    b"host ",
    b"host sim",
    b"poll",
    b"ntpversion ",
    b"version",
    b"direct",
    b"quit",
    b"EOF",
    b"&1",
    b"17770",
    b"17773",
    b"0",
    b"65535",
    b"-1",
    b"more",
    b"less",
    b"no",
    b"yes",
];

const HOSTILE_DICT: &[&[u8]] = &[
    b"\x00\x00",
    b"\x05\xdc",
    b"\x01\xd4",
    b"srcadr=",
    b"refid=\"\x1b[2J\"",
    b"stratum=",
    b"reach=0377",
    b"delay=",
    b"offset=",
    b"addr.0=",
    b"last.0=",
    b"nonce=",
    b"now=",
    b", ",
    b"=",
    b"\r\n",
    b"mru_depth=",
    b"mru_maxdepth=",
    b"clock=",
    b"0xe9c0a1b2.12345678",
    b"\x1b]0;x\x07",
    b"addr=1.2.3.4",
    b"ctr=",
    b"flags=",
    b"name=",
    b"\x45\x46",
    b"\xff\xff",
];

pub static TARGETS: &[Target] = &[
    Target {
        name: "header",
        about: "Header::decode/encode of any datagram",
        run: protocol::header,
        dict: HEADER_DICT,
        max_len: 64,
    },
    Target {
        name: "reassembly",
        about: "Query fed arbitrary datagrams; payloads split, shuffled, duplicated",
        run: protocol::reassembly,
        dict: HEADER_DICT,
        max_len: 8192,
    },
    Target {
        name: "varlist",
        about: "parse_varlist of reply text",
        run: protocol::varlist,
        dict: VARLIST_DICT,
        max_len: 4096,
    },
    Target {
        name: "mru_reply",
        about: "parse_reply of one READ_MRU reply, rows formatted",
        run: protocol::mru_reply,
        dict: MRU_DICT,
        max_len: 8192,
    },
    Target {
        name: "mru_engine",
        about: "MruRetrieval against a simulator whose replies are mangled or replaced",
        run: mru::mru_engine,
        dict: MRU_DICT,
        max_len: 8192,
    },
    Target {
        name: "keyfile",
        about: "KeyFile::parse of key-file text",
        run: local::keyfile,
        dict: KEY_DICT,
        max_len: 2048,
    },
    Target {
        name: "cli",
        about: "the command line (NUL-separated arguments)",
        run: local::cli,
        dict: CLI_DICT,
        max_len: 512,
    },
    Target {
        name: "mrulist_args",
        about: "parse_mrulist_args and the first READ_MRU request",
        run: local::mrulist_args,
        dict: MRU_ARGS_DICT,
        max_len: 1024,
    },
    Target {
        name: "repl",
        about: "interactive command lines against the demo simulator",
        run: interp::repl,
        dict: COMMAND_DICT,
        max_len: 1024,
    },
    Target {
        name: "hostile_server",
        about: "commands against a server whose replies are the input",
        run: interp::hostile_server,
        dict: HOSTILE_DICT,
        max_len: 8192,
    },
    Target {
        name: "cook",
        about: "the readvar display (cook, raw) of reply text",
        run: format::cook,
        dict: VARLIST_DICT,
        max_len: 4096,
    },
    Target {
        name: "peers_row",
        about: "peers/apeers/opeers/rpeers rows of a peer's variables",
        run: format::peers_row,
        dict: VARLIST_DICT,
        max_len: 4096,
    },
    Target {
        name: "mrulist_row",
        about: "mrulist rows of arbitrary entries",
        run: format::mrulist_row,
        dict: &[],
        max_len: 128,
    },
    Target {
        name: "units",
        about: "units, timestamps and Python number formats of a value",
        run: format::units,
        dict: VARLIST_DICT,
        max_len: 256,
    },
];
