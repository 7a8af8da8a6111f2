#!/usr/bin/env bash
# os::Ipvs against the kernel's IPVS, which this machine's kernel lacks: ipvs_tests runs as
# root inside a qemu guest running Debian's packaged kernel (tests/qemu/guest.sh) with the
# IPVS modules loaded, VIGIL_REQUIRE_IPVS set (so it cannot skip) and ipvsadm beside it for
# the independent read-back. Exits with the tests' status.
# Usage: ipvs_netlink.sh IPVS_TESTS_BINARY
set -u
here=$(cd "$(dirname "$0")" && pwd)
TESTS=$(realpath "$1")
IPVSADM=$(readlink -f "$(command -v ipvsadm 2>/dev/null || echo /usr/sbin/ipvsadm)")
if [ ! -x "$IPVSADM" ]; then
  echo "ipvs_netlink.sh: needs ipvsadm (scripts/install-deps.sh)" >&2
  exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# busybox's sh runs its own applets first: the binaries by their paths.
cat >"$tmp/test.sh" <<GUEST
export VIGIL_REQUIRE_IPVS=1 VIGIL_IPVSADM=$IPVSADM
$TESTS --gtest_brief=1
GUEST
"$here/guest.sh" "$tmp/test.sh" \
  --modules "ip_vs ip_vs_rr ip_vs_wrr ip_vs_wlc ip_vs_sh ip_vs_pe_sip" \
  --files "$TESTS $IPVSADM" --timeout 240
