#!/usr/bin/env bash
# Notifications on a real (namespaced) network: two vigild routers, A (priority 150) and B
# (100), VRRPv3 advert_int 0.2. The notify_master/backup/fault/stop scripts and the generic
# `notify` (with keepalived's appended arguments) run on each transition; a notify script that
# hangs delays neither an election nor a takeover; a burst of 100 transitions puts every
# line on notify_fifo, in order, for a consumer started through notify_fifo_script; a stop
# runs notify_stop and writes the STOP line. Observed through files the scripts write, the
# FIFO consumer's output and vigilctl status --json.
# Usage: vrrp_notify.sh VIGILD VIGILCTL
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vigil_test_init "$@"

sw=vg-nsw-$$ A=vg-na-$$ B=vg-nb-$$
netns_lan "$sw" "$A" "$B"
ip -n "$A" addr add 192.0.2.1/24 dev eth0
ip -n "$B" addr add 192.0.2.2/24 dev eth0
VIP=192.0.2.100

# note.sh WHO WHAT [ARGS...]: one line per run in $tmp/notes.
printf '#!/bin/sh\necho "$*" >>%s/notes\n' "$tmp" >"$tmp/note.sh"
# hang.sh: a notify script that would run for 31 s.
printf '#!/bin/sh\necho hang >>%s/notes\nexec /bin/sleep 31\n' "$tmp" >"$tmp/hang.sh"
# consume.sh FIFO: the FIFO's reader, started by vigild through notify_fifo_script.
printf '#!/bin/sh\nexec /bin/cat "$1" >>%s/fifo.lines\n' "$tmp" >"$tmp/consume.sh"
chmod 755 "$tmp/note.sh" "$tmp/hang.sh" "$tmp/consume.sh"
echo 0 >"$tmp/burst"

instance() {  # NAME VRID PRIORITY WHO [EXTRA]
  cat <<CONF
vrrp_instance $1 {
    state BACKUP
    interface eth0
    virtual_router_id $2
    version 3
    priority $3
    advert_int 0.2
    notify_master "$tmp/note.sh $4 master"
    notify_backup "$tmp/note.sh $4 backup"
    notify_fault "$tmp/note.sh $4 fault"
    notify_stop "$tmp/note.sh $4 stop"
    notify "$tmp/note.sh $4 generic"
$5
    virtual_ipaddress {
        192.0.2.$((98 + $2))/24
    }
}
CONF
}
{
  cat <<CONF
global_defs {
    notify_fifo $tmp/a.fifo
    notify_fifo_script $tmp/consume.sh
}
track_file burst {
    file $tmp/burst
    weight 0
}
CONF
  instance VI_1 2 150 a ""
  instance VI_BURST 9 255 burst "    track_file {
        burst
    }"
} >"$tmp/a.conf"
{
  instance VI_1 2 100 b ""
} | sed "s#notify_backup \"$tmp/note.sh b backup\"#notify_backup \"$tmp/hang.sh\"#" >"$tmp/b.conf"

field() { vigil_field "$@"; }
is() { [ "$(field "$1" "$2" "$3")" = "$4" ]; }
noted() { grep -qxF "$1" "$tmp/notes" 2>/dev/null; }
holds() { ip -n "$1" addr show dev eth0 | grep -q " $VIP/"; }

vigil_start "$A" a
vigil_start "$B" b
if wait_for 10 sh -c "ip -n $A addr show dev eth0 | grep -q ' $VIP/'" && wait_for 5 noted "a master"; then ok "A master: notify_master ran"; else bad "A master: no notify_master"; fi
if wait_for 5 noted "a generic INSTANCE VI_1 MASTER 150"; then ok "generic notify: INSTANCE VI_1 MASTER 150 appended"; else bad "generic notify for A: $(cat "$tmp/notes")"; fi
if wait_for 5 noted "b generic INSTANCE VI_1 BACKUP 100"; then ok "B backup: generic notify INSTANCE VI_1 BACKUP 100"; else bad "generic notify for B"; fi
if wait_for 5 noted "hang"; then ok "B's notify_backup (a script that hangs) started"; else bad "B's hanging notify_backup did not start"; fi
if [ "$(stat -c %a "$tmp/a.fifo" 2>/dev/null)" = 600 ] && [ -p "$tmp/a.fifo" ]; then ok "notify_fifo created as a FIFO, mode 0600"; else bad "notify_fifo: $(ls -l "$tmp/a.fifo" 2>&1)"; fi

