#!/bin/bash
# Install everything okvm needs to build and test on Debian bookworm:
# the module toolchain, the Debian kernel + headers that the modules are
# built for and that the nested-VM bench boots, QEMU, Bochs, busybox-static, ...
#
# Idempotent and quick when nothing is missing (only dpkg is consulted).
# Must run as root when something has to be installed.

set -euo pipefail

PKGS=(
	# building the modules and the selftests
	build-essential make gcc binutils bc bison flex libelf-dev dwarves
	linux-headers-amd64 sparse git
	# the kernel the bench boots, and module tooling
	linux-image-amd64 kmod
	# the nested-VM bench (tools/testing/vm/run)
	qemu-system-x86 busybox-static cpio xz-utils zstd gzip iproute2 util-linux
	coreutils
	# the Bochs bench for VMX (tools/testing/bochs/run); bochs-term is
	# the display library it runs with, syslinux boots --bzimage
	bochs bochs-term bochsbios vgabios syslinux syslinux-common mtools
	dosfstools
	# tools/testing/dkms-build
	dkms
	# tools/testing/observability: perf kvm stat and trace-cmd; kvm_stat
	# (kvm-stat-check) and the upstream selftests come from linux-source
	linux-perf trace-cmd linux-source-6.1
	# tools/testing/other-kernel and sid-check (a Debian sid chroot)
	rsync debootstrap
)

missing=()
for p in "${PKGS[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) || status=''
	[ "$status" = 'install ok installed' ] || missing+=("$p")
done

# linux-headers-amd64 and linux-image-amd64 are meta packages; the modules
# must be built against the headers of the kernel the bench boots by
# default (tools/testing/default-kernel: the newest 6.1).
default=$(sh "$(dirname "${BASH_SOURCE[0]}")/default-kernel") || default=''
if [ -n "$default" ]; then
	ver=${default#/boot/vmlinuz-}
	[ -d "/lib/modules/$ver/build" ] || missing+=("linux-headers-$ver")
fi
# Debian 6.12 (bookworm-security): headers and, as they depend on it, the
# kernel, for the 6.12 build and boot checks of test-all.
if ! ls -d /lib/modules/6.12.*-amd64/build >/dev/null 2>&1; then
	missing+=(linux-headers-6.12-amd64)
fi

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages present"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing ${missing[*]}; run this script as root" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "deps: done"
