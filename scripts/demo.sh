#!/usr/bin/env bash
# Vigil demo: two routers share a virtual IP, in network namespaces on this machine.
# It shows who is master, kills it, shows the VIP answering from the backup, brings the
# first router back and shows it take the VIP back (preemption), then tidies up.
set -euo pipefail
BUILD=${1:-build}
VIGILD=$(realpath "$BUILD/src/vigild")
VIGILCTL=$(realpath "$BUILD/src/vigilctl")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/netns/lib.sh"
netns_require_root
tmp=$(mktemp -d)
cleanup() {
  pkill -9 -f "$tmp/" 2>/dev/null || true
  netns_cleanup
  rm -rf "$tmp"
}
trap cleanup EXIT

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

VIP=192.0.2.100
sw=vdemo-sw-$$ R1=vdemo-r1-$$ R2=vdemo-r2-$$ CL=vdemo-client-$$
ip netns add "$sw" && VIGIL_NETNS_CREATED+=("$sw")
ip -n "$sw" link add br0 type bridge && ip -n "$sw" link set br0 up
i=1
for ns in "$R1" "$R2" "$CL"; do
  ip netns add "$ns" && VIGIL_NETNS_CREATED+=("$ns")
  ip link add eth0 netns "$ns" type veth peer name port$i netns "$sw"
  ip -n "$sw" link set port$i master br0 up
  ip -n "$ns" link set lo up && ip -n "$ns" link set eth0 up
  ip -n "$ns" addr add 192.0.2.$i/24 dev eth0
  i=$((i + 1))
done

conf() {
  cat <<CONF
vrrp_instance VI_WEB {
    interface eth0
    virtual_router_id 51
    priority $1
    advert_int 1
    virtual_ipaddress {
        $VIP/24
    }
}
CONF
}
conf 150 >"$tmp/router1.conf"
conf 100 >"$tmp/router2.conf"
start() {
  ip netns exec "$1" "$VIGILD" -n -p "$tmp/$2.pid" -r "$tmp/$2.vrrp.pid" -c "$tmp/$2.checker.pid" -l -G -f "$tmp/$2.conf" --control-socket "$tmp/$2.sock" \
    >>"$tmp/$2.log" 2>&1 &
  disown
}
status() { "$VIGILCTL" -s "$tmp/$1.sock" status; }
holder() {
  for r in router1 router2; do
    ns=$R1; [ $r = router2 ] && ns=$R2
    # Not `ip | grep -q` under pipefail: grep's early exit would make ip fail with SIGPIPE.
    [[ "$(ip -n "$ns" addr show dev eth0)" == *" $VIP/"* ]] && echo $r
  done
}
client_sees() {
  ip netns exec "$CL" ping -c1 -W1 "$VIP" >/dev/null &&
    ip -n "$CL" neigh show "$VIP" | awk '{print $5}'
}
mac_of() { ip -n "$1" link show eth0 | awk '/link\/ether/ {print $2}'; }

say "Two routers (router1 priority 150, router2 priority 100) share the virtual IP $VIP."
start "$R1" router1
start "$R2" router2
wait_for 10 sh -c "[ \"\$(ip -n $R1 addr show dev eth0 | grep -c ' $VIP/')\" = 1 ]"
wait_for 5 test -S "$tmp/router2.sock"
status router1; status router2
echo "-> the VIP lives on: $(holder). The client reaches it at MAC $(client_sees) (router1 is $(mac_of "$R1"))."

say "Killing router1 without warning (kill -9)..."
t0=$(date +%s%N)
pkill -9 -f "$tmp/router1.conf"
wait_for 10 sh -c "ip -n $R2 addr show dev eth0 | grep -q ' $VIP/'"
echo "-> router2 took over after $((($(date +%s%N) - t0) / 1000000)) ms (3 missed adverts + skew)."
status router2
# No ARP flush on the client: router2's gratuitous ARP has already updated its entry.
echo "-> the client's ARP entry for $VIP: $(ip -n "$CL" neigh show "$VIP" | awk '{print $5}'); it reaches it at $(client_sees) (router2 is $(mac_of "$R2"))."

say "Starting router1 again: it has the higher priority, so it takes the VIP back (preemption)."
start "$R1" router1
wait_for 10 sh -c "ip -n $R1 addr show dev eth0 | grep -q ' $VIP/' && ! ip -n $R2 addr show dev eth0 | grep -q ' $VIP/'"
status router1; status router2
echo "-> the VIP lives on: $(holder)."

say "Stopping router1 gracefully (SIGTERM): it sends priority 0, so router2 takes over at once."
t0=$(date +%s%N)
pkill -TERM -f "$tmp/router1.conf"
wait_for 5 sh -c "ip -n $R2 addr show dev eth0 | grep -q ' $VIP/'"
echo "-> router2 took over after $((($(date +%s%N) - t0) / 1000000)) ms."

say "Done; removing the namespaces."
