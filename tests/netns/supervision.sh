#!/usr/bin/env bash
# The supervisor and its children on a namespaced network: two load balancers L1 (priority
# 150) and L2 (100) share VI_1 (the client-side VIP 192.0.2.10 and the real servers' gateway
# 198.51.100.254) and the virtual server 192.0.2.10:80 (nftables dataplane, two nginx real
# servers). A client sends HTTP requests and pings the VIP all along.
#   - pid files: mode 0644, atomic, a symlink in their place is replaced and not followed, a
#     second daemon on the same pid file refuses to start;
#   - kill -9 of L1's checker child while traffic flows: it is started again, the VIP never
#     moves (L2 never Master, L1's VRRP child untouched), no request fails, and the nftables
#     table ends as it was;
#   - kill -9 of L1's VRRP child: started again, it finds its addresses in place and resumes
#     as Master; the test reports the VIP's outage seen by the client's pings;
#   - SIGTERM of L1's supervisor: the VRRP child stops first (L2 takes over at once), then
#     the checker child (the table goes), then the supervisor; pid files removed;
#   - -R (dont_respawn): a child's death stops the whole daemon.
# Usage: supervision.sh VIGILD VIGILCTL
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vigil_test_init "$1" "$2"

lb_pair s

conf() {
  cat <<CONF
global_defs {
    lb_dataplane nftables vigil_sup
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 61
    priority $1
    advert_int 1
    virtual_ipaddress {
        192.0.2.10/24
        198.51.100.254/24
    }
}
virtual_server 192.0.2.10 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 198.51.100.1 80 {
        TCP_CHECK {
            connect_timeout 1
        }
    }
    real_server 198.51.100.2 80 {
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
CONF
}
conf 150 >"$tmp/l1.conf"
conf 100 >"$tmp/l2.conf"

# L2's pid file is a symlink to a file of someone else's: it must be replaced, not written.
echo keep >"$tmp/victim"
ln -s "$tmp/victim" "$tmp/l2.pid"

vigil_start sl1 l1
vigil_start sl2 l2
state() { vigil_status "$1" "[i['state'] for i in d['instances'] if i['name'] == 'VI_1'][0]"; }
become_master() { vigil_status "$1" "[i['stats']['become_master'] for i in d['instances'] if i['name'] == 'VI_1'][0]"; }
child_pid() { vigil_status "$1" "[p['pid'] for p in d['processes'] if p['role'] == '$2'][0]"; }
restarts() { vigil_status "$1" "[p['restarts'] for p in d['processes'] if p['role'] == '$2'][0]"; }
up() { vigil_true "$1" "len(d['virtual_servers']) == 1 and all(r['alive'] for r in d['virtual_servers'][0]['real_servers'])"; }
elected() { [ "$(state l1)" = MASTER ] && [ "$(state l2)" = BACKUP ] && up l1 && up l2; }
if wait_for 15 elected; then ok "L1 Master, L2 Backup, both checkers see both real servers up"; else bad "election: L1 $(state l1), L2 $(state l2)"; fi

# Pid files.
spid=$(vigil_status l1 "[p['pid'] for p in d['processes'] if p['role'] == 'supervisor'][0]")
if [ "$(cat "$tmp/l1.pid")" = "$spid" ] && [ "$(stat -c %a "$tmp/l1.pid")" = 644 ] &&
  [ "$(cat "$tmp/l1.vrrp.pid")" = "$(child_pid l1 vrrp)" ] &&
  [ "$(cat "$tmp/l1.checker.pid")" = "$(child_pid l1 checker)" ]; then
  ok "pid files: supervisor $spid, VRRP child $(cat "$tmp/l1.vrrp.pid"), checker child $(cat "$tmp/l1.checker.pid"), mode 0644"
else
  bad "pid files: $(cat "$tmp"/l1*.pid 2>&1 | tr '\n' ' ') mode $(stat -c %a "$tmp/l1.pid")"
fi
if [ "$(cat "$tmp/victim")" = keep ] && [ ! -L "$tmp/l2.pid" ] && [ -f "$tmp/l2.pid" ]; then
  ok "a symlink at the pid file's path is replaced; its target is untouched"
else
  bad "pid file symlink: victim '$(cat "$tmp/victim")', $(ls -l "$tmp/l2.pid")"
fi
# shellcheck disable=SC2046
out=$(ip netns exec sl1 "$VIGILD" $(vigil_args l1) -l -G -f "$tmp/l1.conf" --control-socket "$tmp/l1b.sock" 2>&1)
rc=$?
if [ $rc = 1 ] && grep -q "daemon is already running" <<<"$out"; then
  ok "a second vigild on the same pid file refuses to start (exit 1)"
else
  bad "second vigild: exit $rc: $out"
fi

# The client: a request every 50 ms (one line each, with the time), and pings.
ip netns exec slc bash -c 'while :; do
  if curl -s -o /dev/null -m 1 http://192.0.2.10/; then r=ok; else r=fail; fi
  echo "$(date +%s.%N) $r"; sleep 0.05; done' >"$tmp/requests.log" 2>/dev/null &
ip netns exec slc ping -D -i 0.05 -W 1 192.0.2.10 >"$tmp/ping.log" 2>&1 &
now() { date +%s.%N; }
# failed_between T0 T1 / served_between T0 T1: requests in the window.
failed_between() { awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b && $2 == "fail"' "$tmp/requests.log" | wc -l; }
served_between() { awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b && $2 == "ok"' "$tmp/requests.log" | wc -l; }
served_since() { [ "$(served_between "$1" 9999999999)" -ge "$2" ]; }
# outage T0 T1: the longest time (ms) without a ping reply within the window.
outage() {
  sed -n 's/^\[\([0-9.]*\)\] .* bytes from .*/\1/p' "$tmp/ping.log" | python3 -c "
import sys
t = [float(x) for x in sys.stdin.read().split()]
t = [x for x in t if $1 - 1 <= x <= $2]
print(int(max((b - a for a, b in zip(t, t[1:])), default=$2 - $1) * 1000))"
}
t=$(now)
if wait_for 10 served_since "$t" 20; then ok "the client is served through the VIP"; else bad "the client is not served: $(tail -3 "$tmp/requests.log")"; fi

table() { ip netns exec sl1 nft list table inet vigil_sup 2>&1; }
table_before=$(table)
vrrp_before=$(child_pid l1 vrrp)

# kill -9 of the checker child while traffic flows.
checker=$(cat "$tmp/l1.checker.pid")
t0=$(now)
kill -9 "$checker"
restarted() { [ "$(restarts l1 checker)" = 1 ] && [ "$(child_pid l1 checker)" -gt 0 ] && [ "$(child_pid l1 checker)" != "$checker" ] && up l1; }
if wait_for 15 restarted; then ok "checker child $checker killed: started again as $(child_pid l1 checker)"; else bad "checker child not restarted: $(vigil_status l1 "d['processes']")"; fi
t=$(now)
wait_for 10 served_since "$t" 20
t1=$(now)
nfail=$(failed_between "$t0" "$t1")
nok=$(served_between "$t0" "$t1")
if [ "$nfail" = 0 ] && [ "$nok" -gt 20 ]; then ok "no request failed while the checker child was down and restarted ($nok served)"; else bad "$nfail requests failed ($nok served) around the checker's death"; fi
if [ "$(state l1)" = MASTER ] && [ "$(become_master l2)" = 0 ] && [ "$(child_pid l1 vrrp)" = "$vrrp_before" ]; then
  ok "the VIP did not move: L1 Master with the same VRRP child, L2 never Master"
else
  bad "after the checker's death: L1 $(state l1) (VRRP child $(child_pid l1 vrrp), was $vrrp_before), L2 became Master $(become_master l2) times"
fi
if [ "$(table)" = "$table_before" ]; then ok "the nftables table ends as it was"; else bad "table changed: $(diff <(echo "$table_before") <(table))"; fi
if vigil_true l1 "[len(s['destinations']) for s in d['virtual_servers'][0]['programmed']] == [2]"; then ok "the restarted checker programmed both real servers"; else bad "programmed: $(vigil_status l1 "d['virtual_servers'][0]['programmed']")"; fi

# kill -9 of the VRRP child on the Master.
vrrp=$(cat "$tmp/l1.vrrp.pid")
t2=$(now)
kill -9 "$vrrp"
resumed() { [ "$(restarts l1 vrrp)" = 1 ] && [ "$(child_pid l1 vrrp)" != "$vrrp" ] && [ "$(state l1)" = MASTER ]; }
if wait_for 15 resumed; then ok "VRRP child $vrrp killed: started again as $(child_pid l1 vrrp), Master"; else bad "VRRP child: $(vigil_status l1 "d['processes']") state $(state l1)"; fi
# Longer than L2's Master_Down_Interval (3.6 s) after the kill, to see whether L2 took over.
t=$(now)
wait_for 10 served_since "$t" 80
t3=$(now)
gap=$(outage "$t2" "$t3")
echo "     VIP outage after kill -9 of the Master's VRRP child: $gap ms (longest gap between ping replies; pings every 50 ms)"
if grep -q "(VI_1) its addresses are in place after a restart" "$tmp/l1.log"; then ok "the restarted VRRP child found its addresses in place and resumed"; else bad "no resume in L1's log"; fi
if [ "$(become_master l2)" = 0 ] && [ "$(state l2)" = BACKUP ]; then ok "L2 never became Master"; else bad "L2 became Master $(become_master l2) times"; fi
if [ "$gap" -lt 1000 ]; then ok "VIP outage $gap ms (< 1 s)"; else bad "VIP outage $gap ms"; fi
nfail=$(failed_between "$t2" "$t3")
if [ "$nfail" = 0 ]; then ok "no request failed around the VRRP child's death"; else bad "$nfail requests failed around the VRRP child's death"; fi

# SIGTERM of the supervisor: VRRP child, then checker child, then the supervisor.
t4=$(now)
kill -TERM "$spid"
running() { pgrep -f "^$VIGILD .*$tmp/l1.conf" >/dev/null; }  # (a zombie has no command line)
stopped() { ! running; }
if wait_for 15 stopped; then ok "L1 stopped on SIGTERM"; else bad "L1 still running"; fi
vline=$(grep -n "VRRP child process([0-9]*) exited with status 0" "$tmp/l1.log" | tail -1 | cut -d: -f1)
cline=$(grep -n "Healthcheck child process([0-9]*) exited with status 0" "$tmp/l1.log" | tail -1 | cut -d: -f1)
if [ -n "$vline" ] && [ -n "$cline" ] && [ "$vline" -lt "$cline" ]; then ok "the VRRP child ended before the checker child"; else bad "stop order: VRRP line $vline, checker line $cline"; fi
l2_master() { [ "$(state l2)" = MASTER ]; }
if wait_for 5 l2_master; then ok "L2 took over"; else bad "L2 $(state l2) after L1's stop"; fi
if ! table >/dev/null; then ok "L1's nftables table is removed"; else bad "table left on L1"; fi
if [ ! -e "$tmp/l1.pid" ] && [ ! -e "$tmp/l1.vrrp.pid" ] && [ ! -e "$tmp/l1.checker.pid" ]; then ok "pid files removed"; else bad "pid files left: $(ls "$tmp"/l1*.pid)"; fi
t=$(now)
wait_for 10 served_since "$t" 20
t5=$(now)
echo "     graceful stop of the Master: outage $(outage "$t4" "$t5") ms, $(failed_between "$t4" "$t5") failed requests"

# -R: a child's death stops the whole daemon (here L1 again, its checker child killed).
# shellcheck disable=SC2046
ip netns exec sl1 "$VIGILD" $(vigil_args l1) -R -l -G -f "$tmp/l1.conf" --control-socket "$tmp/l1.sock" >>"$tmp/l1r.log" 2>&1 &
wait_for 15 up l1
checker=$(cat "$tmp/l1.checker.pid" 2>/dev/null)
kill -9 "$checker"
if wait_for 15 stopped && grep -q "not started again (--dont-respawn)" "$tmp/l1r.log"; then
  ok "-R: the checker child's death stopped the daemon"
else
  bad "-R: $(tail -3 "$tmp/l1r.log")"
fi

# -V and -I: a stop leaves the addresses and the table (keepalived's --dont-release-vrrp and
# --dont-release-ipvs), still sending priority 0.
# shellcheck disable=SC2046
ip netns exec sl1 "$VIGILD" $(vigil_args l1) -V -I -l -G -f "$tmp/l1.conf" --control-socket "$tmp/l1.sock" >>"$tmp/l1v.log" 2>&1 &
l1_back() { [ "$(state l1)" = MASTER ] && up l1; }
wait_for 15 l1_back || bad "-V -I: L1 not Master again"
pkill -TERM -f "^$VIGILD .* -V -I .*$tmp/l1.conf"
if wait_for 15 stopped && ip -n sl1 -4 addr show dev eth0 | grep -q "inet 192.0.2.10/" && table >/dev/null && wait_for 5 l2_master; then
  ok "-V -I: after the stop the VIP and the nftables table are still on L1 (and L2, told by priority 0, is Master)"
else
  bad "-V -I: $(ip -n sl1 -4 addr show dev eth0 | grep inet | tr '\n' ' ') table: $(table | head -1)"
fi
ip -n sl1 addr del 192.0.2.10/24 dev eth0 2>/dev/null
ip -n sl1 addr del 198.51.100.254/24 dev eth0 2>/dev/null

[ "$fail" -eq 0 ] || vigil_logs
echo "supervision: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
