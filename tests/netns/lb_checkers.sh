#!/usr/bin/env bash
# DNS_CHECK, SMTP_CHECK, UDP_CHECK and PING_CHECK in the checker engine against real Debian
# servers on a namespaced network (nftables dataplane): dnsmasq for DNS, Python's smtpd
# (Debian's python3) for SMTP, socat echoing UDP, and a namespace's own kernel for ICMP echo.
# Each real server comes up; each server then fails in its own way and leaves the table with
# a named failure (dns-port-unreachable, dns-rcode, connect-refused, udp-port-unreachable,
# ping-timeout); restored, each comes back. Also: smtp_alert mails for a real and a virtual
# server through the SMTP server, ha_suspend, and the raised open-file limit.
# Usage: lb_checkers.sh VIGILD VIGILCTL
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vigil_test_init "$1" "$2"
for p in dnsmasq socat python3; do
  command -v $p >/dev/null || { echo "FAIL: $p missing (scripts/install-deps.sh)"; exit 1; }
done

netns_lan vsw vlb vr1 vr2 vr3 vr4
ip -n vlb addr add 192.0.2.1/24 dev eth0
ip -n vlb addr add 198.51.100.254/24 dev eth0
for n in 1 2 3 4; do
  ip -n vr$n addr add 198.51.100.$n/24 dev eth0
  ip -n vr$n route add default via 198.51.100.254
done
ip -n vr1 addr add 198.51.100.11/24 dev eth0

dns_start() {
  ip netns exec vr1 dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-poll \
    --bind-interfaces --listen-address=198.51.100.1 --listen-address=198.51.100.11 \
    --except-interface=lo --address=/rs.vigil.test/198.51.100.1 --local=/vigil.test/ \
    --pid-file="$tmp/dnsmasq.pid" --log-facility="$tmp/dnsmasq.log" --user=root \
    2>>"$tmp/dnsmasq.err" &
  echo $! >"$tmp/dns.run"
}
cat >"$tmp/mailsink.py" <<'PY'
import asyncore, smtpd, sys
class Sink(smtpd.SMTPServer):
    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        with open(sys.argv[1], "a") as f:
            f.write(data.decode() if isinstance(data, bytes) else data)
            f.write("\n.\n")
Sink(("198.51.100.2", 25), None)
asyncore.loop()
PY
smtp_start() {
  ip netns exec vr2 python3 -W ignore "$tmp/mailsink.py" "$tmp/mail.txt" 2>>"$tmp/smtpd.err" &
  echo $! >"$tmp/smtp.run"
}
udp_start() {
  ip netns exec vr3 socat UDP4-RECVFROM:5000,bind=198.51.100.3,reuseaddr,fork EXEC:cat \
    2>>"$tmp/socat.err" &
  echo $! >"$tmp/udp.run"
}
stop() { kill "$(cat "$tmp/$1.run")" 2>/dev/null; wait "$(cat "$tmp/$1.run")" 2>/dev/null; }
dns_start
smtp_start
udp_start
udp_listening() { ip netns exec vr3 ss -lunH "sport = :5000" | grep -q 5000; }
tcp_listening() { ip netns exec vr2 ss -ltnH "sport = :25" | grep -q LISTEN; }
dns_listening() { ip netns exec vr1 ss -lunH "sport = :53" | grep -q 198.51.100.11; }
wait_for 10 dns_listening || bad "dnsmasq did not start: $(cat "$tmp/dnsmasq.err")"
wait_for 10 tcp_listening || bad "smtpd did not start: $(cat "$tmp/smtpd.err")"
wait_for 10 udp_listening || bad "socat did not start: $(cat "$tmp/socat.err")"

cat >"$tmp/lb.conf" <<CONF
global_defs {
  lb_dataplane nftables vigil_chk
  router_id LB1
  notification_email {
    ops@vigil.test
  }
  notification_email_from lb1@vigil.test
  smtp_server 198.51.100.2 25
  smtp_connect_timeout 5
  checker_log_all_failures
}
virtual_server 192.0.2.10 53 {
  delay_loop 1
  lb_algo rr
  protocol UDP
  real_server 198.51.100.1 53 {
    DNS_CHECK {
      type A
      name rs.vigil.test
      connect_timeout 1
      retry 1
      delay_before_retry 0.2
    }
  }
  real_server 198.51.100.11 53 {
    DNS_CHECK {
      type A
      name absent.vigil.test.
      connect_timeout 1
    }
  }
}
virtual_server 192.0.2.10 25 {
  delay_loop 1
  lb_algo rr
  protocol TCP
  real_server 198.51.100.2 25 {
    SMTP_CHECK {
      helo_name lb.vigil.test
      connect_timeout 1
      retry 1
      delay_before_retry 0.2
    }
  }
}
virtual_server 192.0.2.10 5000 {
  delay_loop 1
  lb_algo rr
  protocol UDP
  smtp_alert
  real_server 198.51.100.3 5000 {
    smtp_alert
    UDP_CHECK {
      payload 70696e67
      require_reply 70696e67
      connect_timeout 1
      retry 1
      delay_before_retry 0.2
    }
  }
}
virtual_server 192.0.2.10 80 {
  delay_loop 1
  lb_algo rr
  protocol TCP
  real_server 198.51.100.4 80 {
    PING_CHECK {
      connect_timeout 1
      retry 1
      delay_before_retry 0.2
    }
  }
}
# ha_suspend: 192.0.2.20 is not on the director until the test adds it.
virtual_server 192.0.2.20 22 {
  delay_loop 1
  ha_suspend
  lb_algo rr
  protocol TCP
  real_server 198.51.100.4 22 {
    TCP_CHECK {
      connect_timeout 1
    }
  }
}
CONF
# A soft limit of 1024 open files: vigild raises it to 1024 + 2 per checker (6 here).
ulimit -Sn 1024
vigil_start vlb lb

