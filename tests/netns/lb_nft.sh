#!/usr/bin/env bash
# The checker engine and the nftables dataplane on a namespaced network: three nginx real
# servers (weights 1, 2, 3) behind the VIP 192.0.2.10:80, checked by HTTP_GET; a client in
# its own namespace. Checks: the spread of 3000 requests is within 10% of the weights; a
# stopped nginx leaves the table within delay_loop + connect_timeout and the client sees no
# failed request afterwards; restarted, it comes back; losing quorum switches the service to
# the sorry server; notify_down and the lvs_notify_fifo lines; SSL_GET with a digest against
# nginx over TLS (a self-signed certificate made here); the table is gone after stop.
# Usage: lb_nft.sh VIGILD VIGILCTL
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vigil_test_init "$1" "$2"
command -v nginx >/dev/null || { echo "FAIL: nginx missing (scripts/install-deps.sh)"; exit 1; }

netns_lan vsw vlc vlb vr1 vr2 vr3 vr9
ip -n vlb addr add 192.0.2.1/24 dev eth0
ip -n vlb addr add 192.0.2.10/24 dev eth0
ip -n vlb addr add 198.51.100.254/24 dev eth0
ip netns exec vlb sysctl -qw net.ipv4.ip_forward=1
ip netns exec vlb sysctl -qw net.ipv4.conf.all.send_redirects=0
ip netns exec vlb sysctl -qw net.ipv4.conf.eth0.send_redirects=0
ip -n vlc addr add 192.0.2.100/24 dev eth0
for n in 1 2 3 9; do
  ip -n vr$n addr add 198.51.100.$n/24 dev eth0
  ip -n vr$n route add default via 198.51.100.254
done

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=rs.example.test \
  -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1
# nginx_start N: nginx in namespace vrN answering "RN" on 198.51.100.N:80 and :443 (TLS).
nginx_start() {
  local n=$1 d="$tmp/nginx$1"
  mkdir -p "$d"
  cat >"$d/nginx.conf" <<CONF
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
    listen 198.51.100.$n:80 reuseport;
    listen 198.51.100.$n:443 ssl;
    ssl_certificate $tmp/cert.pem;
    ssl_certificate_key $tmp/key.pem;
    location / { return 200 "R$n\n"; }
  }
}
CONF
  ip netns exec vr$n nginx -c "$d/nginx.conf" -p "$d" >>"$d/out.log" 2>&1 &
  echo $! >"$d/run.pid"
}
nginx_stop() { kill "$(cat "$tmp/nginx$1/run.pid")" 2>/dev/null; wait "$(cat "$tmp/nginx$1/run.pid")" 2>/dev/null; }
listening() { ip netns exec vr$1 ss -ltnH "sport = :80" | grep -q LISTEN; }
for n in 1 2 3 9; do nginx_start $n; done
for n in 1 2 3 9; do wait_for 10 listening $n || bad "nginx R$n did not start"; done

