#!/usr/bin/env bash
# What a master puts in the kernel, read back with iproute2: virtual_ipaddress options (brd,
# scope, label, dev, peer), virtual_ipaddress_excluded, virtual_routes (gateway, metric,
# table, source, blackhole) and virtual_rules; a route line naming a missing interface is
# reported and skipped; garp_master_refresh repeats the announcements; and all of it is
# removed when vigild stops. Then Accept_Mode: by default a client's pings to the VIPs are
# answered; with no_accept they are dropped (nftables, table inet keepalived) while ARP and
# neighbour discovery still work and the interface's own address still answers; the table
# goes when vigild stops.
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

ns=vg-ks-$$ client=vg-kc-$$
for n in "$ns" "$client"; do
  ip netns add "$n" && VIGIL_NETNS_CREATED+=("$n")
  ip netns exec "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  ip -n "$n" link set lo up
done
for i in 0 1; do
  ip -n "$ns" link add eth$i type veth peer name peer$i
  ip -n "$ns" link set eth$i up
  ip -n "$ns" link set peer$i up
done
# The client sits on eth0's wire.
ip -n "$ns" link set peer0 netns "$client"
ip -n "$client" link set peer0 up
ip -n "$client" addr add 192.0.2.9/24 dev peer0
ip -n "$client" addr add 2001:db8::9/64 dev peer0
ip -n "$ns" addr add 192.0.2.1/24 dev eth0
ip -n "$ns" addr add 198.51.100.1/24 dev eth1
ip -n "$ns" addr add 2001:db8::1/64 dev eth0
wait_for 10 sh -c "ip -n $ns link show eth0 | grep -q LOWER_UP && ip -n $ns link show eth1 | grep -q LOWER_UP"
wait_for 10 sh -c "ip -n $client -6 addr show dev peer0 | grep -q 'fe80.*scope link'"

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
ip netns exec "$client" tcpdump -l -n -i peer0 arp >"$tmp/arp.txt" 2>/dev/null &
pids+=($!)
wait_for 5 sh -c "ip -n $client link show peer0 | grep -q PROMISC"

ip netns exec "$ns" "$VIGILD" $(vigil_args k) -l -G -f "$tmp/k.conf" --control-socket "$tmp/k.sock" \
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

# ---- Accept_Mode ----
answers() { ip netns exec "$client" ping -c 1 -W 1 "$1" >/dev/null 2>&1; }
run_vigild() {
  ip netns exec "$ns" "$VIGILD" $(vigil_args k) -l -G -f "$1" --control-socket "$tmp/k.sock" >"$tmp/k.log" 2>&1 &
  vpid=$!
  pids+=($vpid)
  wait_for 10 is_master
}
# accept (keepalived's default without vrrp_strict)
sed -e 's/^    garp_master_refresh 1$//' "$tmp/k.conf" >"$tmp/accept.conf"
if run_vigild "$tmp/accept.conf"; then ok "accept: MASTER again"; else bad "accept: never MASTER"; fi
if wait_for 5 answers 192.0.2.50; then ok "accept: the IPv4 VIP answers pings"; else bad "accept: IPv4 VIP silent"; fi
if wait_for 5 answers 2001:db8::50; then ok "accept: the IPv6 VIP answers pings"; else bad "accept: IPv6 VIP silent"; fi
kill -TERM "$vpid"
wait "$vpid" 2>/dev/null
ip -n "$client" neigh flush all

# no_accept
sed -e 's/^    priority 200$/    priority 200\n    no_accept/' "$tmp/accept.conf" >"$tmp/no_accept.conf"
if run_vigild "$tmp/no_accept.conf"; then ok "no_accept: MASTER"; else bad "no_accept: never MASTER"; fi
nft_set=$(ip netns exec "$ns" nft list set inet keepalived vips 2>&1)
expect "no_accept: the VIPs are in the nftables set" "$nft_set" '192\.0\.2\.50'
if answers 192.0.2.1; then ok "no_accept: the interface address still answers"; else bad "no_accept: interface address silent"; fi
if answers 192.0.2.50; then bad "no_accept: the IPv4 VIP answered a ping"; else ok "no_accept: pings to the IPv4 VIP are dropped"; fi
if answers 2001:db8::50; then bad "no_accept: the IPv6 VIP answered a ping"; else ok "no_accept: pings to the IPv6 VIP are dropped"; fi
expect "no_accept: ARP for the VIP is answered" "$(ip -n "$client" neigh show 192.0.2.50)" 'lladdr'
expect "no_accept: neighbour discovery for the VIP is answered" "$(ip -n "$client" -6 neigh show 2001:db8::50)" 'lladdr'
kill -TERM "$vpid"
wait "$vpid" 2>/dev/null
if ip netns exec "$ns" nft list table inet keepalived >/dev/null 2>&1; then
  bad "no_accept: the nftables table is left after stop"
else
  ok "no_accept: the nftables table is removed on stop"
fi

