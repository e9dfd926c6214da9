#!/bin/sh
# Host-name resolution in mrulist: ntpq-rs (concurrent, NameResolver) vs
# NTPsec's ntpq (one lookup at a time), against a slow DNS server.
#
# Everything runs inside a throw-away network namespace (only lo, up), whose
# /etc/netns/<ns>/resolv.conf points glibc at dns-stub on 127.0.0.53; the
# machine's real nameserver is never queried. The simulator listens on
# 127.0.0.1:123 there (NTPsec's ntpq only talks to port 123).
#
# usage: sudo benches/names.sh            (COUNT=10000 REF_COUNT=500 DELAY_MS=20)
# Binaries: $BIN (default ${CARGO_TARGET_DIR:-target}/release), built with
#   cargo build --release -p ntpq -p ntpd-sim -p dns-stub
set -eu

COUNT=${COUNT:-10000}
REF_COUNT=${REF_COUNT:-500}
DELAY_MS=${DELAY_MS:-20}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release}
REF=${REF:-/usr/bin/ntpq}
NS=ntpqrs-dnsbench$$
WORK=$(mktemp -d)
STUB_PID= SIM_PID=

for b in ntpq ntpd-sim dns-stub; do
    [ -x "$BIN/$b" ] || { echo "missing $BIN/$b: cargo build --release -p ntpq -p ntpd-sim -p dns-stub" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "needs root (ip netns)" >&2; exit 2; }

cleanup() {
    [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null || true
    [ -n "$STUB_PID" ] && kill "$STUB_PID" 2>/dev/null || true
    wait 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "/etc/netns/$NS" "$WORK"
}
trap cleanup EXIT INT TERM

ip netns add "$NS"
ip -n "$NS" link set lo up
mkdir -p "/etc/netns/$NS"
printf 'nameserver 127.0.0.53\n' >"/etc/netns/$NS/resolv.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"/etc/netns/$NS/hosts"
in_ns() { ip netns exec "$NS" "$@"; }

wait_line() { # file
    i=0
    while ! grep -q '^listening on' "$1" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 100 ] || { echo "server did not start: $(cat "$1")" >&2; exit 1; }
        sleep 0.05
    done
}

# 10.0.0.0/8 and 2001:db8::/64: 80 % confirmed names, 10 % names that
# resolve elsewhere ("addr (name)"), 10 % no name (by octet sum mod 10).
ip netns exec "$NS" "$BIN/dns-stub" --listen 127.0.0.53:53 --rule 10.0.0.0/8=mix \
    --rule 2001:db8::/64=mix --delay-ms "$DELAY_MS" >"$WORK/stub.out" 2>&1 &
STUB_PID=$!
wait_line "$WORK/stub.out"

scenario() { # count
    cat <<EOT
[system]
status = 0x0615
variables = ["leap=0", "stratum=2", "refid=192.0.2.10", "clock={ts:start}"]
[mru]
frozen_now = true
noise = false
entries = []
[mru.generate]
count = $1
spacing = 1.0
newest_ago = 20
ipv6_every = 10
EOT
}

start_sim() { # count
    [ -n "$SIM_PID" ] && { kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null || true; }
    scenario "$1" >"$WORK/scen-$1.toml"
    : >"$WORK/sim.out"
    ip netns exec "$NS" "$BIN/ntpd-sim" --listen 127.0.0.1:123 --scenario "$WORK/scen-$1.toml" >"$WORK/sim.out" 2>&1 &
    SIM_PID=$!
    wait_line "$WORK/sim.out"
}

# seconds of wall time for: label outfile cmd...
timed() {
    out=$1; shift
    s=$(date +%s.%N)
    in_ns "$@" >"$out" 2>"$out.err" </dev/null
    e=$(date +%s.%N)
    echo "$e - $s" | bc
}

rows() { grep -c '^ *[0-9]' "$1" || true; }
# remote column: everything after the 10th field
remotes() { grep '^ *[0-9]' "$1" | sed -E 's/^ *([^ ]+ +){10}//'; }

