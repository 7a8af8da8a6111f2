#!/usr/bin/env bash
# SMTP alerts on a real (namespaced) network: vigild in namespace M becomes master of VI_1
# (smtp_alert) and mails keepalived's alert to two recipients through a real SMTP server
# (Python's smtpd, Debian's python3) in namespace S; restarted with a server that accepts and
# never answers, it still elects in Master_Down_Interval and logs the abandoned session.
# Usage: vrrp_smtp.sh VIGILD VIGILCTL
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vigil_test_init "$@"

sw=vg-msw-$$ M=vg-mm-$$ S=vg-ms-$$
netns_lan "$sw" "$M" "$S"
ip -n "$M" addr add 192.0.2.1/24 dev eth0
ip -n "$S" addr add 192.0.2.50/24 dev eth0
# The SMTP server: Python's smtpd (the standard library's server side of RFC 5321), writing
# each mail's envelope and text to $tmp/mail.out.
cat >"$tmp/mailserver.py" <<'PY'
import asyncore, smtpd, sys
class Recorder(smtpd.SMTPServer):
    def process_message(self, peer, mailfrom, rcpttos, data, **kw):
        with open(sys.argv[1], "a") as out:
            out.write("X-MailFrom: %s\nX-RcptTos: %s\n%s\n.\n" % (
                mailfrom, ", ".join(rcpttos), data.decode() if isinstance(data, bytes) else data))
Recorder(("192.0.2.50", 25), None)
asyncore.loop()
PY
ip netns exec "$S" /usr/bin/python3 -W ignore "$tmp/mailserver.py" "$tmp/mail.out" 2>"$tmp/smtpd.err" &
listening() { ip netns exec "$S" ss -ltn | grep -q "192.0.2.50:25 "; }
if wait_for 10 listening; then ok "SMTP server listening on 192.0.2.50:25"; else bad "no SMTP server: $(cat "$tmp/smtpd.err")"; fi

cat >"$tmp/m.conf" <<CONF
global_defs {
    router_id LB1
    notification_email {
        ops@example.org
        oncall@example.org
    }
    notification_email_from vigil@example.org
    smtp_server 192.0.2.50 25
    smtp_helo_name lb1.example.org
    smtp_connect_timeout 5
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 1
    smtp_alert
    virtual_ipaddress {
        192.0.2.100/24
    }
}
CONF
vigil_start "$M" m
mailed() { grep -q "Subject: \[LB1\] VRRP Instance VI_1 - Entering $1 state" "$tmp/mail.out"; }
if wait_for 15 mailed BACKUP && wait_for 10 mailed MASTER; then ok "mails for BACKUP and MASTER arrived"; else bad "mails: $(grep Subject "$tmp/mail.out" | tr '\n' ' ')"; fi
if grep -q "X-RcptTos: ops@example.org, oncall@example.org" "$tmp/mail.out" || grep -q "X-RcptTos: oncall@example.org, ops@example.org" "$tmp/mail.out"; then ok "both recipients in the envelope"; else bad "recipients: $(grep X-RcptTos "$tmp/mail.out" | head -1)"; fi
if grep -q "X-MailFrom: vigil@example.org" "$tmp/mail.out" && grep -q "now owning VRRP VIPs" "$tmp/mail.out"; then ok "sender and body as configured"; else bad "sender/body: $(head -20 "$tmp/mail.out" | tr '\n' ' ')"; fi
if grep -q "SMTP alert successfully sent" "$tmp/m.log"; then ok "keepalived's success log line"; else bad "no success log line"; fi

# A server that accepts and never answers (socat holding the connection silent): the
# election does not wait for it, and the session is abandoned at smtp_connect_timeout.
ip netns exec "$S" socat TCP-LISTEN:26,bind=192.0.2.50,reuseaddr,fork SYSTEM:'sleep 30' >/dev/null 2>&1 &
silent_listening() { ip netns exec "$S" ss -ltn | grep -q "192.0.2.50:26 "; }
wait_for 5 silent_listening
pkill -TERM -f "^$VIGILD .*$tmp/m.conf"
wait_for 5 sh -c "! pgrep -f '^$VIGILD .*$tmp/m.conf' >/dev/null"
sed -i 's/smtp_server 192.0.2.50 25/smtp_server 192.0.2.50 26/' "$tmp/m.conf"
: >"$tmp/m.log"
t0=$(date +%s%N)
vigil_start "$M" m
is_master() { [ "$(vigil_field m VI_1 "i['state']")" = MASTER ]; }
if wait_for 10 is_master; then
  ms=$((($(date +%s%N) - t0) / 1000000))
  if [ $ms -lt 6000 ]; then ok "silent SMTP server: master after ${ms} ms (Master_Down 3.4 s; the loop never blocked)"; else bad "master only after ${ms} ms"; fi
else
  bad "never master with a silent SMTP server"
fi
if wait_for 15 grep -q "SMTP alert to 192.0.2.50:26 failed at greeting" "$tmp/m.log"; then ok "the silent server's session is abandoned at the timeout and logged"; else bad "no failure log: $(tail -3 "$tmp/m.log")"; fi

[ $fail -eq 0 ] || vigil_logs
echo "vrrp_smtp: $pass passed, $fail failed"
[ $fail -eq 0 ]
