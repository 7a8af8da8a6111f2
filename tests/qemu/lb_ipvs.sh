#!/usr/bin/env bash
# The checker engine on the IPVS dataplane (the default), which this machine's kernel lacks:
# inside one qemu guest running Debian's kernel (tests/qemu/guest.sh), namespaces on a bridge
# hold a client, a director running vigild (NAT, VIP 192.0.2.10:80 and :11, a fwmark DR
# service, a UDP TUN/GUE one) and three nginx real servers (weights 1, 2, 3) plus a sorry
# server, all routed through the director. ipvsadm, copied from the host, is the independent
# check of every table. Checks: the table is exactly what the configuration says (scheduler,
# flags, persistence and mask, forwarding, weights, thresholds, tunnel); requests from one
# curl process spread within 10% of the weights; a stopped server leaves the table (deleted,
# or weight 0 with inhibit_on_failure) within delay_loop + connect_timeout of its exit and no
# request fails afterwards; it comes back; quorum loss switches to the sorry server; the sync
# daemons run; vigild killed with -9 and started again over the live table fixes what differs
# without re-adding services (their counters survive) and leaves a foreign service alone; a
# stop removes Vigil's services only; lvs_flush and lvs_flush_on_stop flush everything; a sync
# daemon tied to a VRRP instance follows its state.
# Usage: lb_ipvs.sh VIGILD VIGILCTL
set -u
here=$(cd "$(dirname "$0")" && pwd)
VIGILD=$(realpath "$1")
VIGILCTL=$(realpath "$2")
path_of() { readlink -f "$(command -v "$1" 2>/dev/null || echo "/usr/sbin/$1")"; }
IPROUTE=$(path_of ip)
IPVSADM=$(path_of ipvsadm)
NGINX=$(path_of nginx)
CURL=$(path_of curl)
JQ=$(path_of jq)
for b in "$IPROUTE" "$IPVSADM" "$NGINX" "$CURL" "$JQ"; do
  [ -x "$b" ] || { echo "lb_ipvs.sh: needs iproute2, ipvsadm, nginx, curl and jq (scripts/install-deps.sh)" >&2; exit 2; }
done
REQUESTS=${LB_IPVS_REQUESTS:-3000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
  echo "VIGILD=$VIGILD VIGILCTL=$VIGILCTL IPROUTE=$IPROUTE IPVSADM=$IPVSADM"
  echo "NGINX=$NGINX CURL=$CURL JQ=$JQ REQUESTS=$REQUESTS"
  cat <<'GUEST'
# --- in the guest (busybox sh): the host programs by their paths.
ip() { "$IPROUTE" "$@"; }
pass=0 fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
wait_for() {  # wait_for TENTHS CMD...: poll CMD every 0.1 s for up to TENTHS tenths
  n=$1; shift
  while ! "$@" >/dev/null 2>&1; do
    n=$((n - 1)); [ $n -le 0 ] && return 1
    sleep 0.1
  done
}
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
t_start=$(now_ms)
echo "     guest up after $t_start ms"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >/etc/passwd
printf 'root:x:0:\nnogroup:x:65534:\n' >/etc/group

# One LAN: a bridge in namespace sw, eth0 of every other namespace a port of it.
ip netns add sw
ip -n sw link add br0 type bridge
ip -n sw link set br0 up
i=0
for ns in lc lb r1 r2 r3 r9; do
  ip netns add $ns
  ip link add eth0 netns $ns type veth peer name p$i netns sw
  ip -n sw link set p$i master br0 up
  ip -n $ns link set lo up
  ip -n $ns link set eth0 up
  ip netns exec $ns sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6'
  i=$((i + 1))
done
ip -n lb addr add 192.0.2.1/24 dev eth0
ip -n lb addr add 192.0.2.10/24 dev eth0
ip -n lb addr add 192.0.2.11/24 dev eth0
ip -n lb addr add 198.51.100.254/24 dev eth0
ip netns exec lb sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward
  echo 0 >/proc/sys/net/ipv4/conf/all/send_redirects
  echo 0 >/proc/sys/net/ipv4/conf/eth0/send_redirects'
ip -n lc addr add 192.0.2.100/24 dev eth0
for n in 1 2 3 9; do
  ip -n r$n addr add 198.51.100.$n/24 dev eth0
  ip -n r$n route add default via 198.51.100.254  # NAT: the answers go back through the director
done

# nginx_start N: nginx in namespace rN answering "RN" on 198.51.100.N:80.
nginx_start() {
  d=/tmp/ng$1
  mkdir -p $d
  cat >$d/nginx.conf <<CONF
daemon off;
master_process off;
user root;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $d; proxy_temp_path $d; fastcgi_temp_path $d;
  uwsgi_temp_path $d; scgi_temp_path $d;
  server {
    listen 198.51.100.$1:80;
    location / { return 200 "R$1"; }
  }
}
CONF
  # Not through the ip() function: in the background that would be a subshell, and $! its pid.
  "$IPROUTE" netns exec r$1 "$NGINX" -e $d/error.log -c $d/nginx.conf -p $d >>$d/out.log 2>&1 &
  echo $! >$d/run.pid
}
nginx_stop() { kill "$(cat /tmp/ng$1/run.pid)"; wait "$(cat /tmp/ng$1/run.pid)" 2>/dev/null; }
serving() { ip netns exec r9 "$CURL" -s -m 2 "http://198.51.100.$1/" | grep -qx "R$1"; }
for n in 1 2 3 9; do nginx_start $n; done
for n in 1 2 3 9; do wait_for 100 serving $n || bad "nginx R$n does not serve: $(cat /tmp/ng$n/*.log)"; done

