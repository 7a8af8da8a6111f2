#!/usr/bin/env bash
# VRRP on a real (namespaced) network: vigild against vigild and against Debian's
# keepalived, for VRRPv2 IPv4, VRRPv3 IPv4, VRRPv3 IPv6, unicast, PASS and AH authentication,
# each with both orders of priority. Every case checks the election, failover after kill -9
# of the master, restart and preemption, fast takeover after a graceful stop (priority 0),
# nopreempt, and that exactly one router holds the VIP at the end. A capture of the whole run
# must decode in tshark without malformed packets or checksum warnings.
# Usage: vrrp_interop.sh VIGILD VIGILCTL [PEER ...]   (PEER: vigild keepalived; default both)
#   env MODES: the cases to run (default "v2v4 v3v4 v3v6 unicast pass ah")
set -u
VIGILD=$(realpath "$1")
VIGILCTL=$(realpath "$2")
shift 2
PEERS=("${@:-vigild keepalived}")
[ $# -eq 0 ] && PEERS=(vigild keepalived)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
netns_require_root
tmp=$(mktemp -d)
capture="$tmp.pcap"  # outside $tmp/: stop_all kills every process whose command names $tmp/
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  pkill -9 -f "$tmp/" 2>/dev/null
  netns_cleanup
  rm -rf "$tmp" "$capture"
}
trap cleanup EXIT


# Topology: a switch namespace with a bridge; routers a and b and a client c hang off it.
sw=vg-sw-$$ A=vg-a-$$ B=vg-b-$$ C=vg-c-$$
ip netns add "$sw" && VIGIL_NETNS_CREATED+=("$sw")
ip -n "$sw" link add br0 type bridge && ip -n "$sw" link set br0 up
i=0
for ns in "$A" "$B" "$C"; do
  ip netns add "$ns" && VIGIL_NETNS_CREATED+=("$ns")
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  ip link add eth0 netns "$ns" type veth peer name p$i netns "$sw"
  ip -n "$sw" link set p$i master br0 up
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
  i=$((i + 1))
done
ip -n "$A" addr add 192.0.2.1/24 dev eth0
ip -n "$B" addr add 192.0.2.2/24 dev eth0
ip -n "$C" addr add 192.0.2.3/24 dev eth0
ip -n "$A" addr add 2001:db8::1/64 dev eth0
ip -n "$B" addr add 2001:db8::2/64 dev eth0
ip -n "$C" addr add 2001:db8::3/64 dev eth0
wait_for 5 sh -c "ip -n $A -6 addr show dev eth0 | grep -q 'fe80.*scope link'"

ip netns exec "$sw" tcpdump -i br0 -w "$capture" 'proto 112 or proto 51 or (ip6 and ip6[6] == 112) or arp or icmp6' \
  >/dev/null 2>&1 &
pids+=($!)

# config MODE PRIORITY PREEMPT SELF_IP PEER_IP -> keepalived.conf text
config() {
  local mode=$1 prio=$2 preempt=$3 self=$4 peer=$5 version=2 vip=192.0.2.100/24 extra=""
  case $mode in
    v3v4) version=3 ;;
    v3v6) version=3 vip=2001:db8::100/64 ;;
    unicast) extra="    unicast_src_ip $self
    unicast_peer {
        $peer
    }" ;;
    pass) extra="    authentication {
        auth_type PASS
        auth_pass vigil123
    }" ;;
    ah) extra="    authentication {
        auth_type AH
        auth_pass vigil456
    }" ;;
  esac
  cat <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    version $version
    priority $prio
    advert_int 1
$( [ "$preempt" = no ] && echo "    nopreempt" )
$extra
    virtual_ipaddress {
        $vip
    }
}
CONF
}

# start NS KIND NAME CONF_TEXT: runs vigild or keepalived in NS; prints its pid.
start() {
  local ns=$1 kind=$2 name=$3
  printf '%s\n' "$4" >"$tmp/$name.conf"
  if [ "$kind" = vigild ]; then
    ip netns exec "$ns" "$VIGILD" $(vigil_args "$name") -l -G -f "$tmp/$name.conf" --control-socket "$tmp/$name.sock" \
      >>"$tmp/$name.log" 2>&1 &
  else
    ip netns exec "$ns" keepalived -n -l -G -f "$tmp/$name.conf" -p "$tmp/$name.pid" \
      -r "$tmp/$name.vpid" -c "$tmp/$name.cpid" >>"$tmp/$name.log" 2>&1 &
  fi
  echo $!
}

holds() { ip -n "$1" addr show dev eth0 | grep -q " ${2%/*}/"; }
vip_holders() {
  local n=0
  for ns in "$A" "$B"; do holds "$ns" "$1" && n=$((n + 1)); done
  echo $n
}
stop_all() {
  for p in "$@"; do kill -9 "$p" 2>/dev/null; done
  pkill -9 -f "$tmp/" 2>/dev/null
  wait_for 5 sh -c "! pgrep -f '$tmp/' >/dev/null"
  for ns in "$A" "$B"; do
    ip -n "$ns" addr flush dev eth0 scope global
    ip -n "$ns" addr add "$( [ "$ns" = "$A" ] && echo 192.0.2.1/24 || echo 192.0.2.2/24)" dev eth0
    ip -n "$ns" addr add "$( [ "$ns" = "$A" ] && echo 2001:db8::1/64 || echo 2001:db8::2/64)" dev eth0
  done
}

