#!/bin/bash
# Boot Debian's kernel as a guest of QEMU (accel=kvm) on whatever /dev/kvm
# is: run inside the nested test machine.  The machine is OKVM_GUEST_MACHINE
# (default pc,kernel-irqchip=off: the userspace irqchip); q35 or pc alone
# use QEMU's default, the in-kernel irqchip.
#   boot.sh [SMP]      -> prints the guest's OKVM-GUEST-UP line and timing
# Exit 0 only if the guest reached its marker with kvm-clock and all CPUs
# and powered off.
# A guest stopped by the bench CPU's defect (l0-defect.sh) is booted
# again, at most OKVM_GUEST_L0_RETRIES (2) times, and said so; so is,
# once, a guest that reset or stopped before its marker, which the same
# CPU causes without okvm seeing it (Documentation/mmu.md), and once a
# guest that vanished after it (l0_vanished: a reset with no panic and no
# triple fault).  A guest that fails another check after reaching its
# marker is never booted again.
set -uo pipefail
smp=${1:-1}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=SCRIPTDIR/../l0-defect.sh
. "$here/../l0-defect.sh"
l0_exit=75 nomarker_exit=76 vanished_exit=77
if [ -z "${OKVM_BOOT_ATTEMPT:-}" ]; then
	l0=0 nomarker=0 vanished=0
	while :; do
		OKVM_BOOT_ATTEMPT=1 "$0" "$@"
		rc=$?
		if [ "$rc" = $l0_exit ] &&
		   [ $l0 -lt "${OKVM_GUEST_L0_RETRIES:-2}" ]; then
			l0=$((l0 + 1))
			echo "stopped by the L0 defect (okvm's dmesg line says how): once more"
		elif [ "$rc" = $nomarker_exit ] && [ $nomarker = 0 ]; then
			nomarker=1
			echo "the guest never reached its marker: once more"
		elif [ "$rc" = $vanished_exit ] && [ $vanished = 0 ]; then
			vanished=1
			echo "the guest vanished after its marker: once more"
		else
			[ "$rc" = 0 ] && exit 0
			exit 1
		fi
	done
fi
# The guest runs the same kernel as the machine it runs on.
kernel=/boot/vmlinuz-$(uname -r)
[ -r "$kernel" ] || kernel=$("$here/../default-kernel")
initrd=/tmp/okvm-guest-initrd.cpio.gz
# Extra QEMU arguments (word-split), e.g. "-overcommit cpu-pm=on"; the
# guest CPU model is OKVM_GUEST_CPU (default EPYC).
# OKVM_GUEST_QEMU_MAJOR=N fails the run unless qemu-system-x86_64 (the
# first in PATH) is QEMU N.x.
# The guest's console, kept where the host can read it after a timeout.
console=${OKVM_GUEST_CONSOLE:-/tmp/okvm-guest-console.log}

# The guest's initramfs: static busybox and our /init.
build_initrd() {
	local d
	d=$(mktemp -d)
	mkdir -p "$d/bin" "$d/proc" "$d/sys" "$d/dev"
	cp /bin/busybox "$d/bin/busybox"
	cp "$here/init" "$d/init"
	chmod +x "$d/init"
	(cd "$d" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd"
	rm -rf "$d"
}

# The host's time when each sleep marker (S, E) reaches the debug console;
# a blocking read wakes as soon as QEMU writes the byte.  ($dbg comes from
# the environment: this runs in its own bash, at real-time priority so
# that a loaded nested machine does not delay the stamps.)
watch_sleep() {
	local c n=0
	tail -c +1 -F "$dbg" 2>/dev/null | while IFS= read -r -n 1 c; do
		case $c in
		S) printf '%s ' "$(date +%s.%N)" >> "$dbg.sleep" ;;
		E) date +%s.%N >> "$dbg.sleep"; n=$((n + 1)) ;;
		esac
		[ "$n" = 2 ] && break
	done
}

vmm=$(qemu-system-x86_64 --version | head -n 1)
echo "vmm: $vmm"
if [ -n "${OKVM_GUEST_QEMU_MAJOR:-}" ] &&
	! grep -q "version ${OKVM_GUEST_QEMU_MAJOR}\." <<<"$vmm"; then
	echo "not QEMU ${OKVM_GUEST_QEMU_MAJOR}.x"
	exit 1
