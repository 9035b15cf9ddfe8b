#!/bin/bash
# KSM bench, run inside the nested test machine (tools/testing/vm/run):
# two QEMU guests on whatever /dev/kvm is write the same 16 MiB into a
# tmpfs while this machine runs KSM aggressively; each guest verifies its
# data, overwrites it and verifies again.
#   two-guests.sh [RUNS]     (default 1)
# Environment: OKVM_KSM_WAIT guest seconds per wait (default 30),
# OKVM_KSM_GUESTS (default 2), OKVM_GUEST_TIMEOUT (default 400; a guest
# still running then has its registers dumped and is killed),
# OKVM_KSM_LOGDIR (keep the console and register dump of failed guests
# there), OKVM_KSM_OFF=1 (control runs: KSM left off, no sharing needed),
# OKVM_KSM_L0_RETRIES (default 2) and OKVM_KSM_RETRY_CRASH (default 0),
# see below.
# Passes when every guest of every run printed both "ok" lines and
# powered off, and KSM shared pages (pages_sharing > 0) in every run.
#
# The bench's CPU is QEMU's emulated SVM, which under this load sometimes
# stores the host's own state (RIP just past VMRUN in kvm_amd, the
# host's CR3) in the guest's VMCB at a #VMEXIT, upstream kvm-amd included
# (Documentation/mmu.md).  okvm stops such a guest and says so in dmesg
# with the VMM's pid; on upstream it stops with "KVM internal error" and
# RIP inside kvm_amd's __svm_vcpu_run.  A run whose every
# failure is that is not counted and is run again, at most
# OKVM_KSM_L0_RETRIES times in all.  On NPT the same CPU also leaves a
# guest hung or reset now and then without that signature (upstream
# kvm-amd too); OKVM_KSM_RETRY_CRASH=1 repeats such runs the same way
# (not a guest stopped by another internal error).
# A guest that verified its data as BAD always fails the run, as does
# anything past the repeats, except with OKVM_KSM_INCONCLUSIVE=1
# (test-all): a run still stopped so when its repeats are used up is
# then reported as inconclusive ("N passed, N failed" leaves it out) and
# fails nothing, since no guest read its data back wrong.
set -uo pipefail
runs=${1:-1}
guests=${OKVM_KSM_GUESTS:-2}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=SCRIPTDIR/../l0-defect.sh
. "$here/../l0-defect.sh"
kernel=/boot/vmlinuz-$(uname -r)
[ -r "$kernel" ] || kernel=$("$here/../default-kernel")
work=$(mktemp -d /tmp/okvm-ksm.XXXXXX)
ksm=/sys/kernel/mm/ksm

if [ ! -w $ksm/run ]; then
	echo "SKIP: no KSM in this kernel ($ksm/run)"
	exit 4
fi

