#!/usr/bin/env bash
# VRRP interop with FRR's vrrpd (Debian frr 8.4.4), run by hand in a namespace as described
# in shared/docs/FRR-PEER.md: zebra + vrrpd, with the macvlans FRR needs. For VRRPv3 IPv4,
# VRRPv2 IPv4 and VRRPv3 IPv6, in both orders of priority: election, failover after kill -9
# of the master, preemption after restart, and exactly one VIP holder at the end. The modes
# v3v4-vmac and v3v6-vmac run the same cases with vigild on a VMAC (use_vmac) too, and a
# client checks that every ARP reply / neighbour advertisement for the VIP comes from the
# virtual MAC, whichever router holds it.
# Usage: frr_interop.sh VIGILD
set -u
VIGILD=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
netns_require_root
[ -x /usr/lib/frr/vrrpd ] || { echo "FAIL: frr is not installed (scripts/install-deps.sh)"; exit 1; }
tmp=$(mktemp -d)
chmod 755 "$tmp"
cleanup() {
  pkill -9 -f "$tmp/" 2>/dev/null
  netns_cleanup
  rm -rf "$tmp"
}
trap cleanup EXIT

sw=vf-sw-$$ F=vf-frr-$$ V=vf-vig-$$ C=vf-cli-$$
ip netns add "$sw" && VIGIL_NETNS_CREATED+=("$sw")
ip -n "$sw" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
ip -n "$sw" link set br0 up
h=11
for ns in "$F" "$V" "$C"; do
  ip netns add "$ns" && VIGIL_NETNS_CREATED+=("$ns")
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
    net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
  ip link add eth0 netns "$ns" type veth peer name p$h netns "$sw"
  ip -n "$sw" link set p$h master br0 up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add 203.0.113.$h/24 dev eth0
  ip -n "$ns" addr add 2001:db8:ff::$h/64 dev eth0 nodad
  ip -n "$ns" link set eth0 up
  h=$((h + 1))
done
ip -n "$C" link set eth0 up
# FRR needs the macvlans (mode bridge, vMAC, random link-local) with the VIPs on them.
ip netns exec "$F" sh -ec '
  ip link add vrrp4-51 link eth0 type macvlan mode bridge
  ip link set dev vrrp4-51 addrgenmode random
  ip link set dev vrrp4-51 address 00:00:5e:00:01:33
  ip addr add 203.0.113.100/24 dev vrrp4-51
  ip link set dev vrrp4-51 up
  ip link add vrrp6-51 link eth0 type macvlan mode bridge
  ip link set dev vrrp6-51 addrgenmode random
  ip link set dev vrrp6-51 address 00:00:5e:00:02:33
  ip -6 addr add fe80::51/64 dev vrrp6-51 nodad
  ip -6 addr add 2001:db8:ff::100/64 dev vrrp6-51 nodad
  ip link set dev vrrp6-51 up'
FD=$tmp/frr
mkdir -p "$FD/run"
printf 'hostname frr\nlog file %s/zebra.log\n' "$FD" >"$FD/zebra.conf"
chown -R frr:frr "$FD"
ip netns exec "$F" /usr/lib/frr/zebra -d -f "$FD/zebra.conf" -i "$FD/run/zebra.pid" \
  --vty_socket "$FD/run" -z "$FD/run/zserv.api" -P 0 --log "file:$FD/zebra.log" 2>/dev/null
wait_for 10 test -S "$FD/run/zserv.api" || { echo "FAIL: zebra did not start"; exit 1; }

