#!/usr/bin/env bash
# What a master puts in the kernel, read back with iproute2: virtual_ipaddress options (brd,
# scope, label, dev, peer), virtual_ipaddress_excluded, virtual_routes (gateway, metric,
# table, source, blackhole) and virtual_rules; a route line naming a missing interface is
# reported and skipped; garp_master_refresh repeats the announcements; and all of it is
# removed when vigild stops.
# Usage: vrrp_kernel_state.sh VIGILD VIGILCTL
set -u
VIGILD=$(realpath "$1")
VIGILCTL=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
netns_require_root
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  netns_cleanup
  [ -n "${KEEP:-}" ] || rm -rf "$tmp"; echo "tmp: $tmp"
}
trap cleanup EXIT

ns=vg-ks-$$
ip netns add "$ns" && VIGIL_NETNS_CREATED+=("$ns")
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
ip -n "$ns" link set lo up
for i in 0 1; do
  ip -n "$ns" link add eth$i type veth peer name peer$i
  ip -n "$ns" link set eth$i up
  ip -n "$ns" link set peer$i up
done
ip -n "$ns" addr add 192.0.2.1/24 dev eth0
ip -n "$ns" addr add 198.51.100.1/24 dev eth1
ip -n "$ns" addr add 2001:db8::1/64 dev eth0
wait_for 10 sh -c "ip -n $ns link show eth0 | grep -q LOWER_UP && ip -n $ns link show eth1 | grep -q LOWER_UP"

cat >"$tmp/k.conf" <<'CONF'
vrrp_instance VI_K {
    interface eth0
    virtual_router_id 61
    priority 200
    advert_int 1
    garp_master_delay 0
    garp_master_repeat 1
    garp_master_refresh 1
    garp_master_refresh_repeat 2
    virtual_ipaddress {
        192.0.2.50/24 brd + label eth0:vk
        203.0.113.100/28 dev eth1 scope link
        203.0.113.50 peer 203.0.113.51/32
    }
    virtual_ipaddress_excluded {
        2001:db8::50/64
    }
    virtual_routes {
        198.51.100.128/25 via 192.0.2.254 dev eth0 metric 7
        blackhole 203.0.113.128/25
        src 192.0.2.50 203.0.113.64/26 via 192.0.2.254 dev eth0 table 100
        198.51.100.0/26 dev nosuchif
    }
    virtual_rules {
        from 192.0.2.50 table 100 priority 1000
        to 198.51.100.0/24 lookup 101 preference 1001
    }
}
CONF

# ARP on the wire side of eth0: the announcements for 192.0.2.50.
ip netns exec "$ns" tcpdump -l -n -i peer0 arp >"$tmp/arp.txt" 2>/dev/null &
pids+=($!)
wait_for 5 sh -c "ip -n $ns link show peer0 | grep -q PROMISC"

ip netns exec "$ns" "$VIGILD" -l -G -f "$tmp/k.conf" --control-socket "$tmp/k.sock" \
  >"$tmp/k.log" 2>&1 &
vpid=$!
pids+=($vpid)

is_master() {
  [ "$("$VIGILCTL" -s "$tmp/k.sock" status --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["instances"][0]["state"])')" = MASTER ]
}
if wait_for 10 is_master; then ok "single router becomes MASTER"; else bad "never MASTER"; fi

addr4=$(ip -n "$ns" -4 -o addr show)
addr6=$(ip -n "$ns" -6 -o addr show)
expect() {  # expect WHAT TEXT PATTERN
  if grep -Eq -- "$3" <<<"$2"; then ok "$1"; else bad "$1 (no match for '$3' in: $2)"; fi
}
expect "VIP with brd + and label" "$addr4" 'eth0 +inet 192\.0\.2\.50/24 brd 192\.0\.2\.255 scope global secondary eth0:vk'
expect "VIP on another dev with scope link" "$addr4" 'eth1 +inet 203\.0\.113\.100/28 scope link'
expect "point-to-point VIP with peer" "$addr4" 'inet 203\.0\.113\.50 peer 203\.0\.113\.51/32'
expect "excluded IPv6 VIP" "$addr6" 'eth0 +inet6 2001:db8::50/64'
routes=$(ip -n "$ns" route show table all)
expect "route via gateway with metric" "$routes" '^198\.51\.100\.128/25 via 192\.0\.2\.254 dev eth0 proto keepalived metric 7'
expect "blackhole route" "$routes" '^blackhole 203\.0\.113\.128/25 proto keepalived'
expect "route in table 100 with source" "$routes" '^203\.0\.113\.64/26 via 192\.0\.2\.254 dev eth0 table 100 proto keepalived src 192\.0\.2\.50'
if grep -q '198.51.100.0/26' <<<"$routes"; then bad "route with a missing interface was installed"; else ok "route with a missing interface is skipped"; fi
expect "the skipped route is reported" "$(cat "$tmp/k.log")" "virtual_routes: no interface 'nosuchif'; not used"
rules=$(ip -n "$ns" rule show)
expect "rule from VIP" "$rules" '^1000:[[:space:]]+from 192\.0\.2\.50 lookup 100'
expect "rule to prefix" "$rules" '^1001:[[:space:]]+from all to 198\.51\.100\.0/24 lookup 101'

# One announcement on becoming master, then two every second (garp_master_refresh).
garps() { grep -c 'Request who-has 192.0.2.50 tell 192.0.2.50' "$tmp/arp.txt"; }
if wait_for 10 sh -c "[ \$(grep -c 'who-has 192.0.2.50 tell 192.0.2.50' $tmp/arp.txt) -ge 5 ]"; then
  ok "garp_master_refresh repeats the announcements ($(garps) seen)"
else
  bad "garp_master_refresh: only $(garps) announcements"
fi

kill -TERM "$vpid"
wait "$vpid" 2>/dev/null
after4=$(ip -n "$ns" -4 -o addr show)
after6=$(ip -n "$ns" -6 -o addr show)
after_routes=$(ip -n "$ns" route show table all)
after_rules=$(ip -n "$ns" rule show)
if grep -Eq '192\.0\.2\.50|203\.0\.113\.100|203\.0\.113\.50' <<<"$after4" || grep -q '2001:db8::50' <<<"$after6"; then
  bad "VIPs left after stop: $after4 $after6"
else
  ok "VIPs removed on stop"
fi
if grep -Eq 'proto keepalived' <<<"$after_routes"; then bad "routes left after stop"; else ok "routes removed on stop"; fi
if grep -Eq 'lookup 10[01]' <<<"$after_rules"; then bad "rules left after stop"; else ok "rules removed on stop"; fi

echo "vrrp_kernel_state: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
