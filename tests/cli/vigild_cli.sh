#!/usr/bin/env bash
# End-to-end checks of vigild's command line on real files: -v, --signum, -t exit codes
# (including a missing file), -d output that parses back, -i conditionals, -g log file.
set -u
VIGILD_BIN=$1
GOLDEN=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../netns/lib.sh"
netns_require_root
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
ns=vigil-cli-$$
netns_make "$ns" eth0 eth1 eth2
# vigild runs in a namespace that has the interfaces the configurations name.
VIGILD="ip netns exec $ns $VIGILD_BIN"
pass=0 fail=0
check() {  # check DESCRIPTION EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then pass=$((pass + 1)); else echo "FAIL $1: expected [$2] got [$3]"; fail=$((fail + 1)); fi
}

first=$($VIGILD -v 2>&1 >/dev/null | head -1)
check "-v first line on stderr" "v2.2.7" "$(echo "$first" | awk '{print $2}')"
check "-v claims --enable-json (exporters use the JSON dump then)" "1" "$($VIGILD -v 2>&1 | grep -c -- '--enable-json')"
check "--signum=RELOAD" "1" "$($VIGILD --signum=RELOAD)"
check "--signum=JSON" "$(keepalived --signum=JSON 2>/dev/null || echo 36)" "$($VIGILD --signum=JSON)"
$VIGILD --signum=NOPE >/dev/null 2>&1; check "--signum unknown exits 1" 1 $?

$VIGILD -t -f "$tmp/none.conf" 2>/dev/null; check "-t on a missing file exits 4" 4 $?
cat >"$tmp/ok.conf" <<'CONF'
@node1 $P=200
@^node1 $P=100
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 1
    priority $P
    virtual_ipaddress {
        192.0.2.1/24
    }
}
CONF
$VIGILD -t -f "$tmp/ok.conf" -i node1 2>/dev/null; check "-t on a good file exits 0" 0 $?
check "-i selects @node1 lines" "priority 200" "$($VIGILD -t -d -i node1 -f "$tmp/ok.conf" 2>/dev/null | grep -o 'priority [0-9]*')"
check "-i else @^node1 lines" "priority 100" "$($VIGILD -t -d -i other -f "$tmp/ok.conf" 2>/dev/null | grep -o 'priority [0-9]*')"

# -d output is itself a configuration that gives the same dump.
for conf in "$GOLDEN"/valid/*.conf; do
  (cd "$(dirname "$conf")" && $VIGILD -t -d -i main -f "$conf" 2>/dev/null) >"$tmp/d1.conf"
  $VIGILD -t -d -i main -f "$tmp/d1.conf" 2>/dev/null >"$tmp/d2.conf"
  check "-d of $(basename "$conf") reparses to the same dump" "" "$(diff "$tmp/d1.conf" "$tmp/d2.conf")"
done

# Secrets are masked in -d.
cat >"$tmp/secret.conf" <<'CONF'
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 1
    authentication {
        auth_type PASS
        auth_pass hunter22
    }
    virtual_ipaddress {
        192.0.2.1/24
    }
}
CONF
out=$($VIGILD -t -d -f "$tmp/secret.conf" 2>/dev/null)
check "-d masks auth_pass" "0" "$(grep -c hunter22 <<<"$out")"

# A VRRP instance on a loopback interface is refused, as keepalived does.
sed 's/interface eth0/interface lo/' "$tmp/ok.conf" >"$tmp/lo.conf"
$VIGILD -t -f "$tmp/lo.conf" -i node1 2>/dev/null; check "-t refuses VRRP on loopback" 5 $?

# Logging to a file with -g. A configuration with only a virtual server on the default
# dataplane (IPVS, which this machine's kernel lacks: the IPVS dataplane is tested in a qemu
# guest by tests/qemu/lb_ipvs.sh) is checked and then its checker start fails, so vigild logs
# and exits at once.
cat >"$tmp/vs_only.conf" <<'CONF'
virtual_server 192.0.2.50 80 {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 198.51.100.50 80 {
        weight 1
    }
}
CONF
$VIGILD -G -g"$tmp/v.log" -f "$tmp/vs_only.conf" -n -p "$tmp/v.pid" -r "$tmp/v.vrrp.pid" -c "$tmp/v.checker.pid" >/dev/null 2>&1
check "-g writes the log file" "yes" "$([ -s "$tmp/v.log" ] && echo yes || echo no)"

check "-g log lines carry keepalived's ident" "1" "$(grep -c -m1 'Keepalived\[[0-9]*\]' "$tmp/v.log")"

# -l logs to the console with the ident; -D adds detail (the notes).
out=$($VIGILD -l -G -n -p "$tmp/v.pid" -r "$tmp/v.vrrp.pid" -c "$tmp/v.checker.pid" -f "$tmp/vs_only.conf" 2>&1 >/dev/null)
check "-l logs to the console" "1" "$(grep -c -m1 '^Keepalived\[[0-9]*\]: .*lb_dataplane ipvs: cannot use IPVS: the kernel has no IPVS' <<<"$out")"
printf 'global_defs {\n    enable_snmp_vrrp\n}\n' >"$tmp/note.conf"
check "-t hides notes" "0" "$($VIGILD -t -f "$tmp/note.conf" 2>&1 | grep -c note:)"
check "-t -D shows notes" "1" "$($VIGILD -t -D -f "$tmp/note.conf" 2>&1 | grep -c note:)"
$VIGILD -S local9 -t -f "$tmp/ok.conf" >/dev/null 2>&1; check "-S rejects an unknown facility" 1 $?
$VIGILD -S local3 -t -i node1 -f "$tmp/ok.conf" >/dev/null 2>&1; check "-S local3 accepted" 0 $?
printf 'include /nonexistent/vigil-*.conf\n' >"$tmp/missing-include.conf"
$VIGILD -t -f "$tmp/missing-include.conf" >/dev/null 2>&1; check "plain include of nothing is accepted" 0 $?
$VIGILD -t -e -f "$tmp/missing-include.conf" >/dev/null 2>&1; check "-e makes it an error" 5 $?

echo "vigild_cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
