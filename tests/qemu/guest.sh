#!/usr/bin/env bash
# A throwaway guest for tests that need kernel features this machine's kernel lacks (ipvlan;
# IPVS later): Debian's packaged kernel under qemu (software emulation: KVM is not usable
# here), booted from a busybox initramfs that holds the binaries the test names, their shared
# libraries and the kernel modules asked for. The guest has no network card; a test builds its
# networks inside it (veth, namespaces). /init runs the test script, prints its output on the
# serial console and powers the guest off; this script prints that output and exits with the
# script's status.
#
# Usage: guest.sh SCRIPT [--modules "m1 m2"] [--files "path ..."] [--timeout SECS]
#   SCRIPT   runs as /test.sh in the guest (sh: busybox ash)
#   modules  loaded (with their dependencies) before SCRIPT starts
#   files    host files copied to the same path in the guest; executables bring their libraries
set -u
script=$1
shift
modules="" files="" timeout=300
while [ $# -gt 0 ]; do
  case $1 in
    --modules) modules=$2; shift 2 ;;
    --files) files=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    *) echo "guest.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
kernel=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -1)
if [ -z "$kernel" ] || ! command -v qemu-system-x86_64 >/dev/null || [ ! -x /bin/busybox ]; then
  echo "guest.sh: needs linux-image-amd64, qemu-system-x86 and busybox-static (scripts/install-deps.sh)" >&2
  exit 2
fi
kver=${kernel#/boot/vmlinuz-}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,run,etc,lib/modules/$kver}
cp /bin/busybox "$root/bin/busybox"
for t in $(/bin/busybox --list); do [ -e "$root/bin/$t" ] || ln -s busybox "$root/bin/$t"; done
# Host files, with the shared libraries of the executables among them.
copy() {
  local f=$1
  [ -e "$root$f" ] && return
  mkdir -p "$root$(dirname "$f")"
  cp -L "$f" "$root$f"
}
for f in $files; do
  copy "$f"
  if [ -x "$f" ]; then
    for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do copy "$lib"; done
  fi
done
# Kernel modules and what they depend on, as modprobe resolves them.
mods=""
for m in $modules; do
  for path in $(modprobe -S "$kver" --show-depends "$m" 2>/dev/null | awk '$1 == "insmod" {print $2}'); do
    copy "$path"
    mods="$mods $path"
  done
done
cp "$script" "$root/test.sh"
cat >"$root/init" <<INIT
#!/bin/sh
# busybox's sh prefers its applets: a test calls the copied host programs by their paths.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
for m in $mods; do insmod \$m 2>/dev/null; done
ip link set lo up
echo "=== guest test start"
sh /test.sh
echo "=== guest test end rc=\$?"
poweroff -f
INIT
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$root.cpio.gz"
trap 'rm -rf "$root" "$root.cpio.gz"' EXIT
out=$(timeout "$timeout" qemu-system-x86_64 -machine accel=tcg -m 1024 -smp 1 -nographic \
  -no-reboot -nic none -kernel "$kernel" -initrd "$root.cpio.gz" \
  -append "console=ttyS0 quiet panic=-1 rdinit=/init" 2>&1)
echo "$out" | sed -n '/=== guest test start/,/=== guest test end/p' | sed '1d;$d'
rc=$(echo "$out" | sed -n 's/.*=== guest test end rc=\([0-9]*\).*/\1/p' | tail -1)
if [ -z "$rc" ]; then
  echo "guest.sh: the guest did not finish (last lines below)" >&2
  echo "$out" | tail -15 >&2
  exit 3
fi
exit "$rc"
