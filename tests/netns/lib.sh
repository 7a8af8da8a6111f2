# Shared helpers for tests that need network namespaces. Every namespace a test makes is
# removed on exit. Addresses come only from the documentation ranges.
VIGIL_NETNS_CREATED=()

netns_require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "FAIL: $0 needs root (network namespaces); run it as root as CI does" >&2
    exit 1
  fi
}

netns_cleanup() {
  for ns in "${VIGIL_NETNS_CREATED[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
}

# netns_make NAME IF... : a namespace holding up, addressless veth interfaces named IF...
netns_make() {
  local ns=$1
  shift
  ip netns add "$ns"
  VIGIL_NETNS_CREATED+=("$ns")
  ip -n "$ns" link set lo up
  local i=0
  for ifname in "$@"; do
    ip -n "$ns" link add "$ifname" type veth peer name "vgpeer$i"
    ip -n "$ns" link set "$ifname" up
    ip -n "$ns" link set "vgpeer$i" up
    i=$((i + 1))
  done
}

# Test bookkeeping shared by the network tests.
pass=0
fail=0
ok() {
  echo "ok   $*"
  pass=$((pass + 1))
}
bad() {
  echo "FAIL $*"
  fail=$((fail + 1))
}

# wait_for SECONDS COMMAND...: polls every 50 ms until COMMAND succeeds or time runs out.
# Tests wait on observable state this way; they never sleep for a fixed time.
wait_for() {
  local deadline=$(($(date +%s%N) + $1 * 1000000000))
  shift
  while ! "$@" >/dev/null 2>&1; do
    [ "$(date +%s%N)" -gt "$deadline" ] && return 1
    sleep 0.05
  done
}

# netns_lan SWITCH NS...: a switch namespace SWITCH with bridge br0, and the namespaces NS...
# each with lo and eth0 (a veth whose other end is a port of br0) up and IPv6 off. The
# namespaces are removed by netns_cleanup.
netns_lan() {
  local sw=$1 i=0 ns
  shift
  ip netns add "$sw" && VIGIL_NETNS_CREATED+=("$sw")
  ip -n "$sw" link add br0 type bridge && ip -n "$sw" link set br0 up
  for ns in "$@"; do
    ip netns add "$ns" && VIGIL_NETNS_CREATED+=("$ns")
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip link add eth0 netns "$ns" type veth peer name p$i netns "$sw"
    ip -n "$sw" link set p$i master br0 up
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
    i=$((i + 1))
  done
}

# vigil_args NAME: the options that keep a vigild apart from the others on this machine: in
# the foreground (-n), its pid files in $tmp (keepalived's default ones would say "already
# running" to the second daemon of a test).
vigil_args() { echo "-n -p $tmp/$1.pid -r $tmp/$1.vrrp.pid -c $tmp/$1.checker.pid"; }

# vigil_start NS NAME [ARG...]: vigild in NS on $tmp/NAME.conf, control socket $tmp/NAME.sock,
# log $tmp/NAME.log, with the extra ARGs (the test sets VIGILD and tmp).
vigil_start() {
  # shellcheck disable=SC2046
  ip netns exec "$1" "$VIGILD" $(vigil_args "$2") -l -G -f "$tmp/$2.conf" --control-socket "$tmp/$2.sock" "${@:3}" \
    >>"$tmp/$2.log" 2>&1 &
}

# vigil_field NAME INSTANCE EXPR: EXPR (Python, over the instance's JSON object `i`) from
# `vigilctl status --json` of the vigild started as NAME; empty if it cannot be read.
vigil_field() {
  "$VIGILCTL" -s "$tmp/$1.sock" status --json 2>/dev/null | python3 -c "
import json, sys
d = json.load(sys.stdin)
i = [x for x in d['instances'] if x['name'] == '$2'][0]
print(eval('''$3''', {'i': i}))" 2>/dev/null
}