fi
build_initrd
dbg=$console.debugcon
rm -f "$console" "$dbg" "$dbg.sleep"
touch "$dbg"
dbg=$dbg chrt -f 50 bash -c "$(declare -f watch_sleep); watch_sleep" &
watcher=$!
dmesg_before=$(dmesg | wc -l)
# A guest that fails after its marker: what the console and okvm said
# last (okvm logs a vCPU that shut down, i.e. triple-faulted).
failed() {
	echo "$1"
	echo "--- the console's last lines:"
	printf '%s\n' "$out" | tail -n 8
	echo "--- okvm in dmesg since the guest started:"
	okvm_dmesg_since "$dmesg_before" | tail -n 8
	if [ "$rc" = 0 ] &&
	   l0_vanished "$out" OKVM-SLEEP-DONE "$dmesg_before"; then
		echo "$l0_vanished_msg"
		exit $vanished_exit
	fi
	exit 1
}
t0=$(date +%s.%N)
# shellcheck disable=SC2086 # OKVM_GUEST_QEMU_ARGS is a word list
# -k: a QEMU stuck with its global mutex held never handles SIGTERM.
timeout -k 10 "${OKVM_GUEST_TIMEOUT:-600}" qemu-system-x86_64 -accel kvm \
	-machine "${OKVM_GUEST_MACHINE:-pc,kernel-irqchip=off}" -cpu "${OKVM_GUEST_CPU:-EPYC}" -smp "$smp" -m 512M \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 loglevel=4 ${OKVM_GUEST_APPEND:-}" \
	-debugcon "file:$dbg" -global isa-debugcon.iobase=0xe9 \
	-nographic -no-reboot -monitor none ${OKVM_GUEST_QEMU_ARGS:-} </dev/null >"$console" 2>&1 &
l0_wait $! "$console.l0"
rc=$?
out=$(cat "$console")
t1=$(date +%s.%N)
marker=$(grep -a OKVM-GUEST-UP <<<"$out")
printf '%s\n' "$out" | grep -a -E "OKVM-GUEST-UP|guest dmesg|qemu|error|Kernel panic|BUG|WARNING" |
	grep -a -v "requested feature" | head -40
printf 'qemu exit %d, %.1f s\n' "$rc" "$(echo "$t1 - $t0" | bc)"
# The reader may not have seen the last E yet (busybox tail -F polls once
# a second): give it up to 3 s to complete both intervals.
for _ in $(seq 30); do
	[ -e "$console.l0" ] && break
	[ "$(wc -l 2>/dev/null <"$dbg.sleep" || echo 0)" -ge 2 ] && break
	sleep 0.1
done
pkill -P "$watcher" 2>/dev/null; kill "$watcher" 2>/dev/null
[ -e "$console.l0" ] && exit $l0_exit
[ -n "$marker" ] || { printf '%s\n' "$out" | tail -40; exit $nomarker_exit; }
# "sleep 5" in the guest must take 5 s of the host's time (+- 10 %).  The
# guest sleeps twice: one interval within bounds passes, as the stamps of a
# loaded nested machine can be late (a wrong guest clock misses both).
# OKVM_GUEST_SLEEP_CHECK=0 only reports.
ok=0 n=0
while read -r s e; do
	[ -n "$e" ] || continue
	n=$((n + 1))
	slept=$(echo "$e - $s" | bc)
	printf 'guest sleep 5: %.2f s of host time\n' "$slept"
	[ "$(echo "$slept > 4.5 && $slept < 5.5" | bc)" = 1 ] && ok=1
done < "$dbg.sleep"
if [ "${OKVM_GUEST_SLEEP_CHECK:-1}" = 1 ]; then
	[ "$n" -gt 0 ] || failed "no sleep markers"
	[ "$ok" = 1 ] || failed "guest time runs wrong"
fi
[ "$rc" = 0 ] || failed "the guest did not power off (qemu exit $rc)"
grep -q "clocksource=kvm-clock" <<<"$marker" || failed "not kvm-clock"
grep -q "cpus=$smp " <<<"$marker" || failed "wrong CPU count"
