#!/bin/bash
# Boot the Linux guest under QEMU with 1 and 4 vCPUs, on NPT and on shadow
# paging, once on okvm and once on the kernel's own kvm-amd, each in a fresh
# nested machine, and print the boot times side by side.
#   compare.sh [SMP...]        (default: 1 4)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
VM=tools/testing/vm/run
smps=("${@:-1}")
[ $# -gt 0 ] || smps=(1 4)
rows=() fails=0

# boot KIND NPT SMP -> "seconds" or "FAIL"
boot() {
	local kind=$1 npt=$2 smp=$3 out t opt=()
	[ "$kind" = upstream ] && opt=(--upstream)
	out=$($VM "${opt[@]}" --param kvm_amd.npt="$npt" --timeout 1800 -- \
		tools/testing/linux-guest/boot.sh "$smp" 2>&1)
	if [ $? -ne 0 ]; then
		printf '%s\n' "$out" | tail -5 >&2
		echo FAIL
		return
	fi
	t=$(sed -n 's/^qemu exit 0, \([0-9.]*\) s$/\1/p' <<<"$out")
	echo "${t:-FAIL}"
}

for npt in 1 0; do
	for smp in "${smps[@]}"; do
		up=$(boot upstream "$npt" "$smp")
		ours=$(boot okvm "$npt" "$smp")
		[ "$ours" = FAIL ] && fails=$((fails + 1))
		rows+=("$(printf '%-8s %4s %12s %12s' "npt=$npt" "$smp" "$up" "$ours")")
	done
done
printf '%-8s %4s %12s %12s\n' mmu vcpus "upstream(s)" "okvm(s)"
printf '%s\n' "${rows[@]}"
echo "$(( ${#rows[@]} - fails )) passed, $fails failed"
[ "$fails" = 0 ]
