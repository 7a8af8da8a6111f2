#!/usr/bin/env bash
# Failover benchmark: vigild and Debian's keepalived in the same namespaced topology, in the
# same run. For each implementation and case, two routers of that implementation (A: priority
# 150, the master; B: priority 100, the backup) share a VIP; a client C pings it every 1 ms.
# Once the pair is steady, bench/probe.py (run in C) waits for one of A's adverts plus a
# random phase (run i of n: within [i/n, (i+1)/n) of 0.95 * advert_int, the same phase for
# both implementations), then kills the master's processes with SIGKILL and sets A's link
# down in the same instant (a dead host: A's kernel must not answer for the VIP any more),
# and reports the time from that instant (CLOCK_MONOTONIC) to the first echo reply, which
# can only come from B once B's gratuitous ARP has moved C's neighbour entry (never flushed
# here). Median of $RUNS runs per case, compared with the RFC's Master_Down_Interval
# 3*advert_int + Skew_Time (Skew_Time = 156/256 * advert_int for v3, 156/256 s for v2).
# Usage: failover_bench.sh VIGILD VIGILCTL
#   env RUNS (default 5), CASES (default "v2:1 v3:1 v3:0.1 v3:0.01"),
#       IMPLS (default "vigild keepalived"), SEED (random delays; default random).
# Exits non-zero only when the harness itself fails, not when a target is missed.
set -uo pipefail
[ $# -eq 2 ] || { echo "usage: $0 VIGILD VIGILCTL" >&2; exit 1; }
VIGILD=$(realpath "$1")
VIGILCTL=$(realpath "$2")
RUNS=${RUNS:-5}
read -r -a CASES <<<"${CASES:-v2:1 v3:1 v3:0.1 v3:0.01}"
read -r -a IMPLS <<<"${IMPLS:-vigild keepalived}"
SEED=${SEED:-$RANDOM}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/netns/lib.sh"
netns_require_root
command -v keepalived >/dev/null || { echo "FAIL: keepalived is not installed" >&2; exit 1; }

tmp=$(mktemp -d)
results=$tmp/results
: >"$results"
sw=vg-fsw-$$ A=vg-fa-$$ B=vg-fb-$$ C=vg-fc-$$
VIP=192.0.2.100
declare -A pid  # daemon pid by router name (a, b)

# Every process of ours runs inside one of our namespaces; kill them by id.
kill_ns_procs() {
  local ns p
  for ns in "$A" "$B" "$C"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  done
}
no_ns_procs() { [ -z "$(ip netns pids "$A" 2>/dev/null)$(ip netns pids "$B" 2>/dev/null)" ]; }
cleanup() {
  kill_ns_procs
  wait_for 5 no_ns_procs
  netns_cleanup
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
harness_fail() {
  echo "FAIL (harness): $*" >&2
  for f in "$tmp"/*.log; do [ -s "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }; done
  exit 1
}

# Topology: a switch namespace with a bridge; routers A and B and the client C hang off it.
# IPv6 is off in the namespaces: the cases are IPv4 and the link stays quiet.
ip netns add "$sw" || harness_fail "ip netns add $sw"
VIGIL_NETNS_CREATED+=("$sw")
{ ip -n "$sw" link add br0 type bridge && ip -n "$sw" link set br0 up; } || harness_fail bridge
i=0
for ns in "$A" "$B" "$C"; do
  ip netns add "$ns" || harness_fail "ip netns add $ns"
  VIGIL_NETNS_CREATED+=("$ns")
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip link add eth0 netns "$ns" type veth peer name p$i netns "$sw" || harness_fail veth
  ip -n "$sw" link set p$i master br0 up
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
  i=$((i + 1))
done
ip -n "$A" addr add 192.0.2.1/24 dev eth0
ip -n "$B" addr add 192.0.2.2/24 dev eth0
ip -n "$C" addr add 192.0.2.3/24 dev eth0
mac_a=$(ip netns exec "$A" cat /sys/class/net/eth0/address)
mac_b=$(ip netns exec "$B" cat /sys/class/net/eth0/address)

# config VERSION ADVERT_INT PRIORITY -> keepalived.conf text (the same for both daemons)
config() {
  cat <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    version $1
    priority $3
    advert_int $2
    virtual_ipaddress {
        $VIP/24
    }
}
CONF
}

# start NS IMPL NAME: runs the daemon for NAME (a or b) in NS in the background.
start() {
  local ns=$1 impl=$2 name=$3
  if [ "$impl" = vigild ]; then
    ip netns exec "$ns" "$VIGILD" -n -p "$tmp/$name.pid" -r "$tmp/$name.vrrp.pid" -c "$tmp/$name.checker.pid" -l -G -f "$tmp/$name.conf" --control-socket "$tmp/$name.sock" \
      >>"$tmp/$name.log" 2>&1 &
  else
    # keepalived 2.2.7 refuses to start over stale pid files (a killed master leaves them).
    rm -f "$tmp/$name.pid" "$tmp/$name.vpid" "$tmp/$name.cpid"
    ip netns exec "$ns" keepalived -P -n -l -G -f "$tmp/$name.conf" -p "$tmp/$name.pid" \
      -r "$tmp/$name.vpid" -c "$tmp/$name.cpid" >>"$tmp/$name.log" 2>&1 &
  fi
  pid[$name]=$!
  disown  # reaped by init when killed; no "Killed" job notices in the output
}

holds() { ip -n "$1" -4 addr show dev eth0 | grep -q " $VIP/"; }
vigil_state() { "$VIGILCTL" -s "$tmp/$1.sock" status --json 2>/dev/null | grep -Eq "\"state\": *\"$2\""; }
ka_state() { grep -q "Entering $2 STATE" "$tmp/$1.log"; }
ka_vrrp_pid() { [ -s "$tmp/$1.vpid" ] && kill -0 "$(cat "$tmp/$1.vpid")" 2>/dev/null; }

# reset: no daemons, both links up, no VIP anywhere (what a host has after a reboot).
reset() {
  kill_ns_procs
  wait_for 5 no_ns_procs || harness_fail "processes survive kill -9"
  for ns in "$A" "$B"; do
    ip -n "$ns" addr del "$VIP/24" dev eth0 2>/dev/null
    ip -n "$ns" link set eth0 up
  done
  : >"$tmp/a.log"
  : >"$tmp/b.log"
}

# steady IMPL ADV: A master with the VIP, B backup without it; else says why and fails.
steady() {
  local impl=$1 adv=$2 t
  t=$(awk -v a="$adv" 'BEGIN { printf "%d", 4 * a + 10 }')
  start "$A" "$impl" a
  if [ "$impl" = vigild ]; then
    wait_for "$t" vigil_state a MASTER || { why "A never MASTER"; return 1; }
  else
    wait_for "$t" ka_state a MASTER || { why "A never MASTER"; return 1; }
    wait_for 5 ka_vrrp_pid a || { why "A wrote no VRRP pid file"; return 1; }
  fi
  wait_for "$t" holds "$A" || { why "A never held the VIP"; return 1; }
  start "$B" "$impl" b
  if [ "$impl" = vigild ]; then
    wait_for "$t" vigil_state b BACKUP || { why "B never BACKUP"; return 1; }
  else
    wait_for "$t" ka_state b BACKUP || { why "B never BACKUP"; return 1; }
  fi
  if holds "$B"; then why "B holds the VIP"; return 1; fi
}
why() {
  echo "  ($*; last log lines follow)" >&2
  tail -n 5 "$tmp/a.log" "$tmp/b.log" >&2
}

# one_run IMPL CASE RUN: appends "IMPL CASE RUN JSON" to $results.
one_run() {
  local impl=$1 case=$2 run=$3 version=${2%%:*} adv=${2#*:} tries kill json rc
  printf '%s\n' "$(config "${version#v}" "$adv" 150)" >"$tmp/a.conf"
  printf '%s\n' "$(config "${version#v}" "$adv" 100)" >"$tmp/b.conf"
  for tries in 1 2 3; do
    reset
    if ! steady "$impl" "$adv"; then
      echo "  ($impl $case run $run: no steady state, attempt $tries)" >&2
      continue
    fi
    if [ "$impl" = vigild ]; then
      kill=${pid[a]}
    else
      # the VRRP child first, so that the parent cannot respawn it.
      kill="$(cat "$tmp/a.vpid"),${pid[a]}"
    fi
    json=$(ip netns exec "$C" python3 "$here/probe.py" measure --vip "$VIP" --iface eth0 \
      --master-mac "$mac_a" --backup-mac "$mac_b" --advert-int "$adv" --kill "$kill" \
      --down-netns "$A" --down-iface eth0 --seed "$((SEED * 1000 + run))" \
      --stratum "$(((run - 1) % RUNS))" --strata "$RUNS" 2>"$tmp/probe.err")
    rc=$?
    if [ $rc -eq 0 ]; then
      echo "$impl $case $run $json" >>"$results"
      echo "  $impl $case run $run: $json"
      return 0
    fi
    [ $rc -eq 2 ] || harness_fail "probe: $(cat "$tmp/probe.err")"
    echo "  ($impl $case run $run: $(cat "$tmp/probe.err"), attempt $tries)" >&2
  done
  harness_fail "$impl $case: no steady state in 3 attempts"
}

echo "failover benchmark: RUNS=$RUNS SEED=$SEED cases: ${CASES[*]}; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for case in "${CASES[@]}"; do
  for ((run = 1; run <= RUNS; run++)); do
    # Alternate the order so that a disturbance hits both implementations alike.
    if ((run % 2)); then order=("${IMPLS[@]}"); else mapfile -t order < <(printf '%s\n' "${IMPLS[@]}" | tac); fi
    for impl in "${order[@]}"; do one_run "$impl" "$case" "$run"; done
  done
done
reset
python3 "$here/probe.py" summary "$results" || harness_fail "summary"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