# A burst of 100 transitions on VI_BURST (the address owner; the file value 1 is FAULT).
for k in $(seq 1 50); do
  echo 1 >"$tmp/burst"
  wait_for 3 is a VI_BURST "i['state']" FAULT || { bad "burst $k: no FAULT"; break; }
  echo 0 >"$tmp/burst"
  wait_for 3 is a VI_BURST "i['state']" MASTER || { bad "burst $k: no MASTER"; break; }
done
{
  echo 'INSTANCE "VI_BURST" MASTER 255'
  for k in $(seq 1 50); do
    echo 'INSTANCE "VI_BURST" FAULT 255'
    echo 'INSTANCE "VI_BURST" MASTER 255'
  done
} >"$tmp/want.lines"
burst_lines() { grep '"VI_BURST"' "$tmp/fifo.lines" >"$tmp/got.lines" 2>/dev/null; cmp -s "$tmp/got.lines" "$tmp/want.lines"; }
if wait_for 10 burst_lines; then
  ok "notify_fifo: all 101 VI_BURST lines, in order"
else
  bad "notify_fifo: $(wc -l <"$tmp/got.lines") VI_BURST lines; first difference: $(diff "$tmp/want.lines" "$tmp/got.lines" | head -3 | tr '\n' ' ')"
fi
if wait_for 5 sh -c "[ \$(grep -cxF 'burst fault' $tmp/notes) -eq 50 ]"; then ok "notify_fault ran 50 times"; else bad "notify_fault ran $(grep -cxF 'burst fault' "$tmp/notes") times"; fi
if grep -q '^INSTANCE "VI_1" MASTER 150$' "$tmp/fifo.lines"; then ok "notify_fifo carries VI_1's line too"; else bad "no VI_1 line on the FIFO"; fi

# kill -9 of A while B's notify_backup hangs: B takes over in Master_Down_Interval.
t0=$(date +%s%N)
pkill -9 -f "$tmp/a.conf"
if wait_for 5 holds "$B"; then
  ms=$((($(date +%s%N) - t0) / 1000000))
  if [ $ms -lt 1500 ]; then ok "takeover with a hung notify script: ${ms} ms"; else bad "takeover with a hung notify script took ${ms} ms"; fi
else
  bad "no takeover by B"
fi
if wait_for 5 noted "b master" && wait_for 5 noted "b generic INSTANCE VI_1 MASTER 100"; then ok "B master: notify_master and generic notify ran"; else bad "B master: notify scripts"; fi

# Graceful stop of B: notify_stop runs, and the hanging script is ended.
pkill -TERM -f "$tmp/b.conf"
if wait_for 5 noted "b stop" && wait_for 5 noted "b generic INSTANCE VI_1 STOP 100"; then ok "stop: notify_stop and generic notify STOP ran"; else bad "stop: $(tail -3 "$tmp/notes" | tr '\n' ' ')"; fi
all_ended() { ! pgrep -f '^/bin/sleep 31' >/dev/null && ! pgrep -f "^$VIGILD .*$tmp/b.conf" >/dev/null; }
if wait_for 8 all_ended; then ok "stop: vigild exited and the hanging script was ended"; else bad "stop: the hanging script or vigild still runs"; fi

[ $fail -eq 0 ] || vigil_logs
echo "vrrp_notify: $pass passed, $fail failed"
[ $fail -eq 0 ]
