#!/usr/bin/env bash
# vrrp_track_process on a real (namespaced) LAN: R1 (priority 150) tracks copies of sleep
# named vgtp (TP_QUORUM: quorum 2, quorum_max 3, weight -60) and vgtd (TP_DELAY: weight 0,
# so losing it is FAULT, after terminate_delay 3), against R2 (100). Checked: effective
# priority and Master follow the process count (quorum lost, regained, exceeded), the
# parameter matching (param_match initial), the terminate delay, and the status document.
# In a network namespace the kernel's process connector is unavailable, so vigild rescans
# /proc every second (the connector itself is covered by os_tests).
# Usage: vrrp_track_process.sh VIGILD VIGILCTL
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vigil_test_init "$@"

sw=vg-psw-$$ R1=vg-p1-$$ R2=vg-p2-$$
netns_lan "$sw" "$R1" "$R2"
ip -n "$R1" addr add 192.0.2.1/24 dev eth0
ip -n "$R2" addr add 192.0.2.2/24 dev eth0
cp "$(command -v sleep)" "$tmp/vgtp"
cp "$(command -v sleep)" "$tmp/vgtd"

cat >"$tmp/r1.conf" <<CONF
vrrp_track_process TP_QUORUM {
    process vgtp 1000
    param_match initial
    quorum 2
    quorum_max 3
    weight -60
}
vrrp_track_process TP_DELAY {
    process vgtd
    terminate_delay 3
    weight 0
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 71
    version 3
    priority 150
    advert_int 0.2
    track_process {
        TP_QUORUM
        TP_DELAY
    }
    virtual_ipaddress {
        192.0.2.100/24
    }
}
CONF
sed -e 's/priority 150/priority 100/' -e '/track_process {/,/^    }/d' -e '/^vrrp_track_process/,/^}/d' \
  "$tmp/r1.conf" >"$tmp/r2.conf"
field() { vigil_field "$@"; }
prio() { field r1 VI_1 "i['effective_priority']"; }
state() { field "$1" VI_1 "i['state']"; }
is() { [ "$(state "$1")" = "$2" ]; }
prio_is() { [ "$(prio)" = "$1" ]; }
run_vgtp() { "$tmp/vgtp" 1000 "$@" & }  # a matching process; its pid is $!

run_vgtp 1; p1=$!
run_vgtp 2; p2=$!
"$tmp/vgtp" 2000 & other=$!  # parameters do not match: not counted
"$tmp/vgtd" 1000 & d1=$!
vigil_start "$R1" r1
vigil_start "$R2" r2
if wait_for 10 is r1 MASTER && prio_is 150; then ok "two matching processes (quorum 2): priority 150, R1 Master"; else bad "start: R1 $(state r1) priority $(prio)"; fi
count=$(field r1 VI_1 "[t['count'] for t in i['tracking'] if t['name'] == 'TP_QUORUM'][0]")
events=$(field r1 VI_1 "[t['events'] for t in i['tracking'] if t['name'] == 'TP_QUORUM'][0]")
if [ "$count" = 2 ] && [ "$events" = rescan ]; then ok "status: TP_QUORUM counts 2 (the 'vgtp 2000' process does not match), events from /proc rescans"; else bad "status: count $count events $events"; fi

t0=$(date +%s%N)
kill $p1
if wait_for 5 prio_is 90; then ok "one process left: quorum lost, priority 90 after $((($(date +%s%N) - t0) / 1000000)) ms"; else bad "quorum lost: priority $(prio)"; fi
if wait_for 5 is r2 MASTER; then ok "R2 (100) takes over"; else bad "R2 is $(state r2)"; fi

run_vgtp 3; p3=$!
if wait_for 5 prio_is 150 && wait_for 5 is r1 MASTER; then ok "two again: priority 150, R1 preempts"; else bad "quorum regained: priority $(prio), R1 $(state r1)"; fi
run_vgtp 4; p4=$!
run_vgtp 5; p5=$!
if wait_for 5 prio_is 90; then ok "four processes, above quorum_max 3: priority 90"; else bad "quorum_max: priority $(prio)"; fi
kill $p5
if wait_for 5 prio_is 150; then ok "three: priority 150 again"; else bad "back to three: priority $(prio)"; fi

t0=$(date +%s%N)
kill $d1
# terminate_delay 3: not in FAULT for the first second...
early() { is r1 FAULT; }
if ! wait_for 1 early; then ok "TP_DELAY's process gone: no FAULT in the first second (terminate_delay 3)"; else bad "FAULT before terminate_delay"; fi
if wait_for 5 is r1 FAULT; then ok "then FAULT (weight 0) after $((($(date +%s%N) - t0) / 1000000)) ms"; else bad "no FAULT: $(state r1)"; fi
reason=$(field r1 VI_1 "i['fault_reason']")
if echo "$reason" | grep -q "process TP_DELAY"; then ok "fault_reason: $reason"; else bad "fault_reason: $reason"; fi
# A process back within the delay cancels the loss.
"$tmp/vgtd" 1000 & d2=$!
if wait_for 5 is r1 MASTER; then ok "TP_DELAY's process back: R1 leaves FAULT and is Master"; else bad "after FAULT: $(state r1)"; fi
kill $d2
dcount() { [ "$(field r1 VI_1 "[t['count'] for t in i['tracking'] if t['name'] == 'TP_DELAY'][0]")" = "$1" ]; }
wait_for 5 dcount 0
"$tmp/vgtd" 1000 & d3=$!
if ! wait_for 3 early; then ok "process seen gone (count 0), replaced within terminate_delay: no FAULT"; else bad "FAULT although the process came back within the delay"; fi
# A loss that reverts within the delay, then a new loss at once: the new loss still counts.
kill $d3
wait_for 5 dcount 0
"$tmp/vgtd" 1000 & d4=$!
wait_for 5 dcount 1
kill $d4
if wait_for 6 is r1 FAULT; then ok "lost, back, lost again within the delay: FAULT after the delay"; else bad "second loss: $(state r1)"; fi
if grep -q "Track_process(TP_QUORUM) quorum lost" "$tmp/r1.log"; then ok "log: Track_process(TP_QUORUM) quorum lost"; else bad "no quorum log line"; fi

kill $p2 $p3 $p4 $other 2>/dev/null
[ $fail -eq 0 ] || vigil_logs
echo "vrrp_track_process: $pass passed, $fail failed"
[ $fail -eq 0 ]
