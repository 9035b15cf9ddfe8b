#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# okvm-bench row 3, run inside the nested machine on whichever kvm is
# loaded: boot Debian's kernel under QEMU (accel=kvm, q35 with the in-kernel
# irqchip, a busybox initramfs) to its init marker, then read a 256 MiB
# virtio-blk disk in the guest OKVM_BENCH_DISK_READS times (default 4; the
# guest times each read with /proc/uptime, in 10 ms steps: 64 MiB took
# 0.3 s, so one step moved the row by 3 %; a boot costs ten times a read).
#   boot.sh SMP    -> "boot SECONDS" and one "disk MB_PER_S" per read
# SECONDS: from starting QEMU to the marker line on the serial console.
set -uo pipefail
smp=${1:-1}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
kernel=/boot/vmlinuz-$(uname -r)
initrd=/tmp/okvm-bench-initrd.cpio.gz
disk=/tmp/okvm-bench-disk-256.img
console=/tmp/okvm-bench-console-$smp.log

# busybox, our /init and the virtio-blk modules of the running kernel.
build_initrd() {
	local d m
	d=$(mktemp -d)
	mkdir -p "$d/bin" "$d/proc" "$d/sys" "$d/dev" "$d/lib/bench"
	cp /bin/busybox "$d/bin/busybox"
	cp "$here/guest-init" "$d/init"
	chmod +x "$d/init"
	for m in $(modprobe --show-depends virtio_pci | awk '$1 == "insmod" { print $2 }') \
		 $(modprobe --show-depends virtio_blk | awk '$1 == "insmod" { print $2 }'); do
		grep -qx "$(basename "$m")" "$d/lib/bench/modules" 2>/dev/null && continue
		cp "$m" "$d/lib/bench/"
		basename "$m" >>"$d/lib/bench/modules"
	done
	(cd "$d" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd"
	rm -rf "$d"
}

[ -s "$initrd" ] || build_initrd
[ -s "$disk" ] || dd if=/dev/urandom of="$disk" bs=1M count=256 status=none
t0=$(date +%s.%N)
timeout -k 5 "${OKVM_BENCH_BOOT_TIMEOUT:-240}" qemu-system-x86_64 -accel kvm \
	-machine q35 -cpu EPYC -smp "$smp" -m 512M \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 loglevel=1 okvm_bench_reads=${OKVM_BENCH_DISK_READS:-4}" \
	-drive "file=$disk,if=virtio,format=raw" \
	-nographic -no-reboot -monitor none -nic none </dev/null 2>&1 |
	tee "$console" |
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		*OKVM-BENCH-UP*)
			awk -v a="$t0" -v b="$(date +%s.%N)" \
				'BEGIN { printf "boot %.3f\n", b - a }' ;;
		*OKVM-BENCH-DISK*)
			set -- ${line#*OKVM-BENCH-DISK}
			awk -v b="${1#bytes=}" -v s="${2#t0=}" -v e="${3#t1=}" \
				'BEGIN { if (b > 0 && e > s) printf "disk %.3f\n", b / (e - s) / 1e6 }' ;;
		esac
	done
grep -aq OKVM-BENCH-DISK "$console" || {
	echo "boot.sh: no disk result; console tail:" >&2
	tail -n 20 "$console" >&2
}