build_initrd() {
	local d=$work/root
	mkdir -p "$d/bin" "$d/proc" "$d/sys" "$d/dev"
	cp /bin/busybox "$d/bin/busybox"
	cp "$here/init" "$d/init"
	chmod +x "$d/init"
	(cd "$d" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd"
}

saved=()
for k in run pages_to_scan sleep_millisecs; do
	saved+=("$k=$(cat $ksm/$k)")
done
restore() {
	local kv
	echo 2 > $ksm/run
	for kv in "${saved[@]}"; do
		echo "${kv#*=}" > "$ksm/${kv%%=*}"
	done
	rm -rf "$work"
}
trap restore EXIT

build_initrd
ksm_on=1
[ "${OKVM_KSM_OFF:-0}" = 1 ] && ksm_on=0
echo 1000 > $ksm/pages_to_scan
echo 10 > $ksm/sleep_millisecs
echo $ksm_on > $ksm/run
timeout_s=${OKVM_GUEST_TIMEOUT:-400}

# "info registers" through a guest's monitor socket, into a file.
dump_regs() {
	perl -MIO::Socket::UNIX -e '
		my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or exit 1;
		print $s "info registers\n";
		sleep 2;
		$s->blocking(0);
		my $buf;
		while (sysread($s, $buf, 65536)) { print $buf; }' "$1" > "$2" 2>&1
}

# [start, end) of kvm_amd's __svm_vcpu_run in this kernel, hex.
vmrun_fn=$(awk '$3 == "__svm_vcpu_run" && $4 == "[kvm_amd]" {print $1; exit}' /proc/kallsyms)
# Was the failed guest (log $1, QEMU pid $2) stopped by the L0 defect?
l0_defect() {
	local rip
	# (grep -c reads everything: no SIGPIPE for dmesg under pipefail)
	[ "$(dmesg | grep -c "okvm: pid $2 vCPU [0-9]*: $l0_sig")" -gt 0 ] &&
		return 0
	grep -a -q "KVM internal error" "$1" || return 1
	rip=$(grep -a -m1 -o "RIP=[0-9a-f]*" "$1" | cut -d= -f2)
	[ -n "$rip" ] && [ -n "$vmrun_fn" ] && [ "$vmrun_fn" != 0000000000000000 ] &&
		(( 0x$rip >= 0x$vmrun_fn && 0x$rip < 0x$vmrun_fn + 0x400 ))
}

fails=0
l0_left=${OKVM_KSM_L0_RETRIES:-2}
l0_seen=0 inconclusive=0
for ((r = 1; r <= runs; r++)); do
	pids=()
	t0=$SECONDS
	attempt=$((${attempt:-0} + 1))
	rm -f "$work"/guest*.regs
	for ((g = 1; g <= guests; g++)); do
		# QEMU marks guest RAM mergeable by default (mem-merge=on).
		qemu-system-x86_64 \
			-accel kvm -machine pc,kernel-irqchip=off -cpu EPYC \
			-smp 1 -m 256M -kernel "$kernel" -initrd "$work/initrd" \
			-append "console=ttyS0 panic=-1 loglevel=4 okvm_ksm_wait=${OKVM_KSM_WAIT:-30}" \
			-nographic -no-reboot \
			-monitor "unix:$work/mon$g,server=on,wait=off" \
			</dev/null >"$work/guest$g.log" 2>&1 &
		pids+=($!)
	done
	max_sharing=0
	while :; do
		alive=0
		for p in "${pids[@]}"; do
			kill -0 "$p" 2>/dev/null && alive=1
		done
		s=$(cat $ksm/pages_sharing)
		[ "$s" -gt "$max_sharing" ] && max_sharing=$s
		[ $alive = 1 ] || break
		# A guest stopped by an internal error waits forever: end it.
		for ((g = 1; g <= guests; g++)); do
			kill -0 "${pids[g - 1]}" 2>/dev/null &&
				grep -a -q "KVM internal error" "$work/guest$g.log" &&
				sleep 2 && kill "${pids[g - 1]}"
		done
		if [ $((SECONDS - t0)) -gt "$timeout_s" ]; then
			for ((g = 1; g <= guests; g++)); do
				kill -0 "${pids[g - 1]}" 2>/dev/null || continue
				echo "run $r guest $g: still running after $timeout_s s"
				dump_regs "$work/mon$g" "$work/guest$g.regs"
				kill "${pids[g - 1]}"
			done
		fi
		sleep 1
	done
	bad=0
	l0=0
	for ((g = 1; g <= guests; g++)); do
		wait "${pids[g - 1]}"
		rc=$?
		log=$work/guest$g.log
		n=$(grep -a -c "OKVM-KSM-VERIFIED .* ok" "$log")
		if [ "$rc" != 0 ] || [ "$n" != 2 ] || ! grep -a -q OKVM-KSM-DONE "$log"; then
			if l0_defect "$log" "${pids[g - 1]}"; then
				echo "run $r guest $g: stopped by the L0 defect (the host's own state saved as the guest's)"
				l0=1
			elif [ "${OKVM_KSM_RETRY_CRASH:-0}" = 1 ] &&
			     ! grep -a -q -e "OKVM-KSM-VERIFIED .* BAD" \
				-e "KVM internal error" "$log"; then
				echo "run $r guest $g: FAILED without bad data (qemu exit $rc, $n of 2 verified), may be repeated"
				l0=1
			else
				echo "run $r guest $g: FAILED (qemu exit $rc, $n of 2 verified)"
				bad=1
			fi
			grep -a -E "OKVM-KSM|error|Error|KVM|RIP|CR3|panic|BUG" "$log" | head -30 | sed 's/^/    /'
			[ -f "$work/guest$g.regs" ] &&
				grep -a -E "^(RIP|CR0|CR3|EFER|CS |HLT)" "$work/guest$g.regs" | sed 's/^/    /'
			if [ -n "${OKVM_KSM_LOGDIR:-}" ]; then
				mkdir -p "$OKVM_KSM_LOGDIR"
				cp "$log" "$OKVM_KSM_LOGDIR/attempt$attempt-guest$g.log"
				[ -f "$work/guest$g.regs" ] &&
					cp "$work/guest$g.regs" "$OKVM_KSM_LOGDIR/attempt$attempt-guest$g.regs"
			fi
		else
			echo "run $r guest $g: ok ($(grep -a OKVM-KSM-WRITTEN "$log" | awk '{print $3}' | tr '\n' ' '))"
		fi
	done
	echo "run $r: pages_sharing up to $max_sharing, $((SECONDS - t0)) s"
	if [ $ksm_on = 1 ] && [ "$max_sharing" -eq 0 ]; then
		echo "run $r: KSM shared nothing"
		bad=1
	fi
	if [ $l0 = 1 ] && [ $bad = 0 ] && [ "$l0_left" -gt 0 ]; then
		echo "run $r: not counted, run again"
		l0_left=$((l0_left - 1))
		l0_seen=$((l0_seen + 1))
		r=$((r - 1))
		continue
	fi
	if [ $l0 = 1 ] && [ $bad = 0 ] && [ "${OKVM_KSM_INCONCLUSIVE:-0}" = 1 ]; then
		echo "run $r: inconclusive: its repeats are used up and the bench CPU stopped a guest again; no guest read bad data"
		inconclusive=$((inconclusive + 1))
		continue
	fi
	[ $l0 = 1 ] && bad=1
	fails=$((fails + bad))
done
echo "$((runs - fails - inconclusive)) of $runs runs passed ($l0_seen more runs stopped by the L0 defect or, with OKVM_KSM_RETRY_CRASH=1, by a crash without bad data were not counted)"
if [ "$inconclusive" -gt 0 ]; then
	echo "$inconclusive of $runs runs inconclusive (the bench CPU's defect, every repeat)"
	echo "$((runs - fails - inconclusive)) passed, $fails failed"
fi
[ $fails = 0 ]
