#!/usr/bin/env bash
# Vigil demo. Today it shows the part of Vigil that exists: reading a two-router
# keepalived.conf the way keepalived does, for each router, and checking it beside Debian's
# keepalived. The live failover demo (two routers in network namespaces, kill the master,
# watch the VIP move) arrives with the VRRP engine.
set -euo pipefail
VIGILD_BIN=$(realpath "${1:-build/src/vigild}")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/netns/lib.sh"
netns_require_root
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
# A private network namespace with the router's interface, so nothing on this host changes.
ns=vigil-demo-$$
netns_make "$ns" eth0
VIGILD="ip netns exec $ns $VIGILD_BIN"
KEEPALIVED="ip netns exec $ns keepalived"

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

cat >"$tmp/keepalived.conf" <<'CONF'
! One file for both routers: lines starting @lb1 / @lb2 apply to that router only.
global_defs {
    @lb1 router_id lb1
    @lb2 router_id lb2
}
$VIP=192.0.2.100/24
vrrp_instance VI_WEB {
    @lb1 state MASTER
    @lb2 state BACKUP
    interface eth0
    virtual_router_id 51
    @lb1 priority 150
    @lb2 priority 100
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass demo1234
    }
    virtual_ipaddress {
        $VIP
    }
}
CONF

say "1. The configuration both routers share (keepalived syntax, with per-router lines):"
cat "$tmp/keepalived.conf"

for id in lb1 lb2; do
  say "2. What router '$id' reads from it (vigild -t -d -i $id; the password is masked):"
  $VIGILD -t -d -i "$id" -f "$tmp/keepalived.conf" || true
done

say "3. A broken copy: priority 300 and a missing brace. vigild says where and why:"
sed -e 's/@lb1 priority 150/priority 300/' -e '$d' "$tmp/keepalived.conf" >"$tmp/broken.conf"
set +e
$VIGILD -t -i lb1 -f "$tmp/broken.conf"
rc=$?
set -e
echo "(vigild -t exit code: $rc, keepalived's code for 'errors found')"

if command -v keepalived >/dev/null; then
  say "4. Debian's keepalived judges the same two files the same way:"
  set +e
  $KEEPALIVED -t -l -n -i lb1 -f "$tmp/keepalived.conf" >/dev/null 2>&1
  echo "   good file:   keepalived exit $?, vigild exit $($VIGILD -t -i lb1 -f "$tmp/keepalived.conf" 2>/dev/null; echo $?)"
  $KEEPALIVED -t -l -n -i lb1 -f "$tmp/broken.conf" >/dev/null 2>&1
  echo "   broken file: keepalived exit $?, vigild exit $rc"
  set -e
fi

say "Next: the VRRP engine, which will turn this demo into a live two-router failover."
