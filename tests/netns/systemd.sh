#!/usr/bin/env bash
# systemd integration: the unit file passes `systemd-analyze verify` (silently: it only warns
# about a bad line), and vigild's notifications on a NOTIFY_SOCKET the test listens on:
# READY=1 once both children run (with STATUS=), WATCHDOG=1 at a third of WATCHDOG_USEC while
# the children answer and none while the VRRP child is stopped (SIGSTOP), RELOADING=1 with
# MONOTONIC_USEC then READY=1 around a reload (and a refused one), STOPPING=1; only the
# supervisor's pid sends (the children forget the socket).
# Usage: systemd.sh VIGILD VIGILCTL UNIT_FILE
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vigil_test_init "$1" "$2"
unit=$3

# The unit, with ExecStart on the binary under test.
sed "s|/usr/sbin/vigild|$VIGILD|" "$unit" >"$tmp/vigild.service"
out=$(systemd-analyze verify "$tmp/vigild.service" 2>&1)
rc=$?
if [ $rc = 0 ] && [ -z "$out" ]; then ok "systemd-analyze verify: the unit is clean"; else bad "systemd-analyze verify (exit $rc): $out"; fi
sed 's/^Type=notify$/Type=bogus/' "$tmp/vigild.service" >"$tmp/bogus.service"
if [ -n "$(systemd-analyze verify "$tmp/bogus.service" 2>&1)" ]; then ok "the check sees a broken unit (control)"; else bad "systemd-analyze verify said nothing about Type=bogus"; fi
for key in "Type=notify" "ExecReload=/bin/kill -HUP \$MAINPID" "WatchdogSec=" "KillMode=mixed" "Restart=on-failure" "--dont-fork"; do
  grep -qF -- "$key" "$unit" || bad "the unit lacks $key"
done

netns_lan ysw yl1
ip -n yl1 addr add 192.0.2.1/24 dev eth0
cat >"$tmp/y.conf" <<'CONF'
global_defs {
    lb_dataplane nftables vigil_systemd
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 81
    priority 150
    advert_int 1
    virtual_ipaddress {
        192.0.2.10/24
    }
}
virtual_server 192.0.2.10 80 {
    delay_loop 5
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 192.0.2.99 80 {
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
CONF

# The service manager's side: one line per datagram, "TIME PID MESSAGE" (newlines as |).
cat >"$tmp/listen.py" <<'PY'
import os, socket, struct, sys, time
path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
with open(log, "a", buffering=1) as out:
    while True:
        msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
        pid = 0
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("iII", data[:12])[0]
        out.write("%.3f %d %s\n" % (time.time(), pid, msg.decode(errors="replace").replace("\n", "|")))
PY
python3 "$tmp/listen.py" "$tmp/notify.sock" "$tmp/notify.log" &
wait_for 5 test -S "$tmp/notify.sock" || bad "the listener did not start"
touch "$tmp/notify.log"

# shellcheck disable=SC2046
ip netns exec yl1 env NOTIFY_SOCKET="$tmp/notify.sock" WATCHDOG_USEC=1500000 \
  "$VIGILD" $(vigil_args y) -l -G -f "$tmp/y.conf" --control-socket "$tmp/y.sock" >>"$tmp/y.log" 2>&1 &
count() { grep -c -- "$1" "$tmp/notify.log"; }
since() { awk -v t="$1" -v m="$2" '$1 >= t && index($0, m)' "$tmp/notify.log" | wc -l; }
has() { [ "$(count "$1")" -ge "${2:-1}" ]; }
if wait_for 15 has "READY=1"; then ok "READY=1: $(grep -m1 READY=1 "$tmp/notify.log" | cut -d' ' -f3-)"; else bad "no READY=1: $(cat "$tmp/notify.log")"; fi
master() { vigil_true y "d['instances'][0]['state'] == 'MASTER'"; }
children_up() { vigil_true y "all(p['running'] for p in d['processes']) and len(d['processes']) == 3"; }
if children_up; then ok "READY=1 came with both children running"; else bad "READY=1 but processes: $(vigil_status y "d['processes']")"; fi
if wait_for 5 has "WATCHDOG=1" 3; then ok "WATCHDOG=1 every half second ($(count WATCHDOG=1) so far)"; else bad "watchdog: $(count WATCHDOG=1) WATCHDOG=1"; fi
spid=$(cat "$tmp/y.pid")

# A stopped VRRP child starves the watchdog; continued, it is fed again.
vpid=$(cat "$tmp/y.vrrp.pid")
kill -STOP "$vpid"
t_stop=$(date +%s.%N)
t_quiet=$(python3 -c "print($t_stop + 1.2)")
quiet_for_2s() { python3 -c "import time,sys; sys.exit(0 if time.time() > $t_quiet + 2 else 1)"; }
wait_for 10 quiet_for_2s
fed=$(since "$t_quiet" WATCHDOG=1)
kill -CONT "$vpid"
t_cont=$(date +%s.%N)
fed_again() { [ "$(since "$t_cont" WATCHDOG=1)" -ge 2 ]; }
if [ "$fed" = 0 ]; then ok "no WATCHDOG=1 while the VRRP child was stopped"; else bad "$fed WATCHDOG=1 while the VRRP child was stopped"; fi
if wait_for 10 fed_again; then ok "WATCHDOG=1 again once it continued"; else bad "the watchdog was not fed again"; fi
if grep -q "VRRP child did not answer; the systemd watchdog is not fed" "$tmp/y.log"; then ok "the log says why the watchdog was not fed"; else bad "no log line for the starved watchdog"; fi

# Reload: RELOADING=1 with MONOTONIC_USEC, then READY=1.
t=$(date +%s.%N)
kill -HUP "$spid"
reloaded() { [ "$(since "$t" "Reload complete")" -ge 1 ]; }
if wait_for 10 reloaded && [ "$(since "$t" "RELOADING=1|MONOTONIC_USEC=")" = 1 ] &&
  awk -v t="$t" '$1 >= t' "$tmp/notify.log" | grep -q "READY=1|STATUS=Reload complete"; then
  ok "reload: RELOADING=1 with MONOTONIC_USEC, then READY=1 with STATUS=Reload complete"
else
  bad "reload notifications: $(awk -v t="$t" '$1 >= t' "$tmp/notify.log" | grep -v WATCHDOG)"
fi
echo "garbage {" >>"$tmp/y.conf"
t=$(date +%s.%N)
"$VIGILCTL" -s "$tmp/y.sock" reload >/dev/null 2>&1
if awk -v t="$t" '$1 >= t' "$tmp/notify.log" | grep -q "READY=1|STATUS=Reload refused"; then ok "a refused reload: READY=1 with STATUS=Reload refused"; else bad "refused reload: $(awk -v t="$t" '$1 >= t' "$tmp/notify.log" | grep -v WATCHDOG)"; fi

kill -TERM "$spid"
stopped() { has "STOPPING=1"; }
if wait_for 10 stopped; then ok "STOPPING=1 on SIGTERM"; else bad "no STOPPING=1"; fi
others=$(awk -v p="$spid" '$2 != p' "$tmp/notify.log" | wc -l)
if [ "$others" = 0 ]; then ok "every notification came from the supervisor (pid $spid)"; else bad "$others notifications from other pids: $(awk -v p="$spid" '$2 != p' "$tmp/notify.log" | head -3)"; fi

[ "$fail" -eq 0 ] || vigil_logs
echo "systemd: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
