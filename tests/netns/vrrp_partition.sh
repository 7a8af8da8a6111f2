#!/usr/bin/env bash
# Three vigild routers on one bridge: partition the master away (nftables on the bridge drops
# its frames), check that both sides elect a master, heal, and check that the routers converge
# to exactly one master, which re-announces the VIP (a gratuitous ARP on the wire that moves
# the client's ARP entry back without a flush), answers the client's ping from its own MAC,
# and whose notify scripts, like the others', end on the true final state.
# Usage: vrrp_partition.sh VIGILD VIGILCTL
set -u
VIGILD=$(realpath "$1")
VIGILCTL=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
netns_require_root
tmp=$(mktemp -d)
cleanup() {
  pkill -9 -f "$tmp/" 2>/dev/null
  netns_cleanup
  rm -rf "$tmp"
}
trap cleanup EXIT
# state.sh ROUTER INSTANCE NAME STATE PRIORITY (the generic notify): the router's last state.
printf '#!/bin/sh\necho "$4" >%s/state.$1\n' "$tmp" >"$tmp/state.sh"
chmod 755 "$tmp/state.sh"

VIP=192.0.2.100
sw=vp-sw-$$
ip netns add "$sw" && VIGIL_NETNS_CREATED+=("$sw")
ip -n "$sw" link add br0 type bridge && ip -n "$sw" link set br0 up
names=(r1 r2 r3 client)
prios=(150 120 100)
declare -A NS
i=1
for n in "${names[@]}"; do
  NS[$n]=vp-$n-$$
  ip netns add "${NS[$n]}" && VIGIL_NETNS_CREATED+=("${NS[$n]}")
  ip link add eth0 netns "${NS[$n]}" type veth peer name port-$n netns "$sw"
  ip -n "$sw" link set port-$n master br0 up
  ip -n "${NS[$n]}" link set lo up
  ip -n "${NS[$n]}" link set eth0 up
  ip -n "${NS[$n]}" addr add 192.0.2.$i/24 dev eth0
  i=$((i + 1))
done
for k in 0 1 2; do
  n=${names[$k]}
  cat >"$tmp/$n.conf" <<CONF
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority ${prios[$k]}
    advert_int 1
    notify "$tmp/state.sh $n"
    notify_master_rx_lower_pri "/usr/bin/touch $tmp/rx_lower.$n"
    virtual_ipaddress {
        $VIP/24
    }
}
CONF
  ip netns exec "${NS[$n]}" "$VIGILD" $(vigil_args "$n") -l -G -f "$tmp/$n.conf" --control-socket "$tmp/$n.sock" \
    >"$tmp/$n.log" 2>&1 &
  disown
done

state() { "$VIGILCTL" -s "$tmp/$1.sock" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["instances"][0]["state"])'; }
is_master() { [ "$(state "$1")" = MASTER ]; }
masters() {
  local m=""
  for n in r1 r2 r3; do is_master $n && m="$m $n"; done
  echo "${m# }"
}
one_master() { [ "$(masters)" = "$1" ]; }
mac_of() { ip -n "${NS[$1]}" link show eth0 | awk '/link\/ether/ {print $2}'; }

if wait_for 15 one_master r1; then ok "election: r1 (150) is the only master"; else bad "election: masters are '$(masters)'"; fi

# Partition r1 from the others: the bridge drops everything to and from its port.
ip netns exec "$sw" nft -f - <<'NFT'
table bridge vigil_partition {
  chain forward {
    type filter hook forward priority 0; policy accept;
    iifname "port-r1" drop
    oifname "port-r1" drop
  }
}
NFT
split_ok() { [ "$(masters)" = "r1 r2" ]; }
if wait_for 10 split_ok; then ok "partition: r1 and r2 (the best of the other side) are both master"; else bad "partition: masters are '$(masters)'"; fi

mac_r2_seen() { [ "$(ip -n "${NS[client]}" neigh show "$VIP" | awk '{print $5}')" = "$(mac_of r2)" ]; }
ip netns exec "${NS[client]}" ping -c 1 -W 1 "$VIP" >/dev/null
if wait_for 5 mac_r2_seen; then ok "partition: the client reaches the VIP at r2's MAC"; else bad "partition: client's entry $(ip -n "${NS[client]}" neigh show "$VIP")"; fi
ip netns exec "${NS[client]}" tcpdump -U --immediate-mode -i eth0 -w "$tmp/heal.pcap" arp >/dev/null 2>&1 &
cap=$!
wait_for 5 test -s "$tmp/heal.pcap"  # tcpdump has written its header: it is capturing
heal_at=$(date +%s.%N)
ip netns exec "$sw" nft delete table bridge vigil_partition
if wait_for 10 one_master r1; then ok "heal: converged to one master, r1"; else bad "heal: masters are '$(masters)'"; fi
holders=0
for n in r1 r2 r3; do ip -n "${NS[$n]}" addr show dev eth0 | grep -q " $VIP/" && holders=$((holders + 1)); done
if [ $holders = 1 ]; then ok "heal: exactly one router holds the VIP"; else bad "heal: $holders routers hold the VIP"; fi
mac_r1_seen() { [ "$(ip -n "${NS[client]}" neigh show "$VIP" | awk '{print $5}')" = "$(mac_of r1)" ]; }
if wait_for 10 mac_r1_seen; then ok "heal: the client's ARP entry moved back to r1 without a flush"; else bad "heal: client's entry $(ip -n "${NS[client]}" neigh show "$VIP")"; fi
heal_garps() {
  tshark -r "$tmp/heal.pcap" -Y "frame.time_epoch > $heal_at && arp.isgratuitous == 1 && arp.src.hw_mac == $(mac_of r1) && arp.src.proto_ipv4 == $VIP" 2>/dev/null | wc -l
}
wait_for 5 sh -c "[ \$(tshark -r $tmp/heal.pcap -Y 'frame.time_epoch > $heal_at && arp.isgratuitous == 1' 2>/dev/null | wc -l) -gt 0 ]"
garps=$(heal_garps)
kill $cap 2>/dev/null
wait $cap 2>/dev/null
if [ "$garps" -gt 0 ]; then ok "heal: r1 re-announced the VIP ($garps gratuitous ARPs on the wire after the heal)"; else bad "heal: no gratuitous ARP from r1 for the VIP"; fi
final_states() {
  [ "$(cat "$tmp/state.r1" 2>/dev/null)" = MASTER ] && [ "$(cat "$tmp/state.r2" 2>/dev/null)" = BACKUP ] &&
    [ "$(cat "$tmp/state.r3" 2>/dev/null)" = BACKUP ]
}
if wait_for 5 test -e "$tmp/rx_lower.r1"; then ok "heal: r1's notify_master_rx_lower_pri ran"; else bad "heal: no notify_master_rx_lower_pri on r1"; fi
if wait_for 5 final_states; then ok "heal: the notify scripts end on MASTER (r1), BACKUP (r2, r3)"; else bad "heal: notify states r1=$(cat "$tmp/state.r1") r2=$(cat "$tmp/state.r2") r3=$(cat "$tmp/state.r3")"; fi
ip -n "${NS[client]}" neigh flush dev eth0
if ip netns exec "${NS[client]}" ping -c 2 -W 1 "$VIP" >/dev/null &&
   [ "$(ip -n "${NS[client]}" neigh show "$VIP" | awk '{print $5}')" = "$(mac_of r1)" ]; then
  ok "heal: the VIP answers the client from r1"
else
  bad "heal: the VIP does not answer from r1"
fi
echo "vrrp_partition: $pass passed, $fail failed"
[ $fail -eq 0 ]
