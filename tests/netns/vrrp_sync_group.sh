#!/usr/bin/env bash
# vrrp_sync_group on a real (namespaced) network: routers R1 (priority 150) and R2 (100) are
# joined by two bridges, eth0 and eth1, with one instance on each (VI_OUT, VI_IN) in one sync
# group. When R1's eth1 goes down, both of R1's instances enter FAULT and both VIPs move to R2
# together, although eth0 is still up; when eth1 comes back, R1 takes both back. A member
# that becomes Master takes the other with it. R1's group has its own notify scripts (keepalived
# 2.2.7's arguments "GROUP G1 STATE 0") and a track_file at group level (a non-zero value
# puts both members in FAULT), and R1 writes vrrp_notify_fifo lines: each GROUP line comes
# after the INSTANCE lines of all members, as keepalived writes them. Observed through
# vigilctl status --json, the VIPs' location, the files the scripts write and the FIFO.
# Usage: vrrp_sync_group.sh VIGILD VIGILCTL
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vigil_test_init "$@"

sw=vg-ysw-$$ R1=vg-y1-$$ R2=vg-y2-$$
ip netns add "$sw" && VIGIL_NETNS_CREATED+=("$sw")
for br in br0 br1; do ip -n "$sw" link add $br type bridge && ip -n "$sw" link set $br up; done
k=1
for ns in "$R1" "$R2"; do
  ip netns add "$ns" && VIGIL_NETNS_CREATED+=("$ns")
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip -n "$ns" link set lo up
  for j in 0 1; do
    ip link add eth$j netns "$ns" type veth peer name p$k$j netns "$sw"
    ip -n "$sw" link set p$k$j master br$j up
    ip -n "$ns" link set eth$j up
  done
  ip -n "$ns" addr add 192.0.2.$k/24 dev eth0
  ip -n "$ns" addr add 198.51.100.$k/24 dev eth1
  k=$((k + 1))
done

printf '#!/bin/sh\necho "$*" >>%s/notes\n' "$tmp" >"$tmp/note.sh"
printf '#!/bin/sh\nexec /bin/cat "$1" >>%s/fifo.lines\n' "$tmp" >"$tmp/consume.sh"
chmod 755 "$tmp/note.sh" "$tmp/consume.sh"
echo 0 >"$tmp/group.track"
for r in 1 2; do
  prio=$([ $r = 1 ] && echo 150 || echo 100)
  group_extra=""
  [ $r = 1 ] && group_extra="    notify $tmp/note.sh
    notify_master \"$tmp/note.sh group-master\"
    track_file {
        GROUP_FILE
    }"
  [ $r = 1 ] && cat >"$tmp/r$r.conf" <<CONF
global_defs {
    vrrp_notify_fifo $tmp/r1.fifo
    vrrp_notify_fifo_script $tmp/consume.sh
}
track_file GROUP_FILE {
    file $tmp/group.track
    weight 0
}
CONF
  [ $r = 2 ] && : >"$tmp/r$r.conf"
  cat >>"$tmp/r$r.conf" <<CONF
vrrp_sync_group G1 {
    group {
        VI_OUT
        VI_IN
    }
$group_extra
}
vrrp_instance VI_OUT {
    state BACKUP
    interface eth0
    virtual_router_id 61
    version 3
    priority $prio
    advert_int 0.2
    virtual_ipaddress {
        192.0.2.100/24
    }
}
vrrp_instance VI_IN {
    state BACKUP
    interface eth1
    virtual_router_id 62
    version 3
    priority $prio
    advert_int 0.2
    virtual_ipaddress {
        198.51.100.100/24
    }
}
CONF
done
field() { vigil_field "$@"; }
noted() { grep -qx -- "$1" "$tmp/notes" 2>/dev/null; }
group_after() {  # group_after STATE PRIO: both INSTANCE lines, then the GROUP line, since the last check
  python3 - "$tmp/fifo.lines" "$1" "$2" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
state, prio = sys.argv[2], sys.argv[3]
g = max(i for i, l in enumerate(lines) if l == 'GROUP "G1" %s 0' % state)
for inst in ("VI_OUT", "VI_IN"):
    if not any(l == 'INSTANCE "%s" %s %s' % (inst, state, prio) for l in lines[:g]):
        sys.exit(1)
sys.exit(0)
PY
}
holds_both() {
  ip -n "$1" addr show dev eth0 | grep -q " 192.0.2.100/" &&
    ip -n "$1" addr show dev eth1 | grep -q " 198.51.100.100/"
}
holds_none() {
  ! ip -n "$1" addr show dev eth0 | grep -q " 192.0.2.100/" &&
    ! ip -n "$1" addr show dev eth1 | grep -q " 198.51.100.100/"
}
r1_both() { holds_both "$R1" && holds_none "$R2"; }
r2_both() { holds_both "$R2" && holds_none "$R1"; }
both_fault() { [ "$(field r1 VI_OUT "i['state']")" = FAULT ] && [ "$(field r1 VI_IN "i['state']")" = FAULT ]; }

