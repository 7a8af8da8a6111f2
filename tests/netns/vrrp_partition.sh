#!/usr/bin/env bash
# Three vigild routers on one bridge: partition the master away (nftables on the bridge drops
# its frames), check that both sides elect a master, heal, and check that the routers converge
# to exactly one master, which holds the VIP and answers the client's ping from its own MAC.
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
    virtual_ipaddress {
        $VIP/24
    }
}
CONF
  ip netns exec "${NS[$n]}" "$VIGILD" -l -G -f "$tmp/$n.conf" --control-socket "$tmp/$n.sock" \
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

ip netns exec "$sw" nft delete table bridge vigil_partition
if wait_for 10 one_master r1; then ok "heal: converged to one master, r1"; else bad "heal: masters are '$(masters)'"; fi
holders=0
for n in r1 r2 r3; do ip -n "${NS[$n]}" addr show dev eth0 | grep -q " $VIP/" && holders=$((holders + 1)); done
if [ $holders = 1 ]; then ok "heal: exactly one router holds the VIP"; else bad "heal: $holders routers hold the VIP"; fi
ip -n "${NS[client]}" neigh flush dev eth0
if ip netns exec "${NS[client]}" ping -c 2 -W 1 "$VIP" >/dev/null &&
   [ "$(ip -n "${NS[client]}" neigh show "$VIP" | awk '{print $5}')" = "$(mac_of r1)" ]; then
  ok "heal: the VIP answers the client from r1"
else
  bad "heal: the VIP does not answer from r1"
fi
echo "vrrp_partition: $pass passed, $fail failed"
[ $fail -eq 0 ]