start_frr() {  # start_frr MODE PRIORITY [nopreempt]
  local version=3 ips=" vrrp 51 ip 203.0.113.100"
  [ "$1" = v2v4 ] && version=2
  [ "${1%-vmac}" = v3v6 ] && ips=" vrrp 51 ipv6 fe80::51
 vrrp 51 ipv6 2001:db8:ff::100"
  [ "${3:-}" = nopreempt ] && ips="$ips
 no vrrp 51 preempt"
  printf 'hostname frr\nlog file %s/vrrpd.log\ninterface eth0\n vrrp 51 version %s\n vrrp 51 priority %s\n%s\n' \
    "$FD" "$version" "$2" "$ips" >"$FD/vrrpd.conf"
  chown frr:frr "$FD/vrrpd.conf"
  ip netns exec "$F" /usr/lib/frr/vrrpd -d -f "$FD/vrrpd.conf" -i "$FD/run/vrrpd.pid" \
    --vty_socket "$FD/run" -z "$FD/run/zserv.api" -P 0 --log "file:$FD/vrrpd.log" 2>/dev/null
}
kill_frr() {
  kill -9 "$(cat "$FD/run/vrrpd.pid")" 2>/dev/null
  # FRR-PEER.md pitfall 1: a killed vrrpd leaves its macvlan answering for the VIP.
  ip -n "$F" link set vrrp4-51 protodown on 2>/dev/null
  ip -n "$F" link set vrrp6-51 protodown on 2>/dev/null
  wait_for 5 sh -c "! pgrep -f '$FD/vrrpd.conf'"
}
vmac_mode() { [ "${1%-vmac}" != "$1" ]; }
start_vigild() {  # start_vigild MODE PRIORITY [nopreempt]
  local version=3 vips="        203.0.113.100/24" extra=""
  [ "${3:-}" = nopreempt ] && extra="    nopreempt"
  vmac_mode "$1" && extra="$extra
    use_vmac"
  [ "$1" = v2v4 ] && version=2
  [ "${1%-vmac}" = v3v6 ] && vips="        fe80::51/64
        2001:db8:ff::100/64"
  cat >"$tmp/vigil.conf" <<CONF
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    version $version
    priority $2
    advert_int 1
$extra
    virtual_ipaddress {
$vips
    }
}
CONF
  ip netns exec "$V" "$VIGILD" $(vigil_args vigil) -l -G -f "$tmp/vigil.conf" --control-socket "$tmp/vigil.sock" \
    >>"$tmp/vigil.log" 2>&1 &
  disown
}
frr_holds() {  # the VIP macvlan is operationally up (FRR clears protodown as Master)
  local dev=vrrp4-51
  [ "${1%-vmac}" = v3v6 ] && dev=vrrp6-51
  ip -n "$F" link show "$dev" | grep -q "state UP"
}
vig_holds() {
  local vip=203.0.113.100 dev=eth0
  [ "${1%-vmac}" = v3v6 ] && vip=2001:db8:ff::100
  vmac_mode "$1" && dev=vrrp.51
  ip -n "$V" addr show dev $dev 2>/dev/null | grep -q " $vip/"
}
kill_vigild() {  # kill -9; a VMAC left behind is taken down as a dead host's would be
  pkill -9 -f "$tmp/vigil.conf"
  wait_for 5 sh -c "! pgrep -f '$tmp/vigil.conf'"
  ip -n "$V" link set vrrp.51 down 2>/dev/null
}
# client_macs MODE: the distinct MACs that answer the client for the VIP within about 1 s
# (ARP for IPv4; for IPv6 the neighbour entry after a ping, which is one MAC by construction,
# and the MACs of the neighbour advertisements the client captured meanwhile).
client_macs() {
  if [ "${1%-vmac}" = v3v6 ]; then
    ip -n "$C" neigh flush dev eth0
    ip netns exec "$C" ping -6 -c 1 -W 1 2001:db8:ff::100 >/dev/null 2>&1
    ip -n "$C" neigh show 2001:db8:ff::100 | grep -o '..:..:..:..:..:..' | sort -u | tr '\n' ' '
  else
    ip netns exec "$C" arping -c 3 -w 1 -I eth0 203.0.113.100 2>/dev/null | tr 'A-F' 'a-f' |
      grep -o '\[\([0-9a-f]\{2\}:\)\{5\}[0-9a-f]\{2\}\]' | tr -d '[]' | sort -u | tr '\n' ' '
  fi
}
check_client() {  # check_client MODE LABEL
  vmac_mode "$1" || return 0
  local want=00:00:5e:00:01:33 got
  [ "${1%-vmac}" = v3v6 ] && want=00:00:5e:00:02:33
  got=$(client_macs "$1")
  if [ "$got" = "$want " ]; then ok "$2: the client reaches the VIP at $want only"; else bad "$2: client sees '$got' for the VIP"; fi
}
holders() { echo $(( $(frr_holds "$1" && echo 1 || echo 0) + $(vig_holds "$1" && echo 1 || echo 0) )); }

