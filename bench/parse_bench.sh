#!/usr/bin/env bash
# Parse benchmark: vigild -t and Debian's keepalived -t on the same generated configuration
# (10,000 vrrp_instance and 1,000 virtual_server blocks), run side by side in one network
# namespace holding the interfaces the file names. Prints the median wall time and peak
# RSS of each and the Vigil/keepalived ratios. Needs root (namespace) and GNU time.
set -euo pipefail
VIGILD=$1
INSTANCES=${INSTANCES:-10000}
VSERVERS=${VSERVERS:-1000}
RUNS=${RUNS:-5}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/netns/lib.sh"
netns_require_root
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
tmp=$(mktemp -d)
ifs=$(( (INSTANCES + 249) / 250 ))
names=()
for ((i = 0; i < ifs; i++)); do names+=("eth$i"); done
ns=vigil-bench-$$
netns_make "$ns" "${names[@]}"
python3 "$here/gen_config.py" "$INSTANCES" "$VSERVERS" "$ifs" >"$tmp/big.conf"
echo "config: $INSTANCES vrrp_instance, $VSERVERS virtual_server, $(wc -l <"$tmp/big.conf") lines, $(du -k "$tmp/big.conf" | cut -f1) KiB"

# measure NAME CMD...: runs CMD $RUNS times; prints "median_seconds max_rss_kib exit_code".
measure() {
  local times=() rss=() rc=0
  for ((r = 0; r < RUNS; r++)); do
    set +e
    /usr/bin/time -f "%e %M" -o "$tmp/t" ip netns exec "$ns" "$@" >/dev/null 2>"$tmp/err"
    rc=$?
    set -e
    read -r t m <"$tmp/t" || true
    times+=("$t")
    rss+=("$m")
  done
  local med max
  med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  max=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
  echo "$med $max $rc"
}

read -r vt vm vrc < <(measure "$VIGILD" -t -f "$tmp/big.conf")
read -r kt km krc < <(measure keepalived -t -l -n -f "$tmp/big.conf")
printf '%-12s %10s %12s %6s\n' "" "median s" "peak RSS KiB" "exit"
printf '%-12s %10s %12s %6s\n' vigild "$vt" "$vm" "$vrc"
printf '%-12s %10s %12s %6s\n' keepalived "$kt" "$km" "$krc"
awk -v vt="$vt" -v kt="$kt" -v vm="$vm" -v km="$km" 'BEGIN {
  printf "ratio vigil/keepalived: time %.3f, memory %.3f\n", (kt > 0 ? vt / kt : 0), vm / km }'
