#!/bin/bash
# Boot Debian's kernel under QEMU (accel=kvm) with devices that go through
# the in-kernel irqchip, MSI routing, irqfd and ioeventfd, and check each
# one from inside the guest.  Runs inside the nested test machine.
#   qemu-devices.sh SCENARIO [SMP]
# Scenarios:
#   virtio   q35, virtio-blk-pci disk + virtio-net-pci on a tap, vhost=off
#   vhost    the same with vhost=on (vhost_net in this kernel: the kicks are
#            ioeventfds and the interrupts irqfds that never reach QEMU)
#   legacy   pc, an IDE CD-ROM and a USB tablet (UHCI)
#   microvm  microvm, virtio-mmio disk and network
# The guest prints the MD5 of the disk's (CD's) first 8 MiB, whether it
# pinged the tap's address in this machine, whether it saw the tablet;
# exit 0 only if every check of the scenario holds and QEMU powered off.
# OKVM_VMM_QEMU_ARGS adds QEMU arguments; OKVM_VMM_MACHINE overrides the
# machine (e.g. q35,kernel-irqchip=split); OKVM_GUEST_TIMEOUT (default 600).
set -uo pipefail
scenario=${1:?scenario}
smp=${2:-4}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=SCRIPTDIR/../l0-defect.sh
. "$here/../l0-defect.sh"
kernel=/boot/vmlinuz-$(uname -r)
[ -r "$kernel" ] || kernel=$("$here/../default-kernel")
work=$(mktemp -d /tmp/okvm-vmm.XXXXXX)
tap=okvmtap0
mib=8
trap 'ip link del "$tap" 2>/dev/null; rm -rf "$work"' EXIT

# The drivers each check needs, in load order.
declare -A drivers=(
	[blk]="virtio_pci virtio_mmio virtio_blk"
	[net]="virtio_pci virtio_mmio virtio_net"
	[cd]="ata_piix sr_mod"
	[usb]="uhci_hcd usbhid hid_generic"
)

# build_initrd CHECK... : busybox, our /init and the drivers' modules.
build_initrd() {
	local d=$work/root m line
	mkdir -p "$d/bin" "$d/proc" "$d/sys" "$d/dev"
	cp /bin/busybox "$d/bin/busybox"
	cp "$here/init" "$d/init"
	chmod +x "$d/init"
	for c in "$@"; do
		for m in ${drivers[$c]}; do
			modprobe --show-depends "$m"
		done
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' > "$work/mods"
	while read -r line; do
		mkdir -p "$d$(dirname "$line")"
		cp "$line" "$d$line"
	done < "$work/mods"
	cp "$work/mods" "$d/mods"
	(cd "$d" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz"
}

setup_tap() {
	modprobe tun 2>/dev/null
	ip tuntap add dev "$tap" mode tap || return 1
	ip addr add 10.11.12.1/24 dev "$tap" && ip link set "$tap" up
}

machine=() devs=() checks=()
case $scenario in
virtio|vhost)
	vhost=off
	[ "$scenario" = vhost ] && vhost=on
	machine=(-machine "${OKVM_VMM_MACHINE:-q35}")
	devs=(-drive "file=$work/disk.img,format=raw,if=none,id=d0"
	      -device virtio-blk-pci,drive=d0
	      -netdev "tap,id=n0,ifname=$tap,script=no,downscript=no,vhost=$vhost"
	      -device virtio-net-pci,netdev=n0)
	checks=(blk net)
	;;
legacy)
	machine=(-machine "${OKVM_VMM_MACHINE:-pc}")
	devs=(-drive "file=$work/disk.img,format=raw,if=ide,media=cdrom"
	      -usb -device usb-tablet)
	checks=(cd usb)
	;;
microvm)
	machine=(-machine "${OKVM_VMM_MACHINE:-microvm}")
	devs=(-drive "file=$work/disk.img,format=raw,if=none,id=d0"
	      -device virtio-blk-device,drive=d0
	      -netdev "tap,id=n0,ifname=$tap,script=no,downscript=no"
	      -device virtio-net-device,netdev=n0)
	checks=(blk net)
	;;