vigil_start "$R1" r1
vigil_start "$R2" r2
if wait_for 10 r1_both; then ok "R1 (150) holds both VIPs"; else bad "election: R1 does not hold both VIPs"; fi
if wait_for 5 group_after MASTER 150; then ok "FIFO: GROUP \"G1\" MASTER 0 after both members' MASTER lines"; else bad "FIFO after election: $(cat "$tmp/fifo.lines" 2>/dev/null | tr '\n' '|')"; fi
if wait_for 5 noted "GROUP G1 MASTER 0" && wait_for 5 noted "group-master"; then ok "group notify: GROUP G1 MASTER 0, and the group's notify_master ran"; else bad "group notify: $(tr '\n' '|' <"$tmp/notes" 2>/dev/null)"; fi
if ! grep -q "^INSTANCE" "$tmp/notes" 2>/dev/null; then ok "the group's notify runs for the group only"; else bad "group notify ran for an instance"; fi

ip -n "$R1" link set eth1 down
if wait_for 5 both_fault; then ok "R1 eth1 down: VI_IN and VI_OUT (eth0 still up) both in FAULT"; else bad "eth1 down: VI_OUT $(field r1 VI_OUT "i['state']"), VI_IN $(field r1 VI_IN "i['state']")"; fi
if wait_for 5 r2_both; then ok "R1 eth1 down: both VIPs moved to R2 together"; else bad "eth1 down: VIPs not both on R2"; fi
if wait_for 5 group_after FAULT 150 && wait_for 5 noted "GROUP G1 FAULT 0"; then ok "GROUP \"G1\" FAULT 0 on the FIFO and to the group's notify"; else bad "group FAULT: $(tail -4 "$tmp/fifo.lines" | tr '\n' '|')"; fi
if ip -n "$R1" link show eth0 | grep -q "state UP"; then ok "R1's eth0 stayed up throughout"; else bad "R1's eth0 is down"; fi

ip -n "$R1" link set eth1 up
if wait_for 10 r1_both; then ok "R1 eth1 up: R1 takes both VIPs back"; else bad "eth1 up: R1 does not hold both VIPs"; fi

# The group's track_file (weight 0): a non-zero value puts the whole group in FAULT.
echo 1 >"$tmp/group.track"
if wait_for 5 both_fault && wait_for 5 r2_both; then ok "group-level track_file 1: both members FAULT, both VIPs on R2"; else bad "group track_file: VI_OUT $(field r1 VI_OUT "i['state']"), VI_IN $(field r1 VI_IN "i['state']")"; fi
reason=$(field r1 VI_IN "i['fault_reason']")
if echo "$reason" | grep -q "file $tmp/group.track"; then ok "fault_reason: $reason"; else bad "fault_reason: $reason"; fi
echo 0 >"$tmp/group.track"
if wait_for 10 r1_both; then ok "group track_file 0: R1 takes both back"; else bad "group track_file 0: R1 does not hold both"; fi

# Graceful stop of R1: both move to R2, and a member becoming master takes the other along.
pkill -TERM -f "^$VIGILD .*$tmp/r1.conf"
if wait_for 5 r2_both; then ok "R1 stopped: R2 holds both VIPs"; else bad "R1 stopped: R2 does not hold both"; fi
if grep -q "(VI_IN) Entering MASTER STATE" "$tmp/r2.log" && grep -q "(VI_OUT) Entering MASTER STATE" "$tmp/r2.log"; then ok "keepalived's log lines for both members"; else bad "log lines"; fi
if wait_for 5 noted "GROUP G1 STOP 0"; then ok "R1 stopped: group notify GROUP G1 STOP 0"; else bad "no GROUP STOP: $(tail -3 "$tmp/notes" | tr '\n' '|')"; fi

[ $fail -eq 0 ] || vigil_logs
echo "vrrp_sync_group: $pass passed, $fail failed"
[ $fail -eq 0 ]