# One keyword a line: keepalived's parser (and Vigil's) ignores what follows a keyword's
# arguments on the same line, so `TCP_CHECK { connect_timeout 1 retry 1 }` would lose retry.
cat >/tmp/lb.conf <<'CONF'
global_defs {
  lvs_sync_daemon eth0 id 5
  lvs_timeouts tcp 901 udp 301
}
virtual_server 192.0.2.10 80 {
  delay_loop 1
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  quorum 3
  sorry_server 198.51.100.9 80
  real_server 198.51.100.1 80 {
    weight 1
    HTTP_GET {
      url {
        path /
        status_code 200
      }
      connect_timeout 1
      retry 1
      delay_before_retry 0.2
    }
  }
  real_server 198.51.100.2 80 {
    weight 2
    HTTP_GET {
      url {
        path /
      }
      connect_timeout 1
      retry 1
      delay_before_retry 0.2
    }
  }
  real_server 198.51.100.3 80 {
    weight 3
    TCP_CHECK {
      connect_timeout 1
      retry 1
      delay_before_retry 0.2
    }
  }
}
virtual_server 192.0.2.11 80 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  inhibit_on_failure
  persistence_timeout 60
  persistence_granularity 255.255.255.0
  real_server 198.51.100.1 80 {
    TCP_CHECK {
      connect_timeout 1
      retry 1
      delay_before_retry 0.2
    }
  }
  real_server 198.51.100.2 80 {
    TCP_CHECK {
      connect_timeout 1
      retry 1
      delay_before_retry 0.2
    }
  }
  real_server 198.51.100.3 80 {
    TCP_CHECK {
      connect_timeout 1
      retry 1
      delay_before_retry 0.2
    }
  }
}
virtual_server fwmark 7 {
  lb_algo sh
  sh-port
  sh-fallback
  lb_kind DR
  real_server 198.51.100.1 {
    weight 2
    uthreshold 100
    lthreshold 10
  }
  real_server 198.51.100.2 {
    weight 1
  }
}
virtual_server 192.0.2.12 53 {
  protocol UDP
  ops
  lb_algo rr
  lb_kind TUN type gue port 6080
  real_server 198.51.100.3 53 {
    weight 4
  }
}
CONF
vigil_start() {
  "$IPROUTE" netns exec lb "$VIGILD" -n -p /tmp/lb.pid -r /tmp/lb.vrrp.pid -c /tmp/lb.checker.pid -l -G -f "$1" --control-socket /tmp/lb.sock >>/tmp/lb.log 2>&1 &
  vpid=$!
}
vigil_start /tmp/lb.conf

