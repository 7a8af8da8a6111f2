#!/usr/bin/env bash
# Reload without flaps, on a namespaced network: two load balancers L1 (VI_1 priority 150) and
# L2 (100) with VI_1 (VIP 192.0.2.10, and 198.51.100.254 the real servers' gateway) and the
# virtual server 192.0.2.10:80 (nftables). 60 reloads, one a second, alternate between
# configuration A and configuration B, which adds a VIP to VI_1 (192.0.2.11), an instance
# VI_2 (VRRPv3, 192.0.2.20) and a second real server; L1 is reloaded with SIGHUP, L2 with
# `vigilctl reload`. A client pings 192.0.2.10 every 20 ms and sends HTTP requests all along.
#   - every reload takes effect (VIPs, instances, real servers added and removed);
#   - VI_1 never changes state on either side (counters, notify FIFO), no ping is lost, no
#     request fails;
#   - reloads asked for together are queued and all succeed;
#   - a reload with a broken file keeps everything running and names the file and line
#     (vigilctl's reply, the log).
# Usage: reload.sh VIGILD VIGILCTL
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vigil_test_init "$1" "$2"

lb_pair r

# conf NAME PRIORITY A|B
conf() {
  cat <<CONF
global_defs {
    lb_dataplane nftables vigil_reload
    notify_fifo $tmp/$1.fifo
}
vrrp_script chk_down {
    script "/bin/false"
    interval 1
    weight -10
    fall 1
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 71
    priority $2
    advert_int 1
$([ "$1" = l2 ] && printf '    track_script {\n        chk_down\n    }\n')
    virtual_ipaddress {
        192.0.2.10/24
        198.51.100.254/24
$([ "$3" = B ] && echo "        192.0.2.11/24")
    }
}
CONF
  if [ "$3" = B ]; then
    cat <<CONF
vrrp_instance VI_2 {
    interface eth0
    version 3
    virtual_router_id 72
    priority $2
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.20/24
    }
}
CONF
  fi
  cat <<CONF
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
CONF
  if [ "$3" = B ]; then
    cat <<CONF
    real_server 198.51.100.2 80 {
        TCP_CHECK {
            connect_timeout 1
        }
    }
CONF
  fi
  echo "}"
}
conf l1 150 A >"$tmp/l1.conf"
conf l2 100 A >"$tmp/l2.conf"
for n in l1 l2; do
  mkfifo "$tmp/$n.fifo"
  cat "$tmp/$n.fifo" >"$tmp/$n.fifo.txt" &
done

vigil_start rl1 l1
vigil_start rl2 l2
field() { vigil_status "$1" "[i['$3'] for i in d['instances'] if i['name'] == '$2'][0]"; }
stat_of() { vigil_status "$1" "[i['stats']['$3'] for i in d['instances'] if i['name'] == '$2'][0]"; }
rs_count() { vigil_status "$1" "len(d['virtual_servers'][0]['programmed'][0]['destinations'])"; }
elected() { [ "$(field l1 VI_1 state)" = MASTER ] && [ "$(field l2 VI_1 state)" = BACKUP ] && [ "$(rs_count l1)" = 1 ]; }
if wait_for 15 elected; then ok "L1 Master of VI_1, L2 Backup, one real server programmed"; else bad "start: L1 $(field l1 VI_1 state), L2 $(field l2 VI_1 state)"; fi
l2_down_90() { [ "$(field l2 VI_1 effective_priority)" = 90 ]; }
wait_for 10 l2_down_90 || bad "L2's failing track_script did not take its weight: $(field l2 VI_1 effective_priority)"
runs_before=$(vigil_status l2 "[t['runs'] for t in d['instances'][0]['tracking'] if t['name'] == 'chk_down'][0]")
spid=$(cat "$tmp/l1.pid")

ip netns exec rlc ping -D -i 0.02 -W 1 192.0.2.10 >"$tmp/ping.log" 2>&1 &
ip netns exec rlc bash -c 'while :; do
  if curl -s -o /dev/null -m 1 http://192.0.2.10/; then r=ok; else r=fail; fi
  echo "$(date +%s.%N) $r"; sleep 0.05; done' >"$tmp/requests.log" 2>/dev/null &
