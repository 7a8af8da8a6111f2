#!/usr/bin/env bash
# global_defs options that shape what a router sends and when, on a real (namespaced) LAN:
# vrrp_startup_delay (the instances stay silent in INIT for that long after start), and
# vrrp_garp_interval / vrrp_gna_interval (gratuitous ARPs and unsolicited NAs on one
# interface leave at least that far apart). A client captures; timestamps are tcpdump's.
# Usage: vrrp_global_options.sh VIGILD VIGILCTL
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vigil_test_init "$@"

sw=vg-gsw-$$ R1=vg-g1-$$ C=vg-gc-$$
netns_lan "$sw" "$R1" "$C"
for ns in "$R1" "$C"; do
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
    net.ipv6.conf.eth0.accept_dad=0 net.ipv6.conf.all.disable_ipv6=0
done
ip -n "$R1" addr add 192.0.2.1/24 dev eth0
ip -n "$C" addr add 192.0.2.3/24 dev eth0
ip -n "$R1" addr add 2001:db8:7::1/64 dev eth0 nodad
ll_ready() { ip -n "$R1" -6 addr show dev eth0 scope link | grep -q inet6 && ! ip -n "$R1" -6 addr show dev eth0 | grep -q tentative; }
wait_for 5 ll_ready

cat >"$tmp/r1.conf" <<CONF
global_defs {
    vrrp_startup_delay 2
    vrrp_garp_interval 0.3
    vrrp_gna_interval 0.2
}
vrrp_instance VI_4 {
    state MASTER
    interface eth0
    virtual_router_id 91
    version 3
    priority 200
    advert_int 0.5
    garp_master_delay 0
    garp_master_repeat 3
    virtual_ipaddress {
        192.0.2.91/24
        192.0.2.92/24
    }
}
vrrp_instance VI_6 {
    state MASTER
    interface eth0
    virtual_router_id 92
    version 3
    priority 200
    advert_int 0.5
    garp_master_delay 0
    garp_master_repeat 3
    virtual_ipaddress {
        2001:db8:7::91/64
    }
}
CONF
field() { vigil_field "$@"; }
is() { [ "$(field r1 "$1" "i['state']")" = "$2" ]; }

ip netns exec "$C" tcpdump -U --immediate-mode -tt -n -i eth0 -w "$tmp/c.pcap" \
  'ip proto 112 or arp or (icmp6 and ip6[40] == 136)' >/dev/null 2>"$tmp/tcpdump.log" &
wait_for 5 grep -q "listening on" "$tmp/tcpdump.log"
t_start=$(date +%s.%N)
vigil_start "$R1" r1
if wait_for 5 is VI_4 INIT; then ok "during vrrp_startup_delay the instance is in INIT"; else bad "startup: VI_4 is $(field r1 VI_4 "i['state']")"; fi
if wait_for 10 is VI_4 MASTER && wait_for 5 is VI_6 MASTER; then ok "after the delay: MASTER"; else bad "never MASTER"; fi
if grep -q "Delaying startup for 2.000 seconds" "$tmp/r1.log"; then ok "log: Delaying startup for 2.000 seconds"; else bad "no startup-delay log line"; fi
garps() { [ "$(tshark -r "$tmp/c.pcap" -Y 'arp.isgratuitous' 2>/dev/null | wc -l)" -ge 6 ]; }
nas() { [ "$(tshark -r "$tmp/c.pcap" -Y 'icmpv6.type == 136 && ipv6.dst == ff02::1' 2>/dev/null | wc -l)" -ge 3 ]; }
wait_for 10 garps
wait_for 10 nas
pkill -TERM -f "^$VIGILD .*$tmp/r1.conf"
stopped() { ! pgrep -f "^$VIGILD .*$tmp/r1.conf" >/dev/null; }
wait_for 5 stopped
kill %1 2>/dev/null; wait %1 2>/dev/null

first_advert=$(tshark -r "$tmp/c.pcap" -Y 'vrrp' -T fields -e frame.time_epoch 2>/dev/null | head -1)
delay=$(python3 -c "print(f'{$first_advert - $t_start:.3f}')" 2>/dev/null)
if python3 -c "import sys; sys.exit(0 if $first_advert - $t_start >= 2.0 else 1)" 2>/dev/null; then
  ok "first advert ${delay} s after vigild started (vrrp_startup_delay 2)"
else
  bad "first advert ${delay} s after start"
fi
# gaps GAP FILTER: the smallest gap between consecutive frames of FILTER, and their count.
gaps() {
  tshark -r "$tmp/c.pcap" -Y "$1" -T fields -e frame.time_epoch 2>/dev/null | python3 -c "
import sys
t = [float(x) for x in sys.stdin.read().split()]
g = [b - a for a, b in zip(t, t[1:])]
print(len(t), f'{min(g):.3f}' if g else 'none')"
}
read -r n4 min4 <<<"$(gaps 'arp.isgratuitous')"
if [ "$n4" -ge 6 ] && python3 -c "import sys; sys.exit(0 if $min4 >= 0.29 else 1)"; then
  ok "$n4 gratuitous ARPs (3 repeats x 2 VIPs), at least $min4 s apart (vrrp_garp_interval 0.3)"
else
  bad "gratuitous ARPs: $n4, smallest gap $min4"
fi
read -r n6 min6 <<<"$(gaps 'icmpv6.type == 136 && ipv6.dst == ff02::1')"
if [ "$n6" -ge 3 ] && python3 -c "import sys; sys.exit(0 if $min6 >= 0.19 else 1)"; then
  ok "$n6 unsolicited NAs, at least $min6 s apart (vrrp_gna_interval 0.2)"
else
  bad "unsolicited NAs: $n6, smallest gap $min6"
fi

[ $fail -eq 0 ] || vigil_logs
echo "vrrp_global_options: $pass passed, $fail failed"
[ $fail -eq 0 ]