ipvs() { ip netns exec lb "$IPVSADM" "$@"; }
# table: ipvsadm -Ln as sorted lines "SERVICE" and "SERVICE -> DEST FORWARD WEIGHT".
table() {
  ipvs -Ln | awk '
    /^(TCP|UDP|SCTP|FWM) / { svc = $1; for (i = 2; i <= NF; i++) svc = svc " " $i; print svc; next }
    /->/ && $2 != "RemoteAddress:Port" { print svc " -> " $2 " " $3 " " $4 }' | sort
}
# want "VIP SERVER WEIGHT"...: the table the configuration says, with these destinations
# (198.51.100.SERVER:80) of the services 192.0.2.VIP:80, 10 or 11 (the fwmark and UDP services
# never change).
want() {
  {
    echo "TCP 192.0.2.10:80 wrr"
    echo "TCP 192.0.2.11:80 rr persistent 60 mask 255.255.255.0"
    echo "FWM 7 sh (sh-fallback,sh-port)"
    echo "FWM 7 sh (sh-fallback,sh-port) -> 198.51.100.1:0 Route 2"
    echo "FWM 7 sh (sh-fallback,sh-port) -> 198.51.100.2:0 Route 1"
    echo "UDP 192.0.2.12:53 rr ops"
    echo "UDP 192.0.2.12:53 rr ops -> 198.51.100.3:53 Tunnel 4"
    for l in "$@"; do
      set -- $l
      case $1 in
        10) echo "TCP 192.0.2.10:80 wrr -> 198.51.100.$2:80 Masq $3" ;;
        11) echo "TCP 192.0.2.11:80 rr persistent 60 mask 255.255.255.0 -> 198.51.100.$2:80 Masq $3" ;;
      esac
    done
  } | sort
}
full() { want "10 1 1" "10 2 2" "10 3 3" "11 1 1" "11 2 1" "11 3 1"; }
is_table() { [ "$(table)" = "$("$@" | sort)" ]; }
show_diff() { echo "     want:"; "$@" | sort | sed 's/^/       /'; echo "     ipvsadm:"; table | sed 's/^/       /'; }
status() { "$VIGILCTL" -s /tmp/lb.sock status --json 2>/dev/null | "$JQ" -e "$1"; }

if wait_for 150 is_table full; then ok "ipvsadm: the table is exactly the configuration's (wrr/rr, persistent 60 mask /24, sh with sh-port+sh-fallback, ops, Masq/Route/Tunnel, weights 1 2 3)"; else bad "initial table"; show_diff full; fi
if status '.dataplane == "ipvs"' >/dev/null; then ok "vigilctl status: dataplane ipvs"; else bad "status: $("$VIGILCTL" -s /tmp/lb.sock status --json 2>&1 | head -c 300)"; fi
th=$(ipvs -Ln --thresholds -f 7 | awk '$2 == "198.51.100.1:0" {print $3, $4}')
if [ "$th" = "100 10" ]; then ok "ipvsadm --thresholds: uthreshold 100 lthreshold 10"; else bad "thresholds: $(ipvs -Ln --thresholds -f 7)"; fi
tun=$(ipvs -Ln --tun-info -u 192.0.2.12:53 | grep '198.51.100.3:53')
if echo "$tun" | grep -qi "gue" && echo "$tun" | grep -q 6080; then ok "ipvsadm --tun-info: GUE port 6080"; else bad "tunnel: $(ipvs -Ln --tun-info -u 192.0.2.12:53)"; fi
daemons() { d=$(ipvs -L --daemon); echo "$d" | grep -q "master sync daemon (mcast=eth0, syncid=5" && echo "$d" | grep -q "backup sync daemon (mcast=eth0, syncid=5"; }
if wait_for 30 daemons; then ok "lvs_sync_daemon: master and backup sync daemons on eth0, syncid 5"; else bad "sync daemons: $(ipvs -L --daemon)"; fi
timeouts() { ipvs -L --timeout | grep -Eq "\(tcp tcpfin udp\): 901 [0-9]+ 301"; }
if wait_for 30 timeouts; then ok "lvs_timeouts: $(ipvs -L --timeout)"; else bad "timeouts: $(ipvs -L --timeout)"; fi

