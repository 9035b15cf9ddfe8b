#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# okvm-bench, the part inside the nested machine (started by
# tools/testing/bench/run through vm/run --no-modules).  It swaps the kvm
# modules itself so that both sides run in this one machine, alternating:
#   inside.sh OUT KODIR REPS BOOTREPS
# appends "SIDE ROW VALUE" lines to OUT.  KODIR holds our kvm.ko-bench and
# kvm-amd.ko-bench (snapshots); the other side is the distribution's kvm/kvm_amd (modprobe).
# Upstream kvm re-patches jump labels when its VM count goes 0 <-> 1, which
# can livelock L1 under TCG (upstream-selftests/holdvm.c), so while it is
# loaded one idle VM is held open, as vm/run --upstream does; and since
# loading and unloading it still moves that count, pin/okvm_pin.ko keeps
# the preempt-notifier key on for the whole bench, so that nothing is
# re-patched at all.
set -uo pipefail
out=$1 ko=$2 reps=$3 bootreps=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
bench=$here/bin/okvm-bench
holder=

say() { echo "bench: $*" >&2; }

load() {
	local side=$1 npt=$2
	if [ "$side" = ours ]; then
		insmod "$ko/kvm.ko-bench" &&
			insmod "$ko/kvm-amd.ko-bench" npt="$npt" || return 1
		return 0
	fi
	modprobe kvm && modprobe kvm_amd npt="$npt" || return 1
	"$here/bin/okvm-holdvm" >/run/bench-holdvm.log 2>&1 &
	holder=$!
	for _ in $(seq 100); do
		grep -q 'holding VM' /run/bench-holdvm.log && return 0
		sleep 0.1
	done
	say "okvm-holdvm did not start: $(cat /run/bench-holdvm.log)"
	return 1
}

unload() {
	local side=$1
	if [ -n "$holder" ]; then
		kill "$holder"
		wait "$holder" 2>/dev/null
		holder=
	fi
	if [ "$side" = ours ]; then
		rmmod kvm_amd && rmmod kvm
	else
		modprobe -r kvm_amd && { [ ! -e /sys/module/kvm ] || modprobe -r kvm; }
	fi
}

# Run CMD, prefix its "ROW VALUE" lines with SIDE and SUFFIX-ed row names.
record() {
	local side=$1 suffix=$2 row val
	shift 2
	"$@" | while read -r row val; do
		[[ $row =~ ^[a-z_0-9]+$ && $val =~ ^[0-9.e+-]+$ ]] || continue
		echo "$side $row$suffix $val" | tee -a "$out"
	done
}

# okvm-bench with a time limit of $1 seconds.  Past it (twice on okvm a
# run stopped at one row until the limit, 2026-12-07): where its threads
# wait, and whether the VM still exits (its debugfs counters 2 s apart:
# moving, the guest loops; still, a thread waits), then kill it.
watched() {
	local limit=$1 pid sleeper i
	shift
	"$@" &
	pid=$!
	# No polling: the rows are timed, and a loop of sleeps would run beside them.
	sleep "$limit" &
	sleeper=$!
	wait -n "$pid" "$sleeper"
	if kill -0 "$pid" 2>/dev/null; then
		say "$(basename "$1") still running after $limit s"
		for i in /proc/"$pid"/task/*; do
			say "task $(cat "$i/comm") state $(cut -d' ' -f3 "$i/stat") wchan $(cat "$i/wchan"): $(tr '\n' ' ' <"$i/stack")"
		done
		[ -d /sys/kernel/debug/kvm ] || mount -t debugfs none /sys/kernel/debug
		say "exits, io_exits: $(cat /sys/kernel/debug/kvm/{exits,io_exits} | tr '\n' ' ')"
		sleep 2
		say "2 s later: $(cat /sys/kernel/debug/kvm/{exits,io_exits} | tr '\n' ' ')"
		kill -9 "$pid"
	fi
	kill "$sleeper" 2>/dev/null
	wait "$sleeper" 2>/dev/null
	wait "$pid"
}

# The world-switch floor (ours only): entry-floor's in-module loop of
# guest entries (Documentation/stats.md) prints "... X ns/entry".
floor() {
	local f=$here/../observability/entry-floor v
	[ "$1" = ours ] && [ -x "$f" ] || return 0
	v=$(timeout -k 5 120 "$f" --guest 100000 2>/dev/null | tail -n 1 |
		sed -nE 's/.* ([0-9]+(\.[0-9]+)?) ns\/entry$/\1/p')
	[ -n "$v" ] && echo "ours floor $v" | tee -a "$out"
	return 0
}

# A guest the bench CPU stops (Documentation/mmu.md: "lost state", a
# triple fault on nothing, a hang) reads no disk: boot it once more, said
# on stderr, so that the row keeps its repetition.
boot() {
	local side=$1 mmu=$2 smp=$3 try res
	for try in 1 2; do
		res=$("$here/boot.sh" "$smp")
		grep -q '^disk ' <<<"$res" && break
		say "$side $mmu $smp vCPUs: boot $try read no disk"
	done
	record "$side" "_${mmu}_$smp" printf '%s\n' "$res"
}

# One step of one side: STEP is "exits" (the rows of okvm-bench, or the
# shadow fault-in) or "boot SMP".
step() {
	local side=$1 npt=$2 what=$3 smp=${4:-}
	load "$side" "$npt" || { say "loading $side failed"; exit 1; }
	case $npt,$what in
	1,exits)
		record "$side" "" watched "${OKVM_BENCH_ROW_LIMIT:-300}" "$bench"
		floor "$side" ;;
	0,exits) record "$side" _shadow watched 120 "$bench" fault_in ;;
	1,boot) boot "$side" npt "$smp" ;;
	0,boot) boot "$side" shadow "$smp" ;;
	esac
	unload "$side" || { say "unloading $side failed"; exit 1; }
}

# A repetition runs each step on both sides back to back, so that the two
# values of a row are taken a minute apart at most rather than a whole
# pass (exit rows and boots, about 90 s) apart: the host's slow spells last
# tens of seconds to minutes (2026-12-07: one side's exit rows all 50 %
# slower in one pass).
rep_both() {
	local npt=$1 rep=$2 first=ours second=upstream smp
	if [ $((rep % 2)) = 0 ]; then
		first=upstream second=ours
	fi
	say "rep $rep: npt=$npt, $first first"
	step "$first" "$npt" exits
	step "$second" "$npt" exits
	[ "$rep" -le "$bootreps" ] || return 0
	for smp in 1 4; do
		step "$first" "$npt" boot "$smp"
		step "$second" "$npt" boot "$smp"
	done
}

# khugepaged stays asleep: twice on 2026-12-07 (once on each side) the
# nested machine stopped for good in a 4-vCPU boot with khugepaged on one
# CPU waiting for the other to answer the TLB flush of a collapse, and
# that CPU never leaving its guest (the bench CPU's defect: its interrupt
# did not make the guest exit).  THP at fault time is unchanged.
echo 86400000 >/sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs
insmod "$here/pin/okvm_pin.ko" || { say "cannot load pin/okvm_pin.ko"; exit 1; }
for npt in 1 0; do
	for rep in $(seq "$reps"); do
		rep_both "$npt" "$rep"
	done
done