# vigil_status NAME EXPR: EXPR (Python over the whole status document `d`) from the vigild
# started as NAME; empty if it cannot be read. vigil_true NAME EXPR: whether it is True.
vigil_status() {
  "$VIGILCTL" -s "$tmp/$1.sock" status --json 2>/dev/null | python3 -c "
import json, sys
d = json.load(sys.stdin)
print(eval('''$2''', {'d': d}))" 2>/dev/null
}
vigil_true() { [ "$(vigil_status "$1" "$2")" = True ]; }

# vigil_logs: the last lines of every log in $tmp (for a failing test).
vigil_logs() { for f in "$tmp"/*.log; do echo "--- $f"; tail -n 15 "$f"; done; }

# vigil_test_init VIGILD VIGILCTL: the common start of a vigild network test: root is
# required, VIGILD/VIGILCTL are made absolute, $tmp is a fresh directory (mode 0755, so that
# scripts in it may run as other users), and on exit every process whose command line names
# $tmp/ is killed, the namespaces are removed and $tmp is deleted.
vigil_test_init() {
  netns_require_root
  VIGILD=$(realpath "$1")
  VIGILCTL=$(realpath "$2")
  tmp=$(mktemp -d)
  chmod 755 "$tmp"
  trap vigil_test_cleanup EXIT
}
vigil_test_cleanup() {
  pkill -9 -f "$tmp/" 2>/dev/null
  local ns p
  for ns in "${VIGIL_NETNS_CREATED[@]}"; do  # servers the test started in its namespaces
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  done
  netns_cleanup
  rm -rf "$tmp"
}

# nginx_start_rs NS N: Debian's nginx in NS answering "RN" on 198.51.100.N:80 (its files in
# $tmp/nginxN; $tmp/nginxN/run.pid holds its pid). nginx_rs_listening NS: port 80 is open.
nginx_start_rs() {
  local ns=$1 n=$2 d="$tmp/nginx$2"
  mkdir -p "$d"
  cat >"$d/nginx.conf" <<CONF
daemon off;
master_process off;
user root;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $d; proxy_temp_path $d; fastcgi_temp_path $d;
  uwsgi_temp_path $d; scgi_temp_path $d;
  server {
    listen 198.51.100.$n:80;
    location / { return 200 "R$n\n"; }
  }
}
CONF
  ip netns exec "$ns" nginx -c "$d/nginx.conf" -p "$d" >>"$d/out.log" 2>&1 &
  echo $! >"$d/run.pid"
}
nginx_rs_listening() { ip netns exec "$1" ss -ltnH "sport = :80" | grep -q LISTEN; }

# lb_pair P: the two-load-balancer network of the operations tests, namespaces named P...:
# switch Psw; client Plc (192.0.2.100); load balancers Pl1 (192.0.2.1, 198.51.100.251) and
# Pl2 (.2, .252), forwarding; real servers Pr1 and Pr2 (198.51.100.1 and .2, default route
# via the VRRP address 198.51.100.254) each running nginx_start_rs. Needs nginx.
lb_pair() {
  local p=$1 ns n
  command -v nginx >/dev/null || { echo "FAIL: nginx missing (scripts/install-deps.sh)"; exit 1; }
  netns_lan "${p}sw" "${p}lc" "${p}l1" "${p}l2" "${p}r1" "${p}r2"
  for n in 1 2; do
    ns="${p}l$n"
    ip -n "$ns" addr add 192.0.2.$n/24 dev eth0
    ip -n "$ns" addr add 198.51.100.$((250 + n))/24 dev eth0
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.send_redirects=0
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.eth0.send_redirects=0
  done
  ip -n "${p}lc" addr add 192.0.2.100/24 dev eth0
  for n in 1 2; do
    ip -n "${p}r$n" addr add 198.51.100.$n/24 dev eth0
    ip -n "${p}r$n" route add default via 198.51.100.254
    nginx_start_rs "${p}r$n" $n
  done
  for n in 1 2; do wait_for 10 nginx_rs_listening "${p}r$n" || bad "nginx R$n did not start"; done
}