run_case() {  # run_case MODE HIGH  (HIGH: frr or vigild has priority 150, the other 100)
  local mode=$1 high=$2 label
  label="$mode $high(150) vs $([ "$2" = frr ] && echo vigild || echo frr)(100)"
  local pf=100 pv=100
  if [ "$high" = frr ]; then pf=150; else pv=150; fi
  ip -n "$F" link set vrrp4-51 protodown off 2>/dev/null
  ip -n "$F" link set vrrp6-51 protodown off 2>/dev/null
  start_frr "$mode" $pf
  start_vigild "$mode" $pv
  local hi_holds lo_holds kill_hi start_hi
  if [ "$high" = frr ]; then
    hi_holds="frr_holds $mode"; lo_holds="vig_holds $mode"
  else
    hi_holds="vig_holds $mode"; lo_holds="frr_holds $mode"
  fi
  if wait_for 12 $hi_holds && ! $lo_holds; then ok "$label: election"; else bad "$label: election"; fi
  check_client "$mode" "$label: after the election"
  if [ "$high" = frr ]; then kill_frr; else kill_vigild; fi
  if wait_for 8 $lo_holds; then ok "$label: failover after kill -9"; else bad "$label: failover after kill -9"; fi
  check_client "$mode" "$label: after the failover"
  if [ "$high" = frr ]; then start_frr "$mode" $pf; else start_vigild "$mode" $pv; fi
  only_high() { $hi_holds && ! $lo_holds; }
  if wait_for 12 only_high; then
    ok "$label: preemption after restart"
  else
    bad "$label: preemption after restart"
  fi
  check_client "$mode" "$label: after the preemption"
  # Graceful stop of the master: priority 0 lets the other take over after Skew_Time.
  local t0 ms
  t0=$(date +%s%N)
  if [ "$high" = frr ]; then
    kill -TERM "$(cat "$FD/run/vrrpd.pid")"
  else
    pkill -TERM -f "$tmp/vigil.conf"
  fi
  if wait_for 3 $lo_holds; then
    ms=$((($(date +%s%N) - t0) / 1000000))
    if [ $ms -lt 2000 ]; then ok "$label: fast takeover after graceful stop (${ms} ms)"; else bad "$label: takeover after graceful stop took ${ms} ms"; fi
  else
    bad "$label: no takeover after graceful stop"
  fi
  if [ "$high" = frr ]; then
    wait_for 5 sh -c "! pgrep -f '$FD/vrrpd.conf'"
    start_frr "$mode" $pf nopreempt
  else
    wait_for 5 sh -c "! pgrep -f '$tmp/vigil.conf'"
    start_vigild "$mode" $pv nopreempt
  fi
  # nopreempt: the higher priority router comes back and leaves the master in place.
  if ! wait_for 8 $hi_holds && $lo_holds; then
    ok "$label: nopreempt keeps the current master"
  else
    bad "$label: nopreempt"
    [ -n "${DEBUG:-}" ] && { vtysh --vty_socket "$FD/run" -c 'show vrrp' 2>&1 | head -40; ip -n "$F" -d link show vrrp6-51; tail -20 "$FD/vrrpd.log"; }
  fi
  if [ "$(holders "$mode")" = 1 ]; then ok "$label: exactly one VIP holder at the end"; else bad "$label: $(holders "$mode") VIP holders at the end"; fi
  kill_frr
  kill_vigild
  ip -n "$V" link del vrrp.51 2>/dev/null
  ip -n "$V" addr flush dev eth0 scope global
  ip -n "$V" addr del fe80::51/64 dev eth0 2>/dev/null
  ip -n "$V" addr add 203.0.113.12/24 dev eth0
  ip -n "$V" addr add 2001:db8:ff::12/64 dev eth0 nodad
}

for mode in ${MODES:-v3v4 v2v4 v3v6 v3v4-vmac v3v6-vmac}; do
  run_case $mode frr
  run_case $mode vigild
done
echo "frr_interop: $pass passed, $fail failed"
[ $fail -eq 0 ]