lb() { vigil_status lb "$1"; }
is_true() { vigil_true lb "$1"; }
# alive VS RS / dead VS RS; failure VS RS: the checker's last failure name.
alive() { is_true "d['virtual_servers'][$1]['real_servers'][$2]['alive']"; }
dead() { is_true "not d['virtual_servers'][$1]['real_servers'][$2]['alive']"; }
failure() { lb "d['virtual_servers'][$1]['real_servers'][$2]['checkers'][0]['last_failure']"; }
programmed() { lb "len(d['virtual_servers'][$1]['programmed'][0]['destinations']) if d['virtual_servers'][$1]['programmed'] else 0"; }
show() { lb "d['virtual_servers'][$1]['real_servers'][$2]"; }

# expect_up VS RS WHAT
expect_up() {
  if wait_for 10 alive "$1" "$2"; then ok "$3 is up"; else bad "$3 not up: $(show "$1" "$2")"; fi
}
# expect_down VS RS WHAT FAILURE
expect_down() {
  if wait_for 10 dead "$1" "$2" && [ "$(failure "$1" "$2")" = "$4" ]; then
    ok "$3 is down as $4"
  else
    bad "$3: expected down as $4: $(show "$1" "$2")"
  fi
}

expect_up 0 0 "DNS_CHECK A rs.vigil.test on dnsmasq"
pid=$(cat "$tmp/lb.checker.pid")  # the checker child raises its own limit
soft=$(awk '/^Max open files/ {print $4}' "/proc/$pid/limits" 2>/dev/null)
if [ "${soft:-0}" -ge 1036 ]; then ok "open-file limit raised to $soft for 6 checkers"; else bad "open-file limit ${soft:-unknown}"; fi
expect_down 0 1 "DNS_CHECK A absent.vigil.test. on dnsmasq" dns-rcode
# checker_log_all_failures: every failure of the always-failing checker is logged, not only
# the first (the one that takes it down).
logged_twice() { [ "$(grep -c 'DNS_CHECK on \[198.51.100.11\]:udp:53 failed: dns-rcode' "$tmp/lb.log")" -ge 3 ]; }
if wait_for 10 logged_twice; then ok "checker_log_all_failures: repeated failures are logged"; else bad "failures logged: $(grep -c 'failed: dns-rcode' "$tmp/lb.log")"; fi
expect_up 1 0 "SMTP_CHECK on Python's smtpd"
expect_up 2 0 "UDP_CHECK with require_reply on socat's echo"
expect_up 3 0 "PING_CHECK of 198.51.100.4"
if [ "$(programmed 0)" = 1 ] && [ "$(programmed 1)" = 1 ] && [ "$(programmed 2)" = 1 ] &&
  [ "$(programmed 3)" = 1 ]; then
  ok "the table holds the live real servers only"
else
  bad "programmed: $(programmed 0) $(programmed 1) $(programmed 2) $(programmed 3)"
fi

stop udp
expect_down 2 0 "UDP_CHECK with socat stopped" udp-port-unreachable
# Its smtp_alert mails, with keepalived's subjects and bodies, through the SMTP server.
for line in "Subject: [LB1] Realserver [198.51.100.3]:udp:5000 of virtual server [192.0.2.10]:udp:5000 - DOWN" \
  "=> UDP CHECK failed on service <=" "Subject: [LB1] Virtualserver [192.0.2.10]:udp:5000 - DOWN" \
  "=> Lost quorum 1-0=1 > 0 <="; do
  if wait_for 10 grep -qF "$line" "$tmp/mail.txt"; then ok "mail: $line"; else bad "no mail line '$line': $(cat "$tmp/mail.txt" 2>/dev/null)"; fi