# requests N: N requests from one curl process, each on a new connection; "R1 R2 R3 R9 FAILED".
requests() {
  ip netns exec lc "$CURL" -s -H 'Connection: close' --connect-timeout 2 -m 3 \
    -w ' %{http_code}\n' "http://192.0.2.10/[1-$1]" 2>/dev/null | awk '
      $NF == 200 { c[$1]++; next } { f++ }
      END { printf "%d %d %d %d %d\n", c["R1"], c["R2"], c["R3"], c["R9"], f }'
}
within() { awk -v a="$1" -v e="$2" 'BEGIN { d = a - e; if (d < 0) d = -d; exit !(d <= 0.1 * e) }'; }
t0=$(now_ms)
read -r c1 c2 c3 c9 cf <<EOF
$(requests "$REQUESTS")
EOF
ms=$(($(now_ms) - t0))
echo "     spread of $REQUESTS requests in $ms ms: R1=$c1 R2=$c2 R3=$c3 sorry=$c9 failed=$cf"
if [ "$cf" = 0 ] && within "$c1" $((REQUESTS / 6)) && within "$c2" $((REQUESTS / 3)) && within "$c3" $((REQUESTS / 2)); then
  ok "$REQUESTS requests spread within 10% of weights 1:2:3"
else
  bad "spread R1=$c1 R2=$c2 R3=$c3 sorry=$c9 failed=$cf"
fi

# R1 stops: gone from .10, weight 0 in .11 (inhibit_on_failure), within delay_loop +
# connect_timeout (2 s) of its exit (nginx_stop waits for it).
r1_down() { want "10 2 2" "10 3 3" "11 1 0" "11 2 1" "11 3 1"; }
r1_gone_10() { ! table | grep -q "192.0.2.10:80 wrr -> 198.51.100.1:80"; }
r1_zero_11() { table | grep -q "192.0.2.11:80 .* -> 198.51.100.1:80 Masq 0"; }
nginx_stop 1
t0=$(now_ms)
wait_for 50 r1_gone_10
ms10=$(($(now_ms) - t0))
wait_for 50 r1_zero_11
ms11=$(($(now_ms) - t0))
echo "     R1 exited; deleted from .10 after $ms10 ms, weight 0 in .11 after $ms11 ms"
if wait_for 50 is_table r1_down; then
  ms=$(($(now_ms) - t0))
  if [ "$ms" -le 2000 ]; then ok "stopped R1 deleted from .10 and at weight 0 in .11 (inhibit_on_failure) in $ms ms (<= delay_loop + connect_timeout)"; else bad "R1 removed after $ms ms"; fi
else
  bad "R1 not removed"; show_diff r1_down
fi
if status '.virtual_servers[0].real_servers[0].alive == false' >/dev/null; then ok "vigilctl status: R1 not alive"; else bad "status R1 alive"; fi
read -r c1 c2 c3 c9 cf <<EOF
$(requests 300)
EOF
if [ "$cf" = 0 ] && [ "$c1" = 0 ] && [ "$c2" -gt 0 ] && [ "$c3" -gt 0 ]; then ok "no failed request of 300 after the removal (R2=$c2 R3=$c3)"; else bad "after removal R1=$c1 R2=$c2 R3=$c3 sorry=$c9 failed=$cf"; fi

nginx_start 1
if wait_for 100 is_table full; then ok "restarted R1 is back (.10 weight 1, .11 weight 1)"; else bad "R1 not back"; show_diff full; fi

# Quorum 3: R2 and R3 stop, live weight 1 < 3: the sorry server takes .10.
sorry() { want "10 9 1" "11 1 1" "11 2 0" "11 3 0"; }
nginx_stop 2
nginx_stop 3
if wait_for 100 is_table sorry; then ok "quorum lost: the sorry server is .10's only destination"; else bad "no sorry server"; show_diff sorry; fi
if status '.virtual_servers[0].quorum == false' >/dev/null; then ok "vigilctl status: quorum false"; else bad "status quorum"; fi
read -r c1 c2 c3 c9 cf <<EOF
$(requests 30)
EOF
if [ "$c9" = 30 ]; then ok "all 30 requests answered by the sorry server"; else bad "sorry: R1=$c1 R2=$c2 R3=$c3 sorry=$c9 failed=$cf"; fi
nginx_start 2
nginx_start 3
if wait_for 100 is_table full; then ok "quorum regained: the real servers are back"; else bad "quorum not regained"; show_diff full; fi