# vrrp_strict with keepalived's nftables options: Accept_Mode False without no_accept, the
# table named by `nftables`, the hook priority, counters; preempt_delay is reset with
# keepalived's warning (vigild -t exits 5, as keepalived -t does).
ip -n "$client" neigh flush all
{
  printf 'global_defs {\n    vrrp_strict\n    nftables vigil_strict\n    nftables_priority -5\n    nftables_counters\n}\n'
  sed -e 's/^    priority 200$/    priority 200\n    preempt_delay 10/' "$tmp/accept.conf"
} >"$tmp/strict.conf"
out=$(ip netns exec "$ns" "$VIGILD" -t -f "$tmp/strict.conf" 2>&1)
rc=$?
if [ $rc = 5 ] && grep -q "(VI_K) preempt_delay is incompatible with strict mode - resetting" <<<"$out"; then
  ok "vrrp_strict: vigild -t warns that preempt_delay is reset (exit 5)"
else
  bad "vrrp_strict: vigild -t exit $rc: $out"
fi
if run_vigild "$tmp/strict.conf"; then ok "vrrp_strict: MASTER"; else bad "vrrp_strict: never MASTER"; fi
if answers 192.0.2.50; then bad "vrrp_strict: the IPv4 VIP answered a ping"; else ok "vrrp_strict: pings to the IPv4 VIP are dropped (no no_accept needed)"; fi
table=$(ip netns exec "$ns" nft list table inet vigil_strict 2>&1)
expect "vrrp_strict: table inet vigil_strict (nftables NAME)" "$table" 'table inet vigil_strict'
expect "vrrp_strict: hook priority -5 (nftables_priority)" "$table" 'type filter hook input priority (filter - 5|-5); policy accept;'
expect "vrrp_strict: the drop counted the ping (nftables_counters)" "$table" 'ip daddr @vips counter packets [1-9][0-9]* bytes [0-9]+ drop'
if ip netns exec "$ns" nft list table inet keepalived >/dev/null 2>&1; then bad "vrrp_strict: a table named keepalived exists too"; else ok "vrrp_strict: no table under the default name"; fi
kill -TERM "$vpid"
wait "$vpid" 2>/dev/null
if ip netns exec "$ns" nft list table inet vigil_strict >/dev/null 2>&1; then bad "vrrp_strict: table left after stop"; else ok "vrrp_strict: table removed on stop"; fi

# static_ipaddress / static_routes, installed at start and removed on stop; track_group: a
# static address that disappears puts the group's instances in FAULT until it is back.
cat >"$tmp/static.conf" <<'CONF'
static_ipaddress {
    198.51.100.77/24 dev eth1 track_group TG
    198.51.100.78/24 dev eth1
}
static_routes {
    203.0.113.200/32 via 198.51.100.254 dev eth1
}
track_group TG {
    group {
        VI_K
    }
}
vrrp_instance VI_K {
    interface eth0
    virtual_router_id 61
    priority 200
    advert_int 1
    virtual_ipaddress {
        192.0.2.50/24
    }
}
CONF
field_k() {
  "$VIGILCTL" -s "$tmp/k.sock" status --json 2>/dev/null |
    python3 -c "import json,sys; i=json.load(sys.stdin)['instances'][0]; print(i['$1'])" 2>/dev/null
}
state_is() { [ "$(field_k state)" = "$1" ]; }
if run_vigild "$tmp/static.conf"; then ok "static: MASTER"; else bad "static: never MASTER"; fi
a1=$(ip -n "$ns" -4 -o addr show dev eth1)
expect "static_ipaddress installed (tracked)" "$a1" 'inet 198\.51\.100\.77/24'
expect "static_ipaddress installed (untracked)" "$a1" 'inet 198\.51\.100\.78/24'
expect "static_routes installed" "$(ip -n "$ns" route show)" '^203\.0\.113\.200 via 198\.51\.100\.254 dev eth1'
ip -n "$ns" addr del 198.51.100.77/24 dev eth1
if wait_for 5 state_is FAULT; then ok "track_group: the tracked static address deleted: FAULT"; else bad "track_group: $(field_k state) after the delete"; fi
expect "track_group: fault_reason" "$(field_k fault_reason)" 'static address 198\.51\.100\.77/24 deleted \(track_group TG\)'
if ! ip -n "$ns" addr show dev eth0 | grep -q ' 192.0.2.50/'; then ok "track_group: the VIP is released in FAULT"; else bad "track_group: VIP still held in FAULT"; fi
ip -n "$ns" addr del 198.51.100.78/24 dev eth1
ip -n "$ns" addr add 198.51.100.78/24 dev eth1
ip -n "$ns" addr add 198.51.100.77/24 dev eth1
if wait_for 10 state_is MASTER; then ok "track_group: the address back: MASTER again"; else bad "track_group: $(field_k state) after the address came back"; fi
kill -TERM "$vpid"
wait "$vpid" 2>/dev/null
a2=$(ip -n "$ns" -4 -o addr show dev eth1)
if grep -q '198\.51\.100\.7[78]' <<<"$a2"; then bad "static addresses left after stop: $a2"; else ok "static addresses removed on stop"; fi
if ip -n "$ns" route show | grep -q '^203\.0\.113\.200'; then bad "static route left after stop"; else ok "static route removed on stop"; fi

echo "vrrp_kernel_state: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
