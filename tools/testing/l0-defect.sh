# shellcheck shell=bash
# Sourced by scripts that run a VMM inside the nested test machine.
#
# The bench's emulated CPU sometimes takes a #VMEXIT with the host's own
# state saved as the guest's (Documentation/mmu.md, "NPT: the bench's
# emulated CPU").  okvm detects it, stops that vCPU for good and says so
# in dmesg; the VMM (QEMU) then waits forever.  l0_wait ends it at once.

l0_sig="the CPU stored the host's state as the guest's"
# The same CPU also shuts a guest down (triple fault) where the guest's
# tables map RIP, the IDT and the TSS and every TDP leaf matches the
# host: okvm checks that at each triple fault and then logs this.
l0_sig_tf="the CPU faulted on nothing"

l0_count() {
	dmesg | grep -c -e "$l0_sig" -e "$l0_sig_tf"
}

# l0_wait PID MARK: wait for PID (a child of the caller) and return its
# status; if okvm reports the defect meanwhile (or by the time PID is
# gone: QEMU ends by itself on a triple fault), end PID and create MARK.
# Only one VMM may run while this watches: the dmesg line is not matched
# to a pid.
l0_wait() {
	local pid=$1 mark=$2 before rc
	before=$(l0_count)
	rm -f "$mark"
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$(l0_count)" -gt "$before" ]; then
			sleep 1
			kill "$pid" 2>/dev/null
			break
		fi
		sleep 1
	done
	wait "$pid"
	rc=$?
	[ "$(l0_count)" -gt "$before" ] && : >"$mark"
	return $rc
}

# l0_vanished CONSOLE DONE SINCE: true when a guest that reached its
# OKVM-GUEST-UP marker was gone before printing DONE (its last line before
# it powers off), with neither a panic nor an oops on its console and no
# "shut down" (triple fault) that okvm logged after dmesg line SINCE.  The
# caller checks that QEMU exited 0, which with -no-reboot is a reset: one
# that neither the guest kernel nor okvm asked for.  On the bench it
# comes with 4-vCPU guests, like the resets before the marker and the
# lost exits above (Documentation/mmu.md); a VMM test runs such a guest
# once more and says so.
l0_vanished() {
	local out=$1 done=$2 since=$3
	grep -qa 'OKVM-GUEST-UP' <<<"$out" || return 1
	grep -qa -- "$done" <<<"$out" && return 1
	grep -qa -E 'Kernel panic|BUG:|Oops|general protection|WARNING:' \
		<<<"$out" && return 1
	! okvm_dmesg_since "$since" | grep -q 'okvm: vCPU .* shut down'
}
# What a test prints for such a guest; its runner matches the line.
# shellcheck disable=SC2034 # used by the scripts that source this
l0_vanished_msg="vanished after its marker: a reset with no panic and no triple fault"

# okvm_dmesg_since N: okvm's dmesg lines after line N (a count taken
# before the guest started).
okvm_dmesg_since() {
	dmesg | tail -n +"$(($1 + 1))" | grep -a okvm
}