*)
	echo "unknown scenario $scenario"; exit 2 ;;
esac

echo "vmm: $(qemu-system-x86_64 --version | head -n 1)"
[ "$scenario" = vhost ] && { modprobe vhost_net || exit 1; }
if [[ " ${checks[*]} " == *" net "* ]]; then
	setup_tap || { echo "no tap device"; exit 1; }
fi
dd if=/dev/urandom of="$work/disk.img" bs=1M count=$mib status=none
want=$(md5sum < "$work/disk.img" | cut -d' ' -f1)
build_initrd "${checks[@]}"
tlist=$(IFS=,; echo "${checks[*]}")

# While QEMU runs (the only VMM here): is there a vhost worker thread?
watch_vhost() {
	local i
	for i in $(seq 600); do
		if ps -eo comm | grep -q "^vhost-[0-9]"; then
			echo yes > "$work/vhost"
			return
		fi
		sleep 0.5
	done
}

t0=$(date +%s.%N)
dmesg_before=$(dmesg | wc -l)
# shellcheck disable=SC2086 # OKVM_VMM_QEMU_ARGS is a word list
timeout -k 10 "${OKVM_GUEST_TIMEOUT:-600}" qemu-system-x86_64 -accel kvm \
	"${machine[@]}" -cpu "${OKVM_GUEST_CPU:-EPYC}" -smp "$smp" -m 512M \
	-kernel "$kernel" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 panic=-1 loglevel=4 okvm_t=$tlist okvm_mib=$mib" \
	-nographic -no-reboot -monitor none "${devs[@]}" \
	${OKVM_VMM_QEMU_ARGS:-} </dev/null >"$work/console" 2>&1 &
qpid=$!
[ "$scenario" = vhost ] && { watch_vhost & }
# A guest stopped by the bench CPU's defect is ended at once (l0-defect.sh).
l0_wait "$qpid" "$work/l0"
rc=$?
[ -e "$work/l0" ] &&
	echo "stopped by the L0 defect (okvm's dmesg line says how)"
t1=$(date +%s.%N)
out=$(tr -d "\r" < "$work/console")
printf "%s\n" "$out" | grep -a -v "warning: host doesn.t support" |
	grep -a -E "^OKVM-|guest dmesg|qemu|error|Kernel panic|BUG|WARNING" | head -40
printf 'qemu exit %d, %.1f s\n' "$rc" "$(echo "$t1 - $t0" | bc)"

fail=0
check() { grep -qa -- "$1\$" <<<"$out" || { echo "missing: $1"; fail=1; }; }
check "OKVM-GUEST-UP cpus=$smp"
for c in "${checks[@]}"; do
	case $c in
	blk) check "OKVM-BLK $want" ;;
	cd) check "OKVM-CD $want" ;;
	net) check "OKVM-NET ping-ok" ;;
	usb) check "OKVM-USB tablet" ;;
	esac
done
if [ "$scenario" = vhost ] && [ ! -s "$work/vhost" ]; then
	echo "no vhost worker thread seen"; fail=1
fi
[ "$rc" = 0 ] || { echo "the guest did not power off (qemu exit $rc)"; fail=1; }
if [ "$fail" != 0 ]; then
	echo "--- the guest's console, last 40 lines:"
	grep -a -v "warning: host doesn.t support" <<<"$out" | tail -40
	echo "--- okvm in dmesg since the guest started:"
	okvm_dmesg_since "$dmesg_before" | tail -n 8
	# scenarios.sh runs it once more (l0-defect.sh).
	[ "$rc" = 0 ] &&
		l0_vanished "$out" OKVM-DEVICES-DONE "$dmesg_before" &&
		echo "$l0_vanished_msg"
fi
[ "$fail" = 0 ] && echo "scenario $scenario: ok"
exit "$fail"