mkfifo "$tmp/lvs.fifo"
cat "$tmp/lvs.fifo" >"$tmp/fifo.txt" &
cat >"$tmp/down.sh" <<'SH'
#!/bin/sh
echo "$0 $*" >>"$(dirname "$0")/down.log"
SH
chmod +x "$tmp/down.sh"
digest=$(printf 'R1\n' | md5sum | cut -d' ' -f1)
cat >"$tmp/lb.conf" <<CONF
global_defs {
  lb_dataplane nftables vigil_test
  lvs_notify_fifo $tmp/lvs.fifo
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
    notify_down $tmp/down.sh
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
virtual_server 192.0.2.10 443 {
  delay_loop 1
  lb_algo rr
  real_server 198.51.100.1 443 {
    SSL_GET {
      url {
        path /
        digest $digest
      }
      connect_timeout 2
    }
  }
  real_server 198.51.100.2 443 {
    SSL_GET {
      url {
        path /
        digest 00000000000000000000000000000000
      }
      connect_timeout 2
    }
  }
}
CONF
vigil_start vlb lb

# lb EXPR: EXPR (Python over the status document `d`).
lb() { vigil_status lb "$1"; }
is_true() { vigil_true lb "$1"; }
rs_alive() { is_true "d['virtual_servers'][0]['real_servers'][$1]['alive']"; }
rs_dead() { is_true "not d['virtual_servers'][0]['real_servers'][$1]['alive']"; }

# requests N: N HTTP requests from the client, each on a new connection; prints
# "R1 R2 R3 R9 FAILED" counts.
requests() {
  ip netns exec vlc python3 - "$1" <<'PY'
import http.client, sys
counts = {"R1": 0, "R2": 0, "R3": 0, "R9": 0, "FAILED": 0}
for _ in range(int(sys.argv[1])):
    try:
        c = http.client.HTTPConnection("192.0.2.10", 80, timeout=2)
        c.request("GET", "/")
        body = c.getresponse().read().decode().strip()
        counts[body if body in counts else "FAILED"] += 1
        c.close()
    except Exception:
        counts["FAILED"] += 1
print(counts["R1"], counts["R2"], counts["R3"], counts["R9"], counts["FAILED"])
PY
}

programmed() { is_true "len(d['virtual_servers'][0]['programmed'][0]['destinations']) == $1"; }
if wait_for 10 programmed 3; then ok "the table holds the three real servers"; else bad "table not programmed: $(lb "d['virtual_servers']")"; fi
ip netns exec vlb nft list table inet vigil_test >"$tmp/nft1.txt" 2>&1
if grep -q "numgen inc mod 6" "$tmp/nft1.txt"; then ok "nftables: weighted numgen map over total weight 6"; else bad "nft table: $(cat "$tmp/nft1.txt")"; fi

read -r c1 c2 c3 c9 cf <<<"$(requests 3000)"
echo "     spread of 3000 requests: R1=$c1 R2=$c2 R3=$c3 sorry=$c9 failed=$cf"
within() { python3 -c "import sys; a,e=float($1),float($2); sys.exit(0 if abs(a-e) <= 0.1*e else 1)"; }
if [ "$cf" = 0 ] && within "$c1" 500 && within "$c2" 1000 && within "$c3" 1500; then
  ok "3000 requests spread within 10% of weights 1:2:3"
else
  bad "spread R1=$c1 R2=$c2 R3=$c3 sorry=$c9 failed=$cf"
fi

# An nginx stops: out of the table within delay_loop + connect_timeout (2 s), counted from
# when its process has exited (nginx_stop waits for that; a graceful stop takes a while).
nginx_stop 1
t0=$(date +%s%N)
if wait_for 5 rs_dead 0 && wait_for 2 programmed 2; then
  ms=$((($(date +%s%N) - t0) / 1000000))
  if [ "$ms" -le 2000 ]; then ok "stopped R1 removed in $ms ms (<= delay_loop + connect_timeout)"; else bad "R1 removed after $ms ms"; fi
else
  bad "R1 not removed: $(lb "d['virtual_servers'][0]['real_servers'][0]")"
fi
if [ "$(lb "d['virtual_servers'][0]['real_servers'][0]['checkers'][0]['last_failure']")" = connect-refused ]; then
  ok "R1's failure is named connect-refused"
else
  bad "R1 last_failure: $(lb "d['virtual_servers'][0]['real_servers'][0]['checkers'][0]")"
fi
read -r c1 c2 c3 c9 cf <<<"$(requests 300)"
if [ "$cf" = 0 ] && [ "$c1" = 0 ] && [ "$c2" -gt 0 ] && [ "$c3" -gt 0 ]; then
  ok "no failed request after the removal (R2=$c2 R3=$c3)"
else
  bad "after removal R1=$c1 R2=$c2 R3=$c3 sorry=$c9 failed=$cf"
fi
if wait_for 5 test -s "$tmp/down.log"; then ok "notify_down ran"; else bad "notify_down did not run"; fi

# It starts again and comes back.
nginx_start 1
if wait_for 10 rs_alive 0 && wait_for 2 programmed 3; then ok "restarted R1 is back in the table"; else bad "R1 not back: $(lb "d['virtual_servers'][0]['real_servers'][0]")"; fi
read -r c1 c2 c3 c9 cf <<<"$(requests 60)"
if [ "$cf" = 0 ] && [ "$c1" -gt 0 ]; then ok "R1 serves again (R1=$c1 of 60)"; else bad "after return R1=$c1 failed=$cf"; fi

# Quorum 3: R2 and R3 stop, live weight 1 < 3: the sorry server takes the service.
nginx_stop 2
nginx_stop 3
quorum_lost() { is_true "not d['virtual_servers'][0]['quorum']"; }
if wait_for 10 quorum_lost; then ok "quorum lost with live weight 1"; else bad "quorum kept: $(lb "d['virtual_servers'][0]")"; fi
sorry_only() { is_true "[x['address'] for x in d['virtual_servers'][0]['programmed'][0]['destinations']] == ['198.51.100.9']"; }
if wait_for 3 sorry_only; then ok "the sorry server is the only destination"; else bad "table: $(lb "d['virtual_servers'][0]['programmed']")"; fi
read -r c1 c2 c3 c9 cf <<<"$(requests 30)"
if [ "$c9" = 30 ]; then ok "all 30 requests answered by the sorry server"; else bad "sorry: R1=$c1 R2=$c2 R3=$c3 sorry=$c9 failed=$cf"; fi
nginx_start 2
nginx_start 3
quorum_back() { is_true "d['virtual_servers'][0]['quorum'] and len(d['virtual_servers'][0]['programmed'][0]['destinations']) == 3"; }
if wait_for 10 quorum_back; then ok "quorum regained, the real servers are back"; else bad "quorum not regained: $(lb "d['virtual_servers'][0]")"; fi

# SSL_GET with a digest: R1's body matches, R2's digest is wrong.
ssl_state() { is_true "[r['alive'] for r in d['virtual_servers'][1]['real_servers']] == [True, False]"; }
if wait_for 10 ssl_state; then ok "SSL_GET: the right digest passes, a wrong one fails"; else bad "SSL_GET: $(lb "d['virtual_servers'][1]['real_servers']")"; fi
digest_named() { is_true "d['virtual_servers'][1]['real_servers'][1]['checkers'][0]['failures_by_reason'].get('http-digest', 0) > 0"; }
if wait_for 5 digest_named; then ok "the wrong digest is named http-digest"; else bad "SSL_GET R2: $(lb "d['virtual_servers'][1]['real_servers'][1]['checkers'][0]")"; fi

# The FIFO: keepalived's lines.
for line in "RS [198.51.100.1]:tcp:80 [192.0.2.10]:tcp:80 DOWN" "RS [198.51.100.1]:tcp:80 [192.0.2.10]:tcp:80 UP" \
  "VS [192.0.2.10]:tcp:80 DOWN" "VS [192.0.2.10]:tcp:80 UP"; do
  if wait_for 3 grep -qF "$line" "$tmp/fifo.txt"; then ok "FIFO line: $line"; else bad "FIFO lacks '$line': $(cat "$tmp/fifo.txt")"; fi
done

pkill -TERM -f "$tmp/lb.conf"
gone() { ! ip netns exec vlb nft list table inet vigil_test; }
if wait_for 5 gone; then ok "the nftables table is removed on stop"; else bad "table left after stop"; fi

[ "$fail" -eq 0 ] || vigil_logs
echo "lb_nft: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
