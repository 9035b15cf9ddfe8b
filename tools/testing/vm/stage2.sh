#!/bin/bash
# okvm test bench, guest stage 2.  Runs as PID 1 (host's bash) inside the
# nested VM after switch_root into the read-only 9p view of the host root.
# Copied per run into the control export, which is mounted at /run/okvm.
#
# Protocol with tools/testing/vm/run (all files in /run/okvm):
#   job        (in)  bash fragment: OKVM_MODE, OKVM_CWD, params, cmd=(...)
#   env        (in)  host environment as export statements
#   kvm.ko kvm-amd.ko (in, ours mode) snapshot of the modules under test
#   okvm-holdvm      (in, upstream mode) keeps one idle VM open while CMD runs
#   stdout, stderr   CMD's output (the host streams them live)
#   bench.log        bench diagnostics (printed by the host on failure)
#   now              created to read the host's clock
#   started          created right before CMD runs (boot time measurement)
#   rc               CMD's exit status
#   unload_failed    present if the modules could not be unloaded
#   load_failed      present if the modules could not be loaded
#   dmesg            full kernel log, written last
#   finished         written after everything else

CTL=/run/okvm
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
exec </dev/null >/dev/console 2>&1

log() {
	echo "$*" >>"$CTL/bench.log"
	echo "okvm: $*"
}

# Dump the kernel log, mark completion and make QEMU exit.
finish() {
	dmesg >"$CTL/dmesg" 2>&1
	: >"$CTL/finished"
	echo b >/proc/sysrq-trigger
	sleep 10        # not reached
}

# shellcheck source=/dev/null
source "$CTL/job" || { log "cannot read job file"; finish; }

# The RTC has 1 s resolution; take the exact time from the host (the 9p
# server stamps new files with its own clock) so make in the share agrees.
: >"$CTL/now" && date -s "@$(stat -c %.9Y "$CTL/now")" >/dev/null

echo okvm-guest >/proc/sys/kernel/hostname
ip link set lo up 2>/dev/null

# Split "mod.key=val" parameters into per-module argument lists.
kvm_args=() amd_args=()
for p in "${OKVM_PARAMS[@]}"; do
	case "$p" in
	kvm.*) kvm_args+=("${p#kvm.}") ;;
	kvm_amd.*) amd_args+=("${p#kvm_amd.}") ;;
	esac
done

# Run a command, logging its output; returns its status.
logged() {
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	[ -n "$out" ] && log "$out"
	return $rc
}

load_modules() {
	case "$OKVM_MODE" in
	none) return 0 ;;
	ours)
		local m
		for m in kvm kvm_amd; do
			if [ -e "/sys/module/$m" ]; then
				log "module $m is already loaded (in-tree copy?)"
				return 1
			fi
		done
		logged insmod "$CTL/kvm.ko" "${kvm_args[@]}" ||
			{ log "insmod kvm.ko ${kvm_args[*]} failed"; return 1; }
		logged insmod "$CTL/kvm-amd.ko" "${amd_args[@]}" ||
			{ log "insmod kvm-amd.ko ${amd_args[*]} failed"; return 1; }
		;;
	upstream)
		logged modprobe kvm "${kvm_args[@]}" ||
			{ log "modprobe kvm ${kvm_args[*]} failed"; return 1; }
		logged modprobe kvm_amd "${amd_args[@]}" ||
			{ log "modprobe kvm_amd ${amd_args[*]} failed"; return 1; }
		;;
	esac
	return 0
}

unload_modules() {
	case "$OKVM_MODE" in
	none) return 0 ;;
	ours)
		logged rmmod kvm_amd || { log "rmmod kvm_amd failed"; return 1; }
		logged rmmod kvm || { log "rmmod kvm failed"; return 1; }
		;;
	upstream)
		logged modprobe -r kvm_amd ||
			{ log "modprobe -r kvm_amd failed"; return 1; }
		if [ -e /sys/module/kvm ]; then
			logged modprobe -r kvm || { log "modprobe -r kvm failed"; return 1; }
		fi
		;;
	esac
	return 0
}

if ! load_modules; then
	log "dmesg tail after the failed load:"
	dmesg | tail -n 20 >>"$CTL/bench.log"
	: >"$CTL/load_failed"
	finish
fi

# Upstream kvm switches the preempt-notifier static key each time its VM
# count leaves or reaches 0, and TCG can livelock L1 while the kernel
# re-patches the jump labels (holdvm.c): hold one VM for the whole run.
holdvm_pid=
if [ "$OKVM_MODE" = upstream ]; then
	"$CTL/okvm-holdvm" >/run/holdvm.log 2>&1 &
	holdvm_pid=$!
	for _ in $(seq 100); do
		grep -q 'holding VM' /run/holdvm.log && break
		sleep 0.1
	done
	grep -q 'holding VM' /run/holdvm.log ||
		log "okvm-holdvm did not start: $(cat /run/holdvm.log)"
fi

# Run CMD in a subshell with the host's environment and working directory.
# One argument is a shell command line; several are an exact argv.
(
	__okvm_cwd=$OKVM_CWD
	__okvm_argv=("${cmd[@]}")
	unset OKVM_MODE OKVM_CWD OKVM_PARAMS OKVM_KEEP cmd
	# shellcheck source=/dev/null
	source "$CTL/env"
	cd "$__okvm_cwd" || { echo "vm-run: cannot cd to $__okvm_cwd" >&2; exit 126; }
	: >"$CTL/started"
	if [ "${#__okvm_argv[@]}" -eq 1 ]; then
		exec sh -c "${__okvm_argv[0]}"
	else
		exec sh -c 'exec "$@"' sh "${__okvm_argv[@]}"
	fi
) </dev/null >>"$CTL/stdout" 2>>"$CTL/stderr"
echo $? >"$CTL/rc"
if [ -n "$holdvm_pid" ]; then
	kill "$holdvm_pid"
	wait "$holdvm_pid" 2>/dev/null
fi

if [ "$OKVM_KEEP" != 1 ] && ! unload_modules; then
	: >"$CTL/unload_failed"
fi
finish