# One case: `hi` runs in A with priority 150, `lo` in B with 100 (one of them is vigild).
run_case() {
  local mode=$1 hi=$2 lo=$3 vip=192.0.2.100
  [ "$mode" = v3v6 ] && vip=2001:db8::100
  local label="$mode $hi(150)/$lo(100)"
  local pa pb
  pa=$(start "$A" "$hi" a "$(config "$mode" 150 yes 192.0.2.1 192.0.2.2)")
  pb=$(start "$B" "$lo" b "$(config "$mode" 100 yes 192.0.2.2 192.0.2.1)")
  if wait_for 10 holds "$A" $vip && ! holds "$B" $vip; then ok "$label: election"; else bad "$label: election"; fi
  # kill -9 of the master: the backup takes over after Master_Down_Interval.
  kill -9 "$pa"; pkill -9 -f "$tmp/a.conf"
  # keepalived 2.2.7 refuses to start over its own stale pid files ("daemon is already
  # running"); after a crash they are gone with /run on a real host, so remove them here.
  rm -f "$tmp"/a.pid "$tmp"/a.vpid "$tmp"/a.cpid
  if wait_for 8 holds "$B" $vip; then ok "$label: failover after kill -9"; else bad "$label: failover after kill -9"; fi
  # Restart: the higher priority preempts back, and the stale VIP is cleaned.
  pa=$(start "$A" "$hi" a "$(config "$mode" 150 yes 192.0.2.1 192.0.2.2)")
  if wait_for 10 sh -c "ip -n $A addr show dev eth0 | grep -q ' $vip/' && ! ip -n $B addr show dev eth0 | grep -q ' $vip/'"; then
    ok "$label: preemption after restart"
  else
    bad "$label: preemption after restart"
  fi
  # Graceful stop: priority 0 lets the backup take over after Skew_Time (< 1 s), not 3.6 s.
  local t0 t1
  t0=$(date +%s%N)
  kill -TERM "$pa"; pkill -TERM -f "$tmp/a.conf"
  if wait_for 3 holds "$B" $vip; then
    t1=$(date +%s%N)
    local ms=$(((t1 - t0) / 1000000))
    if [ $ms -lt 2000 ]; then ok "$label: fast takeover after graceful stop (${ms} ms)"; else bad "$label: takeover after graceful stop took ${ms} ms"; fi
  else
    bad "$label: no takeover after graceful stop"
  fi
  wait_for 5 sh -c "! pgrep -f '$tmp/a.conf' >/dev/null"
  # nopreempt: the higher priority router comes back and stays backup.
  pa=$(start "$A" "$hi" a "$(config "$mode" 150 no 192.0.2.1 192.0.2.2)")
  if wait_for 6 sh -c "grep -q 'Entering BACKUP' $tmp/a.log" && ! wait_for 5 holds "$A" $vip && holds "$B" $vip; then
    ok "$label: nopreempt keeps the current master"
  else
    bad "$label: nopreempt"
  fi
  if [ "$(vip_holders $vip)" = 1 ]; then ok "$label: exactly one VIP holder at the end"; else bad "$label: $(vip_holders $vip) VIP holders at the end"; fi
  stop_all "$pa" "$pb"
  : >"$tmp/a.log"
  : >"$tmp/b.log"
}

for peer in "${PEERS[@]}"; do
  for mode in ${MODES:-v2v4 v3v4 v3v6 unicast pass ah}; do
    run_case $mode vigild "$peer"
    [ "$peer" != vigild ] && run_case $mode "$peer" vigild
  done
done

kill "${pids[0]}" 2>/dev/null
wait "${pids[0]}" 2>/dev/null
warnings=$(tshark -r "$capture" -V 2>/dev/null | grep -ciE 'malformed|\[incorrect|bad checksum|checksum status: bad')
frames=$(tshark -r "$capture" -Y vrrp 2>/dev/null | wc -l)
if [ "$frames" -gt 0 ] && [ "$warnings" = 0 ]; then ok "tshark decodes $frames VRRP frames cleanly"; else bad "tshark: $frames VRRP frames, $warnings warnings"; fi
case " ${MODES:-ah} " in
  *" ah "*)
    # AH adverts from both addresses (both routers' implementations sent them).
    ah_srcs=$(tshark -r "$capture" -Y 'ah && vrrp' -T fields -e ip.src 2>/dev/null | sort -u | wc -l)
    if [ "$ah_srcs" -ge 2 ]; then ok "tshark decodes AH-authenticated VRRP from $ah_srcs senders"; else bad "tshark: AH VRRP from $ah_srcs senders"; fi ;;
esac
echo "vrrp_interop: $pass passed, $fail failed"
[ $fail -eq 0 ]
