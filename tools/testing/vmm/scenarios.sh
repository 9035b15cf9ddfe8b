#!/bin/bash
# Run qemu-devices.sh scenarios with one or more QEMUs, inside the nested
# test machine, and print one line per run:
#   RESULT <qemu version> <scenario> ok|FAIL <seconds>
#   scenarios.sh [-q BINDIR]... SCENARIO...
# -q adds a QEMU (a directory holding qemu-system-x86_64, e.g. from
# tools/testing/suite-qemu); without -q, the QEMU in PATH.  A scenario
# NAME+split runs NAME on OKVM_VMM_MACHINE's default machine with
# kernel-irqchip=split (q35 for virtio/vhost, microvm for microvm).
# Ends with "N passed, N failed"; exit 0 only if every run passed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=SCRIPTDIR/../l0-defect.sh
. "$here/../l0-defect.sh"
qemus=()
while [ "${1:-}" = -q ]; do
	qemus+=("$2")
	shift 2
done
[ ${#qemus[@]} -gt 0 ] || qemus=("")
# run_one PATH MACHINE SCENARIO: qemu-devices.sh's output and status.
run_one() {
	PATH=$1 OKVM_VMM_MACHINE=${2:-${OKVM_VMM_MACHINE:-}} \
		"$here/qemu-devices.sh" "$3" 2>&1
}

fail=0 np=0 nf=0
for q in "${qemus[@]}"; do
	path=$PATH
	[ -n "$q" ] && path=$q:$PATH
	ver=$(PATH=$path qemu-system-x86_64 --version | head -n 1 |
		sed -n 's/.*version \([0-9.]*\).*/\1/p')
	for s in "$@"; do
		name=${s%+split} machine=''
		if [ "$name" != "$s" ]; then
			case $name in
			microvm) machine=microvm,kernel-irqchip=split ;;
			*) machine=q35,kernel-irqchip=split ;;
			esac
		fi
		out=$(run_one "$path" "$machine" "$name")
		rc=$?
		# A guest that never reached its /init (no OKVM-GUEST-UP: it
		# reset or stopped while Linux booted) is run once more, and
		# said so; a failed check after that is never repeated.
		# (The "missing: OKVM-GUEST-UP" report names the marker too.)
		# A guest stopped by the bench CPU's defect (qemu-devices.sh
		# says so) is run again too, at most OKVM_VMM_L0_RETRIES (2)
		# times, and once a guest that vanished after its marker (a
		# reset that neither it nor okvm asked for, l0-defect.sh).
		tries=0 l0=0 noinit=0 vanished=0
		while [ "$rc" != 0 ]; do
			if grep -qa '^stopped by the L0 defect' <<<"$out" &&
			   [ $l0 -lt "${OKVM_VMM_L0_RETRIES:-2}" ]; then
				why="stopped by the L0 defect" l0=$((l0 + 1))
			elif [ $noinit = 0 ] &&
			     ! grep -a 'OKVM-GUEST-UP' <<<"$out" |
			     grep -qv '^missing: '; then
				why="the guest never reached /init" noinit=1
			elif [ $vanished = 0 ] &&
			     grep -qa "^$l0_vanished_msg" <<<"$out"; then
				why="the guest vanished after its marker" vanished=1
			else
				break
			fi
			tries=$((tries + 1))
			printf '%s\n' "$out" | grep -v 'warning:' |
				sed "s/^/[$ver $s, attempt $tries] /"
			echo "[$ver $s] $why: once more"
			out=$(run_one "$path" "$machine" "$name")
			rc=$?
		done
		printf '%s\n' "$out" | grep -v 'warning:' | sed "s/^/[$ver $s] /"
		t=$(sed -n 's/^qemu exit [0-9]*, \([0-9.]*\) s$/\1/p' <<<"$out")
		res=ok np=$((np + 1))
		[ "$rc" = 0 ] || { res=FAIL fail=1 np=$((np - 1)) nf=$((nf + 1)); }
		echo "RESULT $ver $s $res ${t:--}"
	done
done
echo "$np passed, $nf failed"
exit "$fail"
