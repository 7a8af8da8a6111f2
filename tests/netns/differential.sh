#!/usr/bin/env bash
# Differential test: Debian's keepalived 2.2.7 and vigild must agree on accept/reject
# (`-t` exit code zero or not) for every golden configuration. Configurations that use
# keywords newer than 2.2.7 are listed below by name, and the test checks that keepalived
# rejects them for exactly that reason while vigild accepts them.
set -u
VIGILD=$1
GOLDEN=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
netns_require_root
command -v keepalived >/dev/null || { echo "FAIL: keepalived is not installed (scripts/install-deps.sh)"; exit 1; }
trap netns_cleanup EXIT
ns=vigil-diff-$$
netns_make "$ns" eth0 eth1 eth2

# file -> keywords keepalived 2.2.7 does not know (it reports "Unknown keyword" for each).
declare -A NEWER=(
  [44_newer_keywords.conf]="v3_checksum_as_v2 state_dump_file stats_dump_file json_dump_file json_version owner_ignore_adverts timer_expired_backup no_virtual_ipaddress auth_hmac sni_name tls_compliant"
)

# file -> a device the configuration needs that this kernel cannot create; both programs must
# reject the file, and only for that device.
declare -A NEEDS_DEVICE=(
  [50_vrf.conf]="vrf-blue"
)

# The first lines each program printed, under a FAIL line.
show_outputs() {
  echo "$ka_out" | head -5 | sed 's/^/     keepalived: /'
  echo "$vg_out" | head -5 | sed 's/^/     vigild:     /'
}

pass=0 fail=0
for kind in valid invalid; do
  for conf in "$GOLDEN/$kind"/*.conf; do
    name=$(basename "$conf")
    ka_out=$(cd "$(dirname "$conf")" && ip netns exec "$ns" keepalived -t -l -n -i main -f "$conf" 2>&1)
    ka=$?
    vg_out=$(cd "$(dirname "$conf")" && ip netns exec "$ns" "$VIGILD" -t -i main -f "$conf" 2>&1)
    vg=$?
    ka_ok=$([ $ka -eq 0 ] && echo accept || echo reject)
    vg_ok=$([ $vg -eq 0 ] && echo accept || echo reject)
    if [ -n "${NEWER[$name]:-}" ]; then
      missing=""
      for kw in ${NEWER[$name]}; do
        grep -q "Unknown keyword '$kw'" <<<"$ka_out" || missing="$missing $kw"
      done
      if [ "$ka_ok" = reject ] && [ "$vg_ok" = accept ] && [ -z "$missing" ]; then
        echo "ok   $kind/$name: keepalived 2.2.7 lacks newer keywords: ${NEWER[$name]}"
        pass=$((pass + 1))
      else
        echo "FAIL $kind/$name: expected keepalived to reject only for newer keywords (not seen:$missing); keepalived=$ka vigild=$vg"
        fail=$((fail + 1))
      fi
      continue
    fi
    if [ -n "${NEEDS_DEVICE[$name]:-}" ]; then
      dev=${NEEDS_DEVICE[$name]}
      if [ "$ka_ok" = reject ] && [ "$vg_ok" = reject ] &&
         [ "$(grep -v "$dev" <<<"$vg_out" | grep -c .)" -eq 0 ] &&
         grep -q "interface $dev" <<<"$ka_out"; then
        echo "ok   $kind/$name: both reject only because device $dev cannot exist on this kernel"
        pass=$((pass + 1))
      else
        echo "FAIL $kind/$name: expected both to reject only for the missing device $dev"
        show_outputs
        fail=$((fail + 1))
      fi
      continue
    fi
    expected=$([ $kind = valid ] && echo accept || echo reject)
    if [ "$ka_ok" = "$vg_ok" ] && [ "$vg_ok" = "$expected" ]; then
      echo "ok   $kind/$name: both $vg_ok (keepalived=$ka vigild=$vg)"
      pass=$((pass + 1))
    else
      echo "FAIL $kind/$name: keepalived=$ka ($ka_ok) vigild=$vg ($vg_ok), expected $expected"
      show_outputs
      fail=$((fail + 1))
    fi
  done
done
# vigild -d must print keepalived syntax: keepalived accepts the dump of every valid config.
dump=$(mktemp)
trap 'netns_cleanup; rm -f "$dump"' EXIT
for conf in "$GOLDEN"/valid/*.conf; do
  name=$(basename "$conf")
  [ -n "${NEWER[$name]:-}" ] && continue
  [ -n "${NEEDS_DEVICE[$name]:-}" ] && continue
  (cd "$(dirname "$conf")" && "$VIGILD" -t -d -i main -f "$conf" 2>/dev/null) >"$dump"
  out=$(ip netns exec "$ns" keepalived -t -l -n -f "$dump" 2>&1)
  if [ $? -eq 0 ]; then
    echo "ok   dump of valid/$name: keepalived accepts it"
    pass=$((pass + 1))
  else
    echo "FAIL dump of valid/$name: keepalived rejects vigild's dump"
    echo "$out" | head -5 | sed 's/^/     keepalived: /'
    fail=$((fail + 1))
  fi
done
echo "differential: $pass passed, $fail failed"
[ $fail -eq 0 ]
