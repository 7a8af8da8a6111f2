#!/usr/bin/env bash
# Installs every Debian 12 package that Vigil's build, tests, benchmarks and demo use.
# Idempotent: packages already present are skipped by apt-get; the update runs only when needed.
set -euo pipefail

PACKAGES=(
  # toolchain and build
  build-essential cmake ninja-build ccache pkg-config git
  clang-14 libclang-rt-14-dev lld-14 clang-format
  # libraries (see docs/ARCHITECTURE.md for why each is here)
  libboost1.81-dev libmnl-dev libnftables-dev libssl-dev libre2-dev
  nlohmann-json3-dev libfmt-dev libspdlog-dev libcli11-dev libsystemd-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev googletest libbenchmark-dev time python3
  # the control socket's JSON schema check (tests/netns/operations.sh), systemd-analyze
  python3-jsonschema systemd
  # interop peers and network test tools
  keepalived frr tshark nftables iproute2 iputils-ping iputils-arping socat nginx-light tcpdump
  # check targets and an independent view of IPVS (issue 5)
  dnsmasq-base ipvsadm curl
  # a qemu guest with Debian's kernel, for kernel features this host lacks (tests/qemu; jq
  # reads vigilctl's JSON there, where python3 is not copied)
  qemu-system-x86 busybox-static linux-image-amd64 kmod cpio jq
)

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# wireshark-common asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

# The interop peers must not run as system services: tests start them inside namespaces.
for svc in keepalived frr nginx; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled "$svc" >/dev/null 2>&1; then
    $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
  fi
done
echo "install-deps: done"
