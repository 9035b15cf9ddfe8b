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
qemus=()
while [ "${1:-}" = -q ]; do
	qemus+=("$2")
	shift 2
done
[ ${#qemus[@]} -gt 0 ] || qemus=("")
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
		out=$(PATH=$path OKVM_VMM_MACHINE=${machine:-${OKVM_VMM_MACHINE:-}} \
			"$here/qemu-devices.sh" "$name" 2>&1)
		rc=$?
		printf '%s\n' "$out" | grep -v 'warning:' | sed "s/^/[$ver $s] /"
		t=$(sed -n 's/^qemu exit [0-9]*, \([0-9.]*\) s$/\1/p' <<<"$out")
		res=ok np=$((np + 1))
		[ "$rc" = 0 ] || { res=FAIL fail=1 np=$((np - 1)) nf=$((nf + 1)); }
		echo "RESULT $ver $s $res ${t:--}"
	done
done
echo "$np passed, $nf failed"
exit "$fail"
