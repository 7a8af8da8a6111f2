#!/usr/bin/env bash
# Tracking on a real (namespaced) network: two vigild routers, A (priority 150) and B (100),
# VRRPv3 advert_int 0.2, one VIP. A tracks a script, an interface and a file; each one, when
# it fails, lowers A's effective priority or puts A in FAULT, and the VIP moves to B; when it
# recovers, A preempts back. B runs a script that hangs: it is killed at its timeout, never two
# runs at once, and B's takeover after kill -9 of A is not delayed by it. A script that
# enable_script_security forbids is refused. Observed through vigilctl status --json and the
# VIP's location.
# Usage: vrrp_tracking.sh VIGILD VIGILCTL
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vigil_test_init "$@"

sw=vg-tsw-$$ A=vg-ta-$$ B=vg-tb-$$
netns_lan "$sw" "$A" "$B"
ip -n "$A" addr add 192.0.2.1/24 dev eth0
ip -n "$B" addr add 192.0.2.2/24 dev eth0
# The tracked interface: one end of a veth pair inside A (this kernel has no dummy driver).
ip -n "$A" link add dum0 type veth peer name dum1
ip -n "$A" link set dum1 up
ip -n "$A" link set dum0 up
VIP=192.0.2.100

touch "$tmp/ok"
echo 0 >"$tmp/prio"
mkdir -m 1777 "$tmp/open"
cp /usr/bin/true "$tmp/open/check"
# A check that hangs and ignores SIGTERM (only SIGKILL ends it).
printf '#!/bin/sh\ntrap "" TERM\nexec /bin/sleep 30\n' >"$tmp/hang.sh"
chmod 755 "$tmp/hang.sh"

cat >"$tmp/a.conf" <<CONF
global_defs {
    enable_script_security
    notify_fifo $tmp/a.fifo
    vrrp_notify_priority_changes
}
vrrp_script chk_ok {
    script "/usr/bin/test -e $tmp/ok"
    interval 1
    fall 1
    rise 1
    weight -60
    user root
}
vrrp_script chk_unsafe {
    script "$tmp/open/check"
    interval 1
    user root
}
track_file prio_file {
    file "$tmp/prio"
    weight 1
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    version 3
    priority 150
    advert_int 0.2
    track_script {
        chk_ok
    }
    track_interface {
        dum0
    }
    track_file {
        prio_file
    }
    virtual_ipaddress {
        $VIP/24
    }
}
vrrp_instance VI_2 {
    state BACKUP
    interface eth0
    virtual_router_id 52
    version 3
    priority 100
    advert_int 1
    track_script {
        chk_unsafe weight -10
    }
    virtual_ipaddress {
        192.0.2.101/24
    }
}
CONF
cat >"$tmp/b.conf" <<CONF
vrrp_script chk_hang {
    script "$tmp/hang.sh"
    interval 1
    timeout 1
    weight -1
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    version 3
    priority 100
    advert_int 0.2
    track_script {
        chk_hang
    }
    virtual_ipaddress {
        $VIP/24
    }
}
CONF

# field ROUTER INSTANCE EXPR: a jq-like lookup done with python.
field() { vigil_field "$@"; }
is() { [ "$(field "$1" "$2" "$3")" = "$4" ]; }
holds() { ip -n "$1" addr show dev eth0 | grep -q " $VIP/"; }
a_master() { holds "$A" && ! holds "$B"; }
b_master() { holds "$B" && ! holds "$A"; }

mkfifo -m 600 "$tmp/a.fifo"
cat "$tmp/a.fifo" >"$tmp/fifo.lines" &
vigil_start "$A" a
vigil_start "$B" b
if wait_for 10 a_master; then ok "A (150) is master"; else bad "A is not master"; fi

# track_script, weight -60: the check fails, A drops to 90 and B (100 - 1) takes over.
rm -f "$tmp/ok"
if wait_for 5 is a VI_1 "i['effective_priority']" 90; then ok "track_script failure: A's effective priority 90"; else bad "track_script: A at $(field a VI_1 "i['effective_priority']")"; fi
if wait_for 5 b_master; then ok "track_script failure: the VIP moves to B"; else bad "track_script: VIP not on B"; fi
if wait_for 5 grep -qx 'INSTANCE "VI_1" MASTER_PRIORITY 90' "$tmp/fifo.lines"; then ok "vrrp_notify_priority_changes (global_defs): MASTER_PRIORITY 90 on the FIFO"; else bad "notify_priority_changes: $(grep PRIORITY "$tmp/fifo.lines")"; fi
touch "$tmp/ok"
if wait_for 5 is a VI_1 "i['effective_priority']" 150 && wait_for 5 a_master; then ok "track_script recovery: A back at 150 preempts"; else bad "track_script recovery"; fi

