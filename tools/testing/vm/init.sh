#!/bin/busybox sh
# okvm test bench, guest stage 1: /init of the busybox initramfs built by
# tools/testing/vm/run.  Runs as PID 1 inside the nested VM.
#
#  1. load the virtio/9p modules packed into the initramfs,
#  2. mount the per-run control export (okvm-ctl) and read its config,
#  3. mount the host root read-only (okvm-root) as the new root, give it
#     fresh proc/sys/dev/tmp/run, mount the writable share (okvm-share) at
#     its host path,
#  4. switch_root into the new root and exec stage 2 (stage2.sh, bash) from
#     the control export.
#
# This file is generic (no per-run data), so the initramfs can be cached.

/bin/busybox mkdir -p /bin /proc /sys /dev
/bin/busybox --install -s /bin
export PATH=/bin

# Report a fatal problem and make QEMU exit (-no-reboot turns the reset
# into an exit).  The host notices the missing result files.
die() {
	echo "okvm-init: FATAL: $*" >/dev/console
	[ -d /ctl/. ] && echo "init: $*" >>/ctl/bench.log 2>/dev/null
	echo b >/proc/sysrq-trigger
	sleep 5
	exit 1
}

mount -t proc proc /proc || die "mount /proc"
mount -t sysfs sysfs /sys || die "mount /sys"
mount -t devtmpfs devtmpfs /dev || die "mount /dev"

# modules.list holds the file names in dependency order.
while read -r mod; do
	insmod "/lib/okvm/$mod" || die "insmod $mod failed"
done </lib/okvm/modules.list

# virtio-pci probing is asynchronous to insmod; wait for the mount tags.
wait_tag() {
	i=0
	while ! grep -qsx "$1" /sys/bus/virtio/devices/*/mount_tag; do
		i=$((i + 1))
		[ $i -gt 200 ] && die "9p mount tag $1 never appeared"
		sleep 0.05
	done
}

P9="trans=virtio,version=9p2000.L,msize=262144"

mkdir -p /ctl /newroot
wait_tag okvm-ctl
mount -t 9p -o "$P9,cache=none" okvm-ctl /ctl || die "mount okvm-ctl"
[ -r /ctl/config ] || die "no /ctl/config"
. /ctl/config          # OKVM_SHARE (host path of the writable share or "")

wait_tag okvm-root
mount -t 9p -o "$P9,ro,cache=loose" okvm-root /newroot || die "mount root"

R=/newroot
mount -t proc proc $R/proc || die "mount new /proc"
mount -t sysfs sysfs $R/sys || die "mount new /sys"
mount -t devtmpfs devtmpfs $R/dev || die "mount new /dev"
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts -o mode=620,ptmxmode=666 devpts $R/dev/pts
mount -t tmpfs -o mode=1777 tmpfs $R/dev/shm
mount -t tmpfs -o mode=1777 tmpfs $R/tmp || die "mount /tmp"
mount -t tmpfs -o mode=755 tmpfs $R/run || die "mount /run"
mount -t debugfs debugfs $R/sys/kernel/debug 2>/dev/null
mount -t cgroup2 cgroup2 $R/sys/fs/cgroup 2>/dev/null

mkdir -p $R/run/okvm
mount --move /ctl $R/run/okvm || die "move okvm-ctl"

if [ -n "$OKVM_SHARE" ]; then
	wait_tag okvm-share
	# Under /tmp or /run the mount point lives in the fresh tmpfs.
	mkdir -p "$R$OKVM_SHARE" 2>/dev/null
	mount -t 9p -o "$P9,cache=mmap" okvm-share "$R$OKVM_SHARE" ||
		die "mount share at $OKVM_SHARE"
fi

umount /proc /sys /dev 2>/dev/null
exec switch_root $R /bin/bash /run/okvm/stage2.sh
die "switch_root failed"
