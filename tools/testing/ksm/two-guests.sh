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
# there), OKVM_KSM_OFF=1 (control runs: KSM left off, no sharing needed).
# Passes when every guest of every run printed both "ok" lines and
# powered off, and KSM shared pages (pages_sharing > 0) in every run.
set -uo pipefail
runs=${1:-1}
guests=${OKVM_KSM_GUESTS:-2}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
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

fails=0
for ((r = 1; r <= runs; r++)); do
	pids=()
	t0=$SECONDS
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
	for ((g = 1; g <= guests; g++)); do
		wait "${pids[g - 1]}"
		rc=$?
		log=$work/guest$g.log
		n=$(grep -a -c "OKVM-KSM-VERIFIED .* ok" "$log")
		if [ "$rc" != 0 ] || [ "$n" != 2 ] || ! grep -a -q OKVM-KSM-DONE "$log"; then
			echo "run $r guest $g: FAILED (qemu exit $rc, $n of 2 verified)"
			grep -a -E "OKVM-KSM|error|Error|KVM|RIP|CR3|panic|BUG" "$log" | head -30 | sed 's/^/    /'
			[ -f "$work/guest$g.regs" ] &&
				grep -a -E "^(RIP|CR0|CR3|EFER|CS |HLT)" "$work/guest$g.regs" | sed 's/^/    /'
			if [ -n "${OKVM_KSM_LOGDIR:-}" ]; then
				mkdir -p "$OKVM_KSM_LOGDIR"
				cp "$log" "$OKVM_KSM_LOGDIR/run$r-guest$g.log"
				[ -f "$work/guest$g.regs" ] &&
					cp "$work/guest$g.regs" "$OKVM_KSM_LOGDIR/run$r-guest$g.regs"
			fi
			bad=1
		else
			echo "run $r guest $g: ok ($(grep -a OKVM-KSM-WRITTEN "$log" | awk '{print $3}' | tr '\n' ' '))"
		fi
	done
	echo "run $r: pages_sharing up to $max_sharing, $((SECONDS - t0)) s"
	if [ $ksm_on = 1 ] && [ "$max_sharing" -eq 0 ]; then
		echo "run $r: KSM shared nothing"
		bad=1
	fi
	fails=$((fails + bad))
done
echo "$((runs - fails)) of $runs runs passed"
[ $fails = 0 ]
