#!/usr/bin/env bash
# use_vmac on a real (namespaced) LAN: routers R1 (priority 150) and R2 (100) and a client C
# on one bridge. VI_4 (VRRPv3 IPv4, VRID 51) and VI_6 (IPv6, VRID 52) use a VMAC each; VI_X
# (VRID 53) uses one with vmac_xmit_base. Checked: the macvlans (name, MAC, private mode,
# addrgenmode none, the IPv6 one with the parent's link-local), keepalived's sysctls, the VIPs
# on the VMACs only, adverts leaving with the virtual MAC (or the parent's with
# vmac_xmit_base), the client's neighbour entries showing the virtual MAC before and after a
# failover, every ARP reply coming from the virtual MAC, and the VMACs removed with the sysctls restored
# when vigild stops. Last, use_ipvlan, which this kernel lacks, fails with a clear error.
# Usage: vrrp_vmac.sh VIGILD VIGILCTL
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vigil_test_init "$@"

sw=vg-msw-$$ R1=vg-m1-$$ R2=vg-m2-$$ C=vg-mc-$$
netns_lan "$sw" "$R1" "$R2" "$C"
k=1
for ns in "$R1" "$R2" "$C"; do
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
    net.ipv6.conf.eth0.accept_dad=0 net.ipv6.conf.all.disable_ipv6=0
  ip -n "$ns" addr add 192.0.2.$k/24 dev eth0
  ip -n "$ns" addr add 2001:db8:5::$k/64 dev eth0 nodad
  k=$((k + 1))
done
ip -n "$sw" link set br0 type bridge mcast_snooping 0
C_IP=192.0.2.3
VIP4=192.0.2.51 VIP6=2001:db8:5::52 VIPX=192.0.2.53
MAC4=00:00:5e:00:01:33 MAC6=00:00:5e:00:02:34 MACX=00:00:5e:00:01:35

for r in 1 2; do
  prio=$([ $r = 1 ] && echo 150 || echo 100)
  cat >"$tmp/r$r.conf" <<CONF
