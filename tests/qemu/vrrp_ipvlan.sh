#!/usr/bin/env bash
# use_ipvlan, which this machine's kernel lacks, checked inside a qemu guest running Debian's
# packaged kernel (tests/qemu/guest.sh): the ipvlan is made (mode l2 bridge, the parent's MAC,
# its own address), holds the VIP as Master and is removed on stop.
# Usage: vrrp_ipvlan.sh VIGILD VIGILCTL
set -u
here=$(cd "$(dirname "$0")" && pwd)
VIGILD=$(realpath "$1")
VIGILCTL=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
IPROUTE=$(readlink -f "$(command -v ip)")
sed -e "s#VIGILD#$VIGILD#g" -e "s#VIGILCTL#$VIGILCTL#g" -e "s#IPROUTE#$IPROUTE#g" \
  "$here/ipvlan_guest.sh" >"$tmp/test.sh"
"$here/guest.sh" "$tmp/test.sh" --modules "ipvlan veth" \
  --files "$VIGILD $VIGILCTL $IPROUTE" --timeout 300