# kill -9 leaves the table; meanwhile someone edits a weight and adds a service of their own.
# The restarted vigild fixes the weight only: the services are not re-added (their counters
# go on) and the foreign one stays.
conns() { ipvs -Ln --stats -t 192.0.2.10:80 | awk '$1 == "TCP" {print $3}'; }
before=$(conns)
# The whole daemon dies: the supervisor is held first (so it starts nothing), then its
# checker child and it are killed (alone, the child would hear of its parent's death and stop
# in order, emptying the table).
kill -STOP $vpid
kill -9 "$(cat /tmp/lb.checker.pid)"
kill -9 $vpid
wait $vpid 2>/dev/null
ipvs -e -t 192.0.2.10:80 -r 198.51.100.2:80 -m -w 9
ipvs -A -t 192.0.2.99:80 -s rr
tampered() { want "10 1 1" "10 2 9" "10 3 3" "11 1 1" "11 2 1" "11 3 1"; echo "TCP 192.0.2.99:80 rr"; }
if is_table tampered; then ok "after kill -9 the table stays in the kernel (and takes the edit and the foreign service)"; else bad "table after kill -9"; show_diff tampered; fi
: >/tmp/lb.log
vigil_start /tmp/lb.conf
t0=$(now_ms)
reconciled() { grep -q "IPVS: 4 of Vigil's services found in the kernel; 1 changes to apply" /tmp/lb.log; }
if wait_for 100 reconciled; then ok "restart over the live table: 4 services found, 1 change (the edited weight)"; else bad "reconcile: $(grep IPVS /tmp/lb.log)"; fi
full_foreign() { full; echo "TCP 192.0.2.99:80 rr"; }
if wait_for 100 is_table full_foreign; then ok "the table is right again ($(($(now_ms) - t0)) ms), the foreign service untouched"; else bad "after restart"; show_diff full_foreign; fi
after=$(conns)
if [ -n "$before" ] && [ "$after" -ge "$before" ] && [ "$before" -gt 0 ]; then ok "the service was not re-added (connection counter $before -> $after)"; else bad "counter $before -> $after"; fi
if ! grep -qi "error\|cannot" /tmp/lb.log; then ok "no error in the restarted vigild's log"; else bad "log: $(grep -i 'error\|cannot' /tmp/lb.log)"; fi
if wait_for 30 daemons; then ok "the sync daemons run again after the restart"; else bad "sync daemons after restart: $(ipvs -L --daemon)"; fi

# Reload (SIGHUP): R3's weight in 192.0.2.10 goes 3 -> 5 and R2 leaves 192.0.2.11; only those
# two changes reach the kernel (the services are not re-added: their counters go on) and the
# foreign service stays.
awk '/^  real_server 198.51.100.2 80 [{]$/ { n++; if (n == 2) skip = 1 }
     skip && /^  [}]$/ { skip = 0; next }
     !skip' /tmp/lb.conf | sed 's/^    weight 3$/    weight 5/' >/tmp/lb2.conf
cp /tmp/lb.conf /tmp/lb1.conf
cp /tmp/lb2.conf /tmp/lb.conf
before=$(conns)
kill -HUP $vpid
reloaded() { want "10 1 1" "10 2 2" "10 3 5" "11 1 1" "11 3 1"; echo "TCP 192.0.2.99:80 rr"; }
if wait_for 100 is_table reloaded && grep -q "Reload complete" /tmp/lb.log; then ok "reload: R3's new weight and R2's removal in the kernel, nothing else"; else bad "after reload: $(grep -i reload /tmp/lb.log)"; show_diff reloaded; fi
after=$(conns)
if [ "$after" -ge "$before" ] && [ "$before" -gt 0 ]; then ok "reload: the service was not re-added (connection counter $before -> $after)"; else bad "reload counter $before -> $after"; fi
cp /tmp/lb1.conf /tmp/lb.conf