served() { [ "$(grep -c ' ok$' "$tmp/requests.log")" -ge "$1" ]; }
wait_for 10 served 10 || bad "the client is not served: $(tail -2 "$tmp/requests.log")"
fifo_before_l1=$(grep -c 'VI_1' "$tmp/l1.fifo.txt")
fifo_before_l2=$(grep -c 'VI_1' "$tmp/l2.fifo.txt")

on_l1() { ip -n rl1 -4 addr show dev eth0 | grep -q "inet $1/"; }
nowhere() { ! ip -n rl1 -4 addr show dev eth0 | grep -q "inet $1/" && ! ip -n rl2 -4 addr show dev eth0 | grep -q "inet $1/"; }
in_effect() {  # the configuration $1 is what both run
  if [ "$1" = B ]; then
    on_l1 192.0.2.11 && on_l1 192.0.2.20 && [ "$(field l1 VI_2 state)" = MASTER ] &&
      [ "$(field l2 VI_2 state)" = BACKUP ] && [ "$(rs_count l1)" = 2 ] && [ "$(rs_count l2)" = 2 ]
  else
    nowhere 192.0.2.11 && nowhere 192.0.2.20 && [ -z "$(field l1 VI_2 state)" ] &&
      [ -z "$(field l2 VI_2 state)" ] && [ "$(rs_count l1)" = 1 ] && [ "$(rs_count l2)" = 1 ]
  fi
}

# 60 reloads, one a second.
t0=$(date +%s.%N)
applied=0 missed="" prio_moved=""
for i in $(seq 1 60); do
  start=$(date +%s%N)
  which=$([ $((i % 2)) = 1 ] && echo B || echo A)
  conf l1 150 $which >"$tmp/l1.conf"
  conf l2 100 $which >"$tmp/l2.conf"
  kill -HUP "$spid"
  "$VIGILCTL" -s "$tmp/l2.sock" reload >/dev/null 2>>"$tmp/vigilctl.err" || missed="$missed l2:$i"
  # L2's failing script keeps its weight across the reload (the verdict is carried).
  [ "$(field l2 VI_1 effective_priority)" = 90 ] || prio_moved="$prio_moved $i:$(field l2 VI_1 effective_priority)"
  if wait_for 5 in_effect $which; then applied=$((applied + 1)); else missed="$missed $i($which)"; fi
  # The scenario's pace: the next reload a second after this one began.
  rest=$(((start + 1000000000 - $(date +%s%N)) / 1000000))
  [ "$rest" -gt 0 ] && sleep "$(printf '0.%03d' "$rest")"
done
t1=$(date +%s.%N)
if [ "$applied" = 60 ] && [ -z "$missed" ]; then ok "60 reloads (SIGHUP on L1, vigilctl on L2), each in effect on both"; else bad "$applied/60 reloads took effect; missed:$missed $(cat "$tmp/vigilctl.err")"; fi
echo "     $(grep -c 'VRRP child: reload finished' "$tmp/l1.log") VRRP and $(grep -c 'Healthcheck child: reload finished' "$tmp/l1.log") checker reloads in L1's log; median VRRP child reload $(grep -o 'VRRP child: reload finished in [0-9]* usec' "$tmp/l1.log" | awk '{print $6}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') usec"

runs_after=$(vigil_status l2 "[t['runs'] for t in d['instances'][0]['tracking'] if t['name'] == 'chk_down'][0]")
if [ -z "$prio_moved" ] && [ "$runs_after" -gt $((runs_before + 40)) ]; then
  ok "L2's failing track_script kept VI_1 at 90 right after each reload; its run counter carried over ($runs_before -> $runs_after)"
else
  bad "track_script across reloads: priority after reloads$prio_moved; runs $runs_before -> $runs_after"
fi
for n in l1 l2; do
  want_master=$([ $n = l1 ] && echo 1 || echo 0)
  if [ "$(stat_of $n VI_1 become_master)" = "$want_master" ] && [ "$(stat_of $n VI_1 release_master)" = 0 ]; then
    ok "$n: VI_1 became Master $want_master time(s) and was never released: no transition in 60 reloads"
  else
    bad "$n: VI_1 become_master $(stat_of $n VI_1 become_master), release_master $(stat_of $n VI_1 release_master)"
  fi
