#!/usr/bin/env bash
# What a reload changes in the kernel besides the VIPs, and how removed instances are
# notified. One router L (vigild) and a client C on a switch. Configuration A: static
# addresses 192.0.2.201 and .202, a static route to 203.0.113.0/24, VI_1 (VIP 192.0.2.10)
# with no_accept, VI_2 (192.0.2.20) with notify_deleted and its script, VI_3 (192.0.2.30)
# without. Configuration B: statics 192.0.2.201 and .203, a static route to
# 198.51.100.0/24 instead, VI_1 with Accept_Mode on, no VI_2 or VI_3.
#   - A -> B: the static address and route B lacks go, the ones it adds come, the common
#     one stays; VI_1 stays Master (no transition) and now answers pings; VI_2 is notified
#     DELETED (FIFO, generic notify, its notify_deleted script) and VI_3 FAULT, as
#     keepalived 2.2.7 does;
#   - B -> A: the drop is back for VI_1's VIP (still Master), the statics are A's again;
#   - stop: A's statics and the nftables table go.
# Usage: reload_kernel.sh VIGILD VIGILCTL
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vigil_test_init "$1" "$2"

netns_lan rksw-$$ rkl-$$ rkc-$$
L=rkl-$$ C=rkc-$$
ip -n "$L" addr add 192.0.2.1/24 dev eth0
ip -n "$C" addr add 192.0.2.100/24 dev eth0

cat >"$tmp/notify.sh" <<EOF
#!/bin/sh
echo "\$*" >>"$tmp/notify.txt"
EOF
chmod 755 "$tmp/notify.sh"

conf() {
  cat <<CONF
global_defs {
    notify_fifo $tmp/l.fifo
    script_user root
}
static_ipaddress {
    192.0.2.201/24 dev eth0
$([ "$1" = A ] && echo "    192.0.2.202/24 dev eth0" || echo "    192.0.2.203/24 dev eth0")
}
static_routes {
$([ "$1" = A ] && echo "    203.0.113.0/24 via 192.0.2.100 dev eth0" || echo "    198.51.100.0/24 via 192.0.2.100 dev eth0")
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 81
    priority 150
    advert_int 1
$([ "$1" = A ] && echo "    no_accept")
    notify $tmp/notify.sh
    virtual_ipaddress {
        192.0.2.10/24
    }
}
CONF
  [ "$1" = A ] || return 0
  cat <<CONF
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 82
    priority 150
    advert_int 1
    notify $tmp/notify.sh
    notify_deleted "$tmp/notify.sh deleted-script"
    virtual_ipaddress {
        192.0.2.20/24
    }
}
vrrp_instance VI_3 {
    interface eth0
    virtual_router_id 83
    priority 150
    advert_int 1
    notify $tmp/notify.sh
    virtual_ipaddress {
        192.0.2.30/24
    }
}
CONF
}

conf A >"$tmp/l.conf"
mkfifo "$tmp/l.fifo"
cat "$tmp/l.fifo" >"$tmp/fifo.txt" &
vigil_start "$L" l

state() { vigil_status l "[i['state'] for i in d['instances'] if i['name'] == '$1'][0]"; }
masters() { for i in "$@"; do [ "$(state "$i")" = MASTER ] || return 1; done; }
has_addr() { ip -n "$L" -4 addr show dev eth0 | grep -q "inet $1/"; }
has_route() { ip -n "$L" -4 route show "$1" | grep -q "via 192.0.2.100"; }
answers() { ip netns exec "$C" ping -c 1 -W 1 "$1" >/dev/null 2>&1; }
become_master() { vigil_status l "[i['stats']['become_master'] for i in d['instances'] if i['name'] == 'VI_1'][0]"; }

if wait_for 15 masters VI_1 VI_2 VI_3; then ok "A: VI_1, VI_2 and VI_3 Master"; else bad "A: $(state VI_1) $(state VI_2) $(state VI_3)"; fi
if has_addr 192.0.2.201 && has_addr 192.0.2.202 && has_route 203.0.113.0/24; then
  ok "A: static addresses .201 and .202 and the route to 203.0.113.0/24 installed"
else
  bad "A statics: $(ip -n "$L" -4 addr show dev eth0 | grep -c inet) addresses, $(ip -n "$L" route)"
fi
if answers 192.0.2.10; then bad "A: VI_1's VIP answered a ping with no_accept"; else ok "A: pings to VI_1's VIP are dropped (no_accept)"; fi