# A stop removes Vigil's services and sync daemons, not the foreign service.
kill -TERM $vpid
only_foreign() { echo "TCP 192.0.2.99:80 rr"; }
if wait_for 50 is_table only_foreign; then ok "stop: Vigil's services removed, the foreign one left"; else bad "after stop"; show_diff only_foreign; fi
no_daemons() { [ -z "$(ipvs -L --daemon)" ]; }
if wait_for 30 no_daemons; then ok "stop: the sync daemons are stopped"; else bad "sync daemons after stop: $(ipvs -L --daemon)"; fi
wait $vpid 2>/dev/null

# lvs_flush flushes the foreign service at start; lvs_flush_on_stop everything at stop.
sed 's/^global_defs {$/global_defs {\n  lvs_flush\n  lvs_flush_on_stop/' /tmp/lb.conf >/tmp/flush.conf
vigil_start /tmp/flush.conf
if wait_for 100 is_table full; then ok "lvs_flush: the foreign service is flushed at start"; else bad "lvs_flush"; show_diff full; fi
ipvs -A -t 192.0.2.98:80 -s rr
kill -TERM $vpid
empty() { [ -z "$(table)" ]; }
if wait_for 50 empty; then ok "lvs_flush_on_stop: the whole table is flushed at stop"; else bad "lvs_flush_on_stop: $(table)"; fi
wait $vpid 2>/dev/null

# lvs_sync_daemon tied to a VRRP instance: the backup daemon while VI_1 is BACKUP, the master
# daemon once it is MASTER, the backup one again in FAULT (a track_file), none after stop.
echo 0 >/tmp/fault
cat >/tmp/sync.conf <<'CONF'
global_defs {
  lvs_sync_daemon eth0 inst VI_1 id 7
}
vrrp_track_file fault {
  file /tmp/fault
  weight 0
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 100
  advert_int 1
  virtual_ipaddress {
    192.0.2.77/24
  }
  track_file {
    fault
  }
}
CONF
vigil_start /tmp/sync.conf
one_daemon() { d=$(ipvs -L --daemon); [ "$(echo "$d" | grep -c .)" = 1 ] && echo "$d" | grep -q "$1 sync daemon (mcast=eth0, syncid=7"; }
if wait_for 100 one_daemon master && status '.lvs_sync_daemon == "master"' >/dev/null &&
  status '.instances[0].state == "MASTER"' >/dev/null; then
  ok "lvs_sync_daemon inst VI_1: the master sync daemon alone while VI_1 is MASTER"
else
  bad "sync daemon with VI_1: $(ipvs -L --daemon); $("$VIGILCTL" -s /tmp/lb.sock status --json 2>&1 | head -c 300)"
fi
echo 1 >/tmp/fault
if wait_for 100 one_daemon backup && status '.instances[0].state == "FAULT"' >/dev/null; then
  ok "lvs_sync_daemon inst VI_1: the backup sync daemon alone once VI_1 is in FAULT"
else
  bad "sync daemon after FAULT: $(ipvs -L --daemon)"
fi
kill -TERM $vpid
if wait_for 50 no_daemons; then ok "lvs_sync_daemon inst VI_1: no sync daemon after stop"; else bad "sync daemon after stop: $(ipvs -L --daemon)"; fi
wait $vpid 2>/dev/null

for n in 1 2 3 9; do nginx_stop $n; done
[ $fail -eq 0 ] || { echo "--- vigild log"; tail -40 /tmp/lb.log; }
echo "lb_ipvs (guest): $pass passed, $fail failed in $(($(now_ms) - t_start)) ms"
[ $fail -eq 0 ]
GUEST
} >"$tmp/test.sh"
"$here/guest.sh" "$tmp/test.sh" \
  --modules "ip_vs ip_vs_rr ip_vs_wrr ip_vs_sh veth bridge" \
  --files "$VIGILD $VIGILCTL $IPROUTE $IPVSADM $NGINX $CURL $JQ" --timeout 240
