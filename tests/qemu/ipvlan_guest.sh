# Runs inside the qemu guest (busybox sh) started by tests/qemu/vrrp_ipvlan.sh: use_ipvlan on
# a kernel that has ipvlan. VIGILD, VIGILCTL and IPROUTE are substituted by the caller.
# busybox's sh runs its own applets before anything on PATH: iproute2 by its path.
ip() { IPROUTE "$@"; }
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
ip link add eth0 type veth peer name peer0
ip link set eth0 up
ip link set peer0 up
ip addr add 192.0.2.1/24 dev eth0
cat >/tmp/v.conf <<CONF
vrrp_instance VI_I {
    interface eth0
    use_ipvlan ipv.54 192.0.2.54/24
    virtual_router_id 54
    version 3
    priority 100
    advert_int 0.5
    virtual_ipaddress {
        192.0.2.154/24
    }
}
CONF
VIGILD -n -l -G -f /tmp/v.conf --control-socket /tmp/v.sock >/tmp/v.log 2>&1 &
vpid=$!
master() { VIGILCTL -s /tmp/v.sock status --json 2>/dev/null | grep -q '"state": *"MASTER"'; }
if wait_for 150 master; then ok "use_ipvlan: MASTER"; else bad "never MASTER: $(tail -3 /tmp/v.log)"; fi
d=$(ip -d link show dev ipv.54 2>/dev/null)
if echo "$d" | grep -q "ipv.54@eth0" && echo "$d" | grep -q "ipvlan  *mode l2 bridge"; then ok "ipv.54@eth0 is an ipvlan, mode l2 bridge"; else bad "ipv.54: $d"; fi
m_parent=$(ip link show dev eth0 | awk '/link\/ether/ {print $2}')
m_ipv=$(ip link show dev ipv.54 | awk '/link\/ether/ {print $2}')
if [ -n "$m_ipv" ] && [ "$m_ipv" = "$m_parent" ]; then ok "the ipvlan shares eth0's MAC ($m_ipv)"; else bad "MACs: eth0 $m_parent ipv.54 $m_ipv"; fi
a=$(ip -4 addr show dev ipv.54)
if echo "$a" | grep -q " 192.0.2.54/24" && echo "$a" | grep -q " 192.0.2.154/24"; then ok "ipv.54 holds its own address 192.0.2.54/24 and the VIP"; else bad "ipv.54 addresses: $a"; fi
if ! ip -4 addr show dev eth0 | grep -q 192.0.2.154; then ok "the VIP is not on eth0"; else bad "VIP on eth0"; fi
if VIGILCTL -s /tmp/v.sock status --json | grep -q '"vmac_interface": *"ipv.54"'; then ok "status: vmac_interface ipv.54"; else bad "status vmac_interface"; fi
kill -TERM $vpid
gone() { ! ip link show dev ipv.54; }
if wait_for 50 gone; then ok "ipv.54 removed on stop"; else bad "ipv.54 left after stop"; fi
echo "vrrp_ipvlan (guest): $pass passed, $fail failed"
[ $fail -eq 0 ]