conf B >"$tmp/l.conf"
out=$("$VIGILCTL" -s "$tmp/l.sock" reload 2>&1)
[ "$out" = reloaded ] || bad "reload to B: $out"
statics_b() { has_addr 192.0.2.201 && has_addr 192.0.2.203 && ! has_addr 192.0.2.202 && has_route 198.51.100.0/24 && ! has_route 203.0.113.0/24; }
if wait_for 5 statics_b; then
  ok "A -> B: static .202 and the route to 203.0.113.0/24 removed, .203 and the route to 198.51.100.0/24 added, .201 kept"
else
  bad "A -> B statics: $(ip -n "$L" -4 addr show dev eth0 | grep inet | tr '\n' ';') $(ip -n "$L" route | tr '\n' ';')"
fi
if [ "$(state VI_1)" = MASTER ] && [ "$(become_master)" = 1 ]; then ok "A -> B: VI_1 still Master, no transition"; else bad "A -> B: VI_1 $(state VI_1), became Master $(become_master) times"; fi
if wait_for 5 answers 192.0.2.10; then ok "A -> B: VI_1's VIP answers pings now that Accept_Mode is on"; else bad "A -> B: VI_1's VIP still drops pings ($(ip netns exec "$L" nft list set inet keepalived vips 2>&1 | tr '\n' ' '))"; fi
gone() { ! has_addr 192.0.2.20 && ! has_addr 192.0.2.30; }
if wait_for 5 gone; then ok "A -> B: VI_2's and VI_3's VIPs released"; else bad "A -> B: VIPs of removed instances left"; fi
notified() { grep -q 'INSTANCE "VI_2" DELETED 150' "$tmp/fifo.txt" && grep -q 'INSTANCE "VI_3" FAULT 150' "$tmp/fifo.txt"; }
if wait_for 5 notified; then
  ok "FIFO: INSTANCE \"VI_2\" DELETED 150 (notify_deleted), INSTANCE \"VI_3\" FAULT 150 (without), as keepalived 2.2.7"
else
  bad "FIFO after the reload: $(tr '\n' ';' <"$tmp/fifo.txt")"
fi
scripts() { grep -qx 'INSTANCE VI_2 DELETED 150' "$tmp/notify.txt" && grep -qx 'deleted-script' "$tmp/notify.txt" && grep -qx 'INSTANCE VI_3 FAULT 150' "$tmp/notify.txt"; }
if wait_for 5 scripts; then
  ok "scripts: generic notify with DELETED / FAULT, VI_2's notify_deleted script run"
else
  bad "notify scripts: $(tr '\n' ';' <"$tmp/notify.txt")"
fi
if grep -q 'STOP' "$tmp/fifo.txt"; then bad "a removed instance was notified STOP: $(grep STOP "$tmp/fifo.txt")"; else ok "no STOP line for the removed instances"; fi

conf A >"$tmp/l.conf"
out=$("$VIGILCTL" -s "$tmp/l.sock" reload 2>&1)
[ "$out" = reloaded ] || bad "reload to A: $out"
statics_a() { has_addr 192.0.2.201 && has_addr 192.0.2.202 && ! has_addr 192.0.2.203 && has_route 203.0.113.0/24 && ! has_route 198.51.100.0/24; }
if wait_for 5 statics_a; then ok "B -> A: the statics are A's again"; else bad "B -> A statics: $(ip -n "$L" -4 addr show dev eth0 | grep inet | tr '\n' ';') $(ip -n "$L" route | tr '\n' ';')"; fi
dropped() { ! answers 192.0.2.10; }
if wait_for 5 dropped && [ "$(state VI_1)" = MASTER ] && [ "$(become_master)" = 1 ]; then
  ok "B -> A: VI_1 still Master (no transition) and its VIP drops pings again (no_accept)"
else
  bad "B -> A: VI_1 $(state VI_1), became Master $(become_master) times, pings $(answers 192.0.2.10 && echo answered || echo dropped)"
fi
if wait_for 15 masters VI_2 VI_3; then ok "B -> A: VI_2 and VI_3 back, Master"; else bad "B -> A: VI_2 $(state VI_2), VI_3 $(state VI_3)"; fi

kill -TERM "$(cat "$tmp/l.pid")"
stopped() { ! kill -0 "$(cat "$tmp/l.pid")" 2>/dev/null; }
wait_for 10 stopped || bad "vigild did not stop"
if ! has_addr 192.0.2.201 && ! has_addr 192.0.2.202 && ! has_route 203.0.113.0/24 &&
  ! ip netns exec "$L" nft list table inet keepalived >/dev/null 2>&1; then
  ok "stop: the statics and the nftables table removed"
else
  bad "after stop: $(ip -n "$L" -4 addr show dev eth0 | grep inet | tr '\n' ';') $(ip -n "$L" route | tr '\n' ';')"
fi

[ "$fail" -eq 0 ] || vigil_logs
echo "reload_kernel: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