# track_interface, no weight: dum0 down is FAULT.
ip -n "$A" link set dum0 down
if wait_for 5 is a VI_1 "i['state']" FAULT; then ok "track_interface down: A enters FAULT ($(field a VI_1 "i['fault_reason']"))"; else bad "track_interface: A is $(field a VI_1 "i['state']")"; fi
if wait_for 5 b_master; then ok "track_interface down: the VIP moves to B"; else bad "track_interface: VIP not on B"; fi
ip -n "$A" link set dum0 up
if wait_for 8 a_master; then ok "track_interface up: A leaves FAULT and preempts"; else bad "track_interface up: A is $(field a VI_1 "i['state']")"; fi
if grep -q "(VI_1) Entering FAULT STATE" "$tmp/a.log"; then ok "keepalived's FAULT log line"; else bad "no FAULT log line"; fi

# track_file, weight 1: the value -70 takes A to 80.
echo -70 >"$tmp/prio"
if wait_for 5 is a VI_1 "i['effective_priority']" 80 && wait_for 5 b_master; then ok "track_file -70: A at 80, the VIP on B"; else bad "track_file: A at $(field a VI_1 "i['effective_priority']")"; fi
echo 0 >"$tmp/prio.new" && mv "$tmp/prio.new" "$tmp/prio"  # an atomic replace is seen too
if wait_for 5 is a VI_1 "i['effective_priority']" 150 && wait_for 5 a_master; then ok "track_file 0 (renamed into place): A back at 150"; else bad "track_file recovery"; fi
if grep -q "Changing effective priority from 150 to 80" "$tmp/a.log"; then ok "keepalived's priority log line"; else bad "no priority change log line"; fi

# enable_script_security: a root script in a world-writable directory is refused.
if is a VI_2 "i['tracking'][0]['refused']" True && is a VI_2 "i['effective_priority']" 90; then ok "enable_script_security refuses $tmp/open/check (counts as failed)"; else bad "enable_script_security: $(field a VI_2 "i['tracking']")"; fi

# The hung script on B: timed out, TERM ignored, killed; never two runs at once (the runs
# due while one hangs are skipped). Each poll also records how many copies are alive.
echo 0 >"$tmp/max_alive"
hung_checked() {
  local n
  n=$(pgrep -f "^/bin/sleep 30" | wc -l)
  [ "$n" -gt "$(cat "$tmp/max_alive")" ] && echo "$n" >"$tmp/max_alive"
  [ "$(field b VI_1 "i['tracking'][0]['timeouts']")" -ge 3 ] &&
    [ "$(field b VI_1 "i['tracking'][0]['skipped']")" -ge 1 ]
}
if wait_for 15 hung_checked; then
  ok "hung script: 3 timeouts, $(field b VI_1 "i['tracking'][0]['skipped']") runs skipped while one hung"
else
  bad "hung script: $(field b VI_1 "i['tracking']")"
fi
n=$(cat "$tmp/max_alive")
if [ "$n" -le 1 ]; then ok "hung script: at most $n copy alive at any poll (SIGKILL after the ignored SIGTERM)"; else bad "hung script: $n copies alive at once"; fi
if is b VI_1 "i['tracking'][0]['up']" False && is b VI_1 "i['effective_priority']" 99; then ok "hung script: counted as failed (B at 99)"; else bad "hung script verdict: $(field b VI_1 "i['tracking']")"; fi

# kill -9 of A while B's script hangs: B takes over in Master_Down_Interval (0.6 + 0.12 s).
t0=$(date +%s%N)
pkill -9 -f "$tmp/a.conf"
if wait_for 5 holds "$B"; then
  ms=$((($(date +%s%N) - t0) / 1000000))
  if [ $ms -lt 1500 ]; then ok "takeover with a hung script: ${ms} ms"; else bad "takeover with a hung script took ${ms} ms"; fi
else
  bad "no takeover by B"
fi
if is b VI_1 "i['stats']['become_master']" 4; then ok "B became master exactly 4 times (script, interface, file, kill: no flap)"; else bad "B became master $(field b VI_1 "i['stats']['become_master']") times"; fi

pkill -TERM -f "$tmp/b.conf"
if wait_for 5 sh -c "! pgrep -f '^/bin/sleep 30' >/dev/null"; then ok "stop: no script left running"; else bad "stop: a script is still running"; fi
[ $fail -eq 0 ] || vigil_logs
echo "vrrp_tracking: $pass passed, $fail failed"
[ $fail -eq 0 ]