start_sim "$REF_COUNT"
t_ours_small=$(timed "$WORK/ours-$REF_COUNT" "$BIN/ntpq" -c mrulist 127.0.0.1)
t_ref_small=$(timed "$WORK/ref-$REF_COUNT" "$REF" -c mrulist 127.0.0.1)
t_refn_small=$(timed "$WORK/refn-$REF_COUNT" "$REF" -n -c mrulist 127.0.0.1)
remotes "$WORK/ours-$REF_COUNT" >"$WORK/r-ours"
remotes "$WORK/ref-$REF_COUNT" >"$WORK/r-ref"
ndiff=$(diff "$WORK/r-ours" "$WORK/r-ref" | grep -c '^<' || true)

start_sim "$COUNT"
t_oursn=$(timed "$WORK/oursn-$COUNT" "$BIN/ntpq" -n -c mrulist 127.0.0.1)
t_ours=$(timed "$WORK/ours-$COUNT" "$BIN/ntpq" -c mrulist 127.0.0.1)
t_ours128=$(timed "$WORK/ours128-$COUNT" env NTPQRS_NAME_THREADS=128 "$BIN/ntpq" -c mrulist 127.0.0.1)

# No packet may leave for anything but the stub and the simulator.
strace_note="strace not installed"
if command -v strace >/dev/null; then
    in_ns strace -f -qq -e trace=connect,sendto,sendmsg,sendmmsg -o "$WORK/strace" "$BIN/ntpq" -c mrulist 127.0.0.1 >/dev/null 2>&1 </dev/null || true
    # DNS traffic (port 53) to anything but the stub; datagrams sent to
    # anything but loopback. (getaddrinfo's address-sorting probes connect
    # UDP sockets to the answers, port 0, and send nothing.)
    foreign=$(grep -E 'htons\(53\)' "$WORK/strace" | grep -v -c '127\.0\.0\.53' || true)
    sent_out=$(grep -E '^[0-9]+ +send' "$WORK/strace" | grep -E 'sin6?_addr' | grep -v -c -E '127\.0\.0\.(1|53)"|"::1"' || true)
    to_stub=$(grep -c 'htons(53).*127\.0\.0\.53' "$WORK/strace" || true)
    strace_note="strace (names, $COUNT entries): $to_stub connects/sends to the stub 127.0.0.53:53, $foreign to another port-53 address, $sent_out datagrams to non-loopback addresses"
fi

ext=$(echo "$t_ref_small * $COUNT / $REF_COUNT" | bc -l)
printf '\nmrulist host names, DNS answer delay %s ms (namespace %s)\n\n' "$DELAY_MS" "$NS"
printf '%-34s %8s %10s %s\n' "run" "entries" "wall s" "rows"
printf '%-34s %8s %10.2f %s\n' "reference ntpq -n" "$REF_COUNT" "$t_refn_small" "$(rows "$WORK/refn-$REF_COUNT")"
printf '%-34s %8s %10.2f %s\n' "reference ntpq (names)" "$REF_COUNT" "$t_ref_small" "$(rows "$WORK/ref-$REF_COUNT")"
printf '%-34s %8s %10.2f %s\n' "ntpq-rs (names)" "$REF_COUNT" "$t_ours_small" "$(rows "$WORK/ours-$REF_COUNT")"
printf '%-34s %8s %10.2f %s\n' "ntpq-rs -n" "$COUNT" "$t_oursn" "$(rows "$WORK/oursn-$COUNT")"
printf '%-34s %8s %10.2f %s\n' "ntpq-rs (names, 32 threads)" "$COUNT" "$t_ours" "$(rows "$WORK/ours-$COUNT")"
printf '%-34s %8s %10.2f %s\n' "ntpq-rs (names, 128 threads)" "$COUNT" "$t_ours128" "$(rows "$WORK/ours128-$COUNT")"
printf '%-34s %8s %10.0f %s\n' "reference (names), extrapolated" "$COUNT" "$ext" "-"
printf '\nremote column, %s entries: %s rows differ from the reference\n' "$REF_COUNT" "$ndiff"
printf '%s\n' "$strace_note"