global_defs {
    vrrp_min_garp
}
vrrp_instance VI_4 {
    state BACKUP
    interface eth0
    use_vmac
    garp_extra_if 1
    virtual_router_id 51
    version 3
    priority $prio
    advert_int 0.2
    virtual_ipaddress {
        $VIP4/24
    }
}
vrrp_instance VI_6 {
    state BACKUP
    interface eth0
    use_vmac vrrp6.52
    virtual_router_id 52
    version 3
    priority $prio
    advert_int 0.2
    virtual_ipaddress {
        $VIP6/64
    }
}
vrrp_instance VI_X {
    state BACKUP
    interface eth0
    use_vmac
    vmac_xmit_base
    virtual_router_id 53
    version 3
    priority $prio
    advert_int 0.2
    virtual_ipaddress {
        $VIPX/24
    }
}
CONF
done
field() { vigil_field "$@"; }
sysctl_of() { ip netns exec "$1" cat "/proc/sys/net/ipv4/conf/$2/$3"; }
ll_of() { ip -n "$1" -6 addr show dev "$2" scope link | awk '/inet6/ {print $2; exit}'; }
on_dev() { ip -n "$1" addr show dev "$2" 2>/dev/null | grep -q " $3/"; }
masters() {
  for i in VI_4 VI_6 VI_X; do [ "$(field "$1" $i "i['state']")" = MASTER ] || return 1; done
}
backups() {
  for i in VI_4 VI_6 VI_X; do [ "$(field "$1" $i "i['state']")" = BACKUP ] || return 1; done
}
r1_holds() { masters r1 && backups r2 && on_dev "$R1" vrrp.51 $VIP4 && on_dev "$R1" vrrp6.52 $VIP6; }
r2_holds() { masters r2 && on_dev "$R2" vrrp.51 $VIP4 && on_dev "$R2" vrrp6.52 $VIP6; }
neigh_mac() { ip -n "$C" neigh show "$1" | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'; }
arp_replies() {  # the distinct MACs that answer the client's ARP requests for $1 within 1 s
  ip netns exec "$C" arping -c 3 -w 1 -I eth0 "$1" 2>/dev/null | tr 'A-F' 'a-f' |
    grep -o '\[\([0-9a-f]\{2\}:\)\{5\}[0-9a-f]\{2\}\]' | tr -d '[]' | sort -u | tr '\n' ' '
}
client_sees() {  # VIP MAC: ping answers and the neighbour entry holds MAC
  ip netns exec "$C" ping -c 1 -W 1 "$1" >/dev/null 2>&1 && [ "$(neigh_mac "$1")" = "$2" ]
}

ip netns exec "$C" tcpdump -U --immediate-mode -i eth0 -n -e -w "$tmp/c.pcap" 'ip proto 112 or ip6 proto 112 or arp' \
  >/dev/null 2>"$tmp/tcpdump.log" &
wait_for 5 grep -q "listening on" "$tmp/tcpdump.log"
vigil_start "$R1" r1
vigil_start "$R2" r2
if wait_for 10 r1_holds; then ok "R1 (150) is Master of all three, VIPs on its VMACs"; else bad "election: $(field r1 VI_4 "i['state']")/$(field r2 VI_4 "i['state']")"; fi

# The links.
for ns in "$R1" "$R2"; do
  d4=$(ip -n "$ns" -d link show dev vrrp.51 2>/dev/null)
  if echo "$d4" | grep -q "link/ether $MAC4" && echo "$d4" | grep -q "macvlan mode private" &&
    echo "$d4" | grep -q "addrgenmode none" && echo "$d4" | grep -q "vrrp.51@eth0"; then
    ok "$ns: vrrp.51@eth0 is a private macvlan with $MAC4, addrgenmode none"
  else bad "$ns: vrrp.51: $d4"; fi
  if ip -n "$ns" -d link show dev vrrp6.52 2>/dev/null | grep -q "link/ether $MAC6"; then ok "$ns: vrrp6.52 (named in use_vmac) has the IPv6 virtual MAC $MAC6"; else bad "$ns: vrrp6.52 missing or wrong MAC"; fi
  if [ -n "$(ll_of "$ns" eth0)" ] && [ "$(ll_of "$ns" vrrp6.52)" = "$(ll_of "$ns" eth0)" ] &&
    [ "$(ip -n "$ns" -6 addr show dev vrrp.51 scope link | grep -c inet6)" = 0 ]; then
    ok "$ns: vrrp6.52 carries eth0's link-local $(ll_of "$ns" eth0); vrrp.51 none from its MAC"
  else bad "$ns: link-locals: eth0 $(ll_of "$ns" eth0), vrrp6.52 $(ll_of "$ns" vrrp6.52)"; fi
done
want="$(sysctl_of "$R1" eth0 arp_ignore) $(sysctl_of "$R1" eth0 arp_filter) $(sysctl_of "$R1" eth0 arp_announce) $(sysctl_of "$R1" vrrp.51 arp_ignore) $(sysctl_of "$R1" vrrp.51 arp_filter) $(sysctl_of "$R1" vrrp.51 accept_local) $(sysctl_of "$R1" vrrp.51 rp_filter)"
if [ "$want" = "1 1 2 1 0 1 0" ]; then ok "sysctls: eth0 arp_ignore=1 arp_filter=1 arp_announce=2; vrrp.51 arp_ignore=1 arp_filter=0 accept_local=1 rp_filter=0"; else bad "sysctls: $want"; fi
if ! on_dev "$R1" eth0 $VIP4 && ! on_dev "$R2" vrrp.51 $VIP4 && ! on_dev "$R2" eth0 $VIP4; then ok "the VIP is on R1's VMAC only"; else bad "VIP also elsewhere"; fi
if [ "$(field r1 VI_4 "i['vmac_interface']")" = vrrp.51 ]; then ok "status names the VMAC (vmac_interface)"; else bad "status vmac_interface: $(field r1 VI_4 "i['vmac_interface']")"; fi

# The client before the failover.
if wait_for 5 client_sees $VIP4 $MAC4; then ok "client: ping $VIP4 answers, neighbour entry $MAC4"; else bad "client before failover: $(neigh_mac $VIP4)"; fi
replies=$(arp_replies $VIP4)
if [ "$replies" = "$MAC4 " ]; then ok "ARP for $VIP4: every reply from $MAC4"; else bad "ARP replies for $VIP4: $replies"; fi
if wait_for 5 client_sees $VIP6 $MAC6; then ok "client: ping $VIP6 answers, neighbour entry $MAC6"; else bad "client IPv6: $(neigh_mac $VIP6)"; fi
if wait_for 5 client_sees $VIPX $MACX; then ok "client: $VIPX (vmac_xmit_base) answers from $MACX"; else bad "client VI_X: $(neigh_mac $VIPX)"; fi

# Failover: R1 stops gracefully; its VMACs go and its sysctls are restored. First R1 is left
# Master long enough for the garp_extra_if check below to see three of its announcements
# (the checks above may take less than the two seconds that needs).
garps() { [ "$(tshark -r "$tmp/c.pcap" -Y 'arp.isgratuitous && arp.src.proto_ipv4 == 192.0.2.51' 2>/dev/null | wc -l)" -ge "$1" ]; }
wait_for 10 garps 3
t_fail=$(date +%s.%N)
r1_pre="$(ip netns exec "$R1" cat /proc/sys/net/ipv4/conf/eth0/arp_ignore)"
pkill -TERM -f "^$VIGILD .*$tmp/r1.conf"
if wait_for 5 r2_holds; then ok "R1 stopped: R2 Master, VIPs on R2's VMACs"; else bad "failover: $(field r2 VI_4 "i['state']")"; fi
gone() { ! ip -n "$R1" link show dev vrrp.51 >/dev/null 2>&1 && ! ip -n "$R1" link show dev vrrp6.52 >/dev/null 2>&1; }
if wait_for 5 gone; then ok "R1's VMACs removed on stop"; else bad "R1's VMACs remain: $(ip -n "$R1" -br link)"; fi
if [ "$(sysctl_of "$R1" eth0 arp_ignore) $(sysctl_of "$R1" eth0 arp_filter) $(sysctl_of "$R1" eth0 arp_announce)" = "0 0 0" ]; then ok "R1's eth0 sysctls restored (arp_ignore, arp_filter, arp_announce 0)"; else bad "R1 eth0 sysctls after stop: $(sysctl_of "$R1" eth0 arp_ignore) $(sysctl_of "$R1" eth0 arp_filter) $(sysctl_of "$R1" eth0 arp_announce) (were 0 0 0 before, arp_ignore $r1_pre while running)"; fi
if [ "$(neigh_mac $VIP4)" = $MAC4 ] && wait_for 5 client_sees $VIP4 $MAC4; then ok "client after failover: neighbour entry still $MAC4 (no flush), ping answers from R2"; else bad "client after failover: $(neigh_mac $VIP4)"; fi
replies=$(arp_replies $VIP4)
if [ "$replies" = "$MAC4 " ]; then ok "after failover: every ARP reply for $VIP4 from $MAC4"; else bad "ARP replies after failover: $replies"; fi
if wait_for 5 client_sees $VIP6 $MAC6; then ok "client after failover: $VIP6 still $MAC6"; else bad "client IPv6 after failover: $(neigh_mac $VIP6)"; fi

# R1 back: it preempts; the client keeps the same MAC.
vigil_start "$R1" r1
if wait_for 10 r1_holds; then ok "R1 restarted: preempts, VIPs back on R1's VMACs"; else bad "preemption: $(field r1 VI_4 "i['state']")"; fi
if ! on_dev "$R2" vrrp.51 $VIP4 && wait_for 5 client_sees $VIP4 $MAC4; then ok "client after preemption: $MAC4, answered"; else bad "client after preemption"; fi
pkill -TERM -f "^$VIGILD .*$tmp/r1.conf"
pkill -TERM -f "^$VIGILD .*$tmp/r2.conf"
stopped() { ! pgrep -f "^$VIGILD .*$tmp/r[12].conf" >/dev/null; }
wait_for 5 stopped
sleep 0.2
kill %1 2>/dev/null; wait %1 2>/dev/null

# The capture: VMAC adverts carry the virtual MAC, vmac_xmit_base ones the parent's MAC.
mac1=$(ip -n "$R1" link show dev eth0 | awk '/link\/ether/ {print $2}')
src_macs() { tshark -r "$tmp/c.pcap" -Y "vrrp.virt_rtr_id == $1 && ${2} == ${3}" -T fields -e eth.src 2>/dev/null | sort -u | tr '\n' ' '; }
s4=$(src_macs 51 ip.src 192.0.2.1) s6=$(tshark -r "$tmp/c.pcap" -Y "vrrp.virt_rtr_id == 52" -T fields -e eth.src 2>/dev/null | sort -u | tr '\n' ' ') sx=$(src_macs 53 ip.src 192.0.2.1)
if [ "$s4" = "$MAC4 " ]; then ok "VI_4 adverts from 192.0.2.1 carry $MAC4"; else bad "VI_4 advert source MACs: $s4"; fi
if [ "$s6" = "$MAC6 " ]; then ok "VI_6 adverts carry $MAC6"; else bad "VI_6 advert source MACs: $s6"; fi
if [ "$sx" = "$mac1 " ]; then ok "VI_X (vmac_xmit_base) adverts carry eth0's MAC $mac1"; else bad "VI_X advert source MACs: $sx (eth0 $mac1)"; fi
# garp_extra_if 1 with vrrp_min_garp: one gratuitous ARP on becoming Master, then one a second
# on the VMAC (not the instance's own interface) while Master.
read -r n_extra gaps_extra <<<"$(tshark -r "$tmp/c.pcap" -Y 'arp.isgratuitous && arp.src.proto_ipv4 == 192.0.2.51' \
  -T fields -e frame.time_epoch 2>/dev/null | python3 -c "
import sys
t = [float(x) for x in sys.stdin.read().split() if float(x) < $t_fail]
g = [b - a for a, b in zip(t, t[1:])]
print(len(t), ','.join(f'{x:.2f}' for x in g))")"
if [ "$n_extra" -ge 3 ] && python3 -c "import sys; g=[float(x) for x in '$gaps_extra'.split(',')]; sys.exit(0 if all(0.8 <= x <= 1.3 for x in g) else 1)"; then
  ok "garp_extra_if 1, vrrp_min_garp: $n_extra gratuitous ARPs for $VIP4 while R1 was Master, one at a time, gaps $gaps_extra s"
else
  bad "garp_extra_if: $n_extra gratuitous ARPs, gaps $gaps_extra"
fi
malformed=$(tshark -r "$tmp/c.pcap" -Y "_ws.malformed || _ws.expert.severity >= warning" 2>/dev/null | tee "$tmp/warnings.txt" | wc -l)
if [ "$malformed" = 0 ]; then ok "tshark: no malformed or warning frames"; else bad "tshark: $malformed malformed/warning frames: $(head -3 "$tmp/warnings.txt")"; fi

# use_ipvlan: this kernel has no ipvlan; the instance is refused with a clear error.
cat >"$tmp/ipv.conf" <<CONF
vrrp_instance VI_I {
    interface eth0
    use_ipvlan ipv.54 192.0.2.54/24
    virtual_router_id 54
    priority 100
    virtual_ipaddress {
        192.0.2.154/24
    }
}
vrrp_instance VI_P {
    interface eth0
    virtual_router_id 55
    priority 100
    virtual_ipaddress {
        192.0.2.155/24
    }
}
CONF
vigil_start "$R2" ipv
ipv_up() { [ "$(field ipv VI_P "i['state']")" = MASTER ]; }
wait_for 10 ipv_up
if grep -q "(VI_I) creating ipvlan ipv.54.*instance not started" "$tmp/ipv.log" && ipv_up; then
  ok "use_ipvlan without kernel support: '$(grep -o 'creating ipvlan.*' "$tmp/ipv.log" | head -1)'; the other instance runs"
else bad "use_ipvlan: $(tail -3 "$tmp/ipv.log")"; fi

[ $fail -eq 0 ] || vigil_logs
echo "vrrp_vmac: $pass passed, $fail failed"
[ $fail -eq 0 ]
