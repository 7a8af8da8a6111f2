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