done
stop dns
expect_down 0 0 "DNS_CHECK with dnsmasq stopped" dns-port-unreachable
stop smtp
expect_down 1 0 "SMTP_CHECK with smtpd stopped" connect-refused
ip netns exec vr4 nft -f - <<'NFT'
table inet noecho {
  chain input {
    type filter hook input priority 0; policy accept;
    icmp type echo-request drop
  }
}
NFT
expect_down 3 0 "PING_CHECK with echo requests dropped" ping-timeout
empty() { [ "$(programmed 0)$(programmed 1)$(programmed 2)$(programmed 3)" = 0000 ]; }
if wait_for 3 empty; then ok "every failed real server left the table"; else bad "programmed: $(programmed 0) $(programmed 1) $(programmed 2) $(programmed 3)"; fi

dns_start
smtp_start
# The UP mail goes through this SMTP server: it must listen before the UDP server is back.
wait_for 10 tcp_listening || bad "smtpd did not restart: $(cat "$tmp/smtpd.err")"
udp_start
ip netns exec vr4 nft delete table inet noecho
expect_up 0 0 "DNS_CHECK after dnsmasq's restart"
expect_up 1 0 "SMTP_CHECK after smtpd's restart"
expect_up 2 0 "UDP_CHECK after socat's restart"
expect_up 3 0 "PING_CHECK with echo allowed again"
if wait_for 10 grep -qF "Subject: [LB1] Realserver [198.51.100.3]:udp:5000 of virtual server [192.0.2.10]:udp:5000 - UP" "$tmp/mail.txt"; then
  ok "mail: the real server is UP again"
else
  bad "no UP mail: $(cat "$tmp/mail.txt" 2>/dev/null)"
fi

# ha_suspend: no check runs while 192.0.2.20 is not on the director; once added, checks
# run (and fail: nothing listens on port 22); removed again, they stop.
checks() { lb "d['virtual_servers'][4]['real_servers'][0]['checkers'][0]['checks']"; }
if is_true "d['virtual_servers'][4]['suspended']" && [ "$(checks)" = 0 ]; then
  ok "ha_suspend: suspended, no check ran without the address"
else
  bad "ha_suspend: $(lb "d['virtual_servers'][4]")"
fi
ip -n vlb addr add 192.0.2.20/32 dev eth0
ran() { [ "$(checks)" -gt 0 ]; }
if wait_for 5 ran && is_true "not d['virtual_servers'][4]['suspended']"; then
  ok "ha_suspend: checks resume once the address is here ($(checks) checks)"
else
  bad "ha_suspend after adding the address: $(lb "d['virtual_servers'][4]")"
fi
ip -n vlb addr del 192.0.2.20/32 dev eth0
suspended() { is_true "d['virtual_servers'][4]['suspended']"; }
if wait_for 5 suspended; then
  n1=$(checks)
  # Three more PING_CHECK runs (delay_loop 1) are time enough for one more TCP check.
  p0=$(lb "d['virtual_servers'][3]['real_servers'][0]['checkers'][0]['checks']")
  pings_since() { [ "$(lb "d['virtual_servers'][3]['real_servers'][0]['checkers'][0]['checks']")" -ge $((p0 + 3)) ]; }
  wait_for 10 pings_since
  n2=$(checks)
  if [ "$n2" -le $((n1 + 1)) ]; then ok "ha_suspend: checks stop when the address goes ($n1 then $n2)"; else bad "checks went on: $n1 then $n2"; fi
else
  bad "not suspended again: $(lb "d['virtual_servers'][4]")"
fi

# A failed apply is tried again on a timer: someone replaces Vigil's nat output chain with a
# filter chain, so the next transaction fails; once it is removed, the table catches up with
# no further change of state.
ip netns exec vlb nft flush chain inet vigil_chk output
ip netns exec vlb nft delete chain inet vigil_chk output
ip netns exec vlb nft add chain inet vigil_chk output '{ type filter hook output priority 0; }'
failures0=$(lb "d['lb']['apply_failures']")
stop udp
apply_failed() { [ "$(lb "d['lb']['apply_failures']")" -gt "$failures0" ]; }
if wait_for 10 apply_failed && [ "$(programmed 2)" = 1 ]; then
  ok "the apply fails while the chain is in the way ($(lb "d['lb']['last_apply_error']" | head -c 60)...)"
else
  bad "apply did not fail: $(lb "d['lb']")"
fi
ip netns exec vlb nft delete chain inet vigil_chk output
caught_up() { [ "$(programmed 2)" = 0 ]; }
if wait_for 10 caught_up; then ok "the retry programmed the change once the chain was gone"; else bad "no retry: $(lb "d['lb']")"; fi
udp_start

pkill -TERM -f "$tmp/lb.conf"
vigild_gone() { ! pgrep -f "$tmp/lb.conf" >/dev/null; }
if wait_for 10 vigild_gone; then ok "vigild stops on SIGTERM"; else bad "vigild still running 10 s after SIGTERM"; fi
if wait_for 5 sh -c "! ip netns exec vlb nft list table inet vigil_chk"; then ok "its table is removed"; else bad "table left after stop"; fi
stop dns
stop smtp
stop udp
[ "$fail" -eq 0 ] || vigil_logs
echo "lb_checkers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