done
if [ "$(grep -c 'VI_1' "$tmp/l1.fifo.txt")" = "$fifo_before_l1" ] && [ "$(grep -c 'VI_1' "$tmp/l2.fifo.txt")" = "$fifo_before_l2" ]; then
  ok "no VI_1 line on either notify FIFO during the reloads (their readers never saw EOF)"
else
  bad "FIFO lines for VI_1: L1 $(grep VI_1 "$tmp/l1.fifo.txt" | tr '\n' ';') L2 $(grep VI_1 "$tmp/l2.fifo.txt" | tr '\n' ';')"
fi
if grep -q 'INSTANCE "VI_2" MASTER' "$tmp/l1.fifo.txt"; then ok "the added VI_2 did its own transitions (FIFO: MASTER on L1)"; else bad "no VI_2 line on L1's FIFO"; fi
# Lost pings: sequence numbers missing between the first and the last reply of the window.
lost=$(sed -n 's/^\[\([0-9.]*\)\] .*icmp_seq=\([0-9]*\) .*/\1 \2/p' "$tmp/ping.log" | awk -v a="$t0" -v b="$t1" '
  $1 >= a && $1 <= b { if (first == "") first = $2; last = $2; n++ } END { print (last - first + 1) - n " of " last - first + 1 }')
if [ "${lost%% *}" = 0 ]; then ok "no ping to 192.0.2.10 lost during the reloads ($lost)"; else bad "pings lost during the reloads: $lost"; fi
nfail=$(awk -v a="$t0" -v b="$t1" '$1 >= a && $1 <= b && $2 == "fail"' "$tmp/requests.log" | wc -l)
nok=$(awk -v a="$t0" -v b="$t1" '$1 >= a && $1 <= b && $2 == "ok"' "$tmp/requests.log" | wc -l)
if [ "$nfail" = 0 ] && [ "$nok" -gt 300 ]; then ok "no HTTP request failed during the reloads ($nok served)"; else bad "$nfail requests failed, $nok served"; fi

# Reloads asked for together are queued: all succeed, one after the other (the file is A
# again, as after the loop's last reload).
for k in 1 2 3; do "$VIGILCTL" -s "$tmp/l2.sock" reload >"$tmp/q$k.out" 2>&1 & done
three() { [ "$(cat "$tmp"/q[123].out | grep -c '^reloaded$')" = 3 ]; }
if wait_for 20 three && in_effect A; then ok "three reloads asked for at once all succeeded"; else bad "queued reloads: $(cat "$tmp"/q[123].out)"; fi

# A broken file: everything goes on; the error names the file and the line.
conf l1 150 A | sed 's/^    virtual_router_id 71$/    virtual_router_id 300/' >"$tmp/l1.conf"
line=$(grep -n 'virtual_router_id 300' "$tmp/l1.conf" | cut -d: -f1)
out=$("$VIGILCTL" -s "$tmp/l1.sock" reload 2>&1)
rc=$?
if [ $rc = 1 ] && grep -q "$tmp/l1.conf:$line:" <<<"$out"; then ok "vigilctl reload of a broken file: exit 1, '$(grep -o "l1.conf:$line:[^\n]*" <<<"$out" | head -1)'"; else bad "vigilctl reload of a broken file: exit $rc: $out"; fi
kill -HUP "$spid"
refused() { [ "$(grep -c 'Reload refused' "$tmp/l1.log")" -ge 2 ]; }
if wait_for 5 refused && grep -q "l1.conf:$line:" "$tmp/l1.log"; then ok "SIGHUP with the broken file: refused, the log names l1.conf:$line"; else bad "SIGHUP broken: $(grep -i reload "$tmp/l1.log" | tail -3)"; fi
if in_effect A && [ "$(field l1 VI_1 state)" = MASTER ] && [ "$(vigil_status l1 "all(p['running'] for p in d['processes'])")" = True ]; then
  ok "after the refused reloads L1 runs configuration A as before"
else
  bad "after the refused reloads: L1 VI_1 $(field l1 VI_1 state), $(vigil_status l1 "d['processes']")"
fi

[ "$fail" -eq 0 ] || vigil_logs
echo "reload: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
