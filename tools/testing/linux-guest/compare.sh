#!/bin/bash
# Boot the Linux guest under QEMU with 1 and 4 vCPUs, on NPT and on shadow
# paging, once on okvm and once on the kernel's own kvm-amd, each in a fresh
# nested machine, and print the boot times side by side.
#   compare.sh [SMP...]        (default: 1 4)
# OKVM_MODULES=DIR takes our modules from DIR (default: the repo root).
# OKVM_COMPARE_MACHINES lists QEMU machines (default "pc,kernel-irqchip=off",
# the userspace irqchip; e.g. "q35 pc" for the in-kernel one).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.." || exit 2
VM=tools/testing/vm/run
smps=("${@:-1}")
[ $# -gt 0 ] || smps=(1 4)
rows=() booted=0 hung=0 fails=0

# boot KIND NPT SMP MACHINE -> "seconds", "HANG" (QEMU killed by the guest
# timeout, $OKVM_GUEST_TIMEOUT, default 600 s) or "FAIL"
boot() {
	local kind=$1 npt=$2 smp=$3 out t opt=()
	export OKVM_GUEST_MACHINE=$4
	opt=(--modules "${OKVM_MODULES:-.}")
	[ "$kind" = upstream ] && opt=(--upstream)
	if ! out=$($VM "${opt[@]}" --param kvm_amd.npt="$npt" --timeout 1800 \
		-- tools/testing/linux-guest/boot.sh "$smp" 2>&1); then
		printf '%s\n' "$out" | grep -v 'warning:' | tail -5 >&2
		if grep -qE '^qemu exit (124|137),' <<<"$out"; then
			echo HANG
		else
			echo FAIL
		fi
		return
	fi
	t=$(sed -n 's/^qemu exit 0, \([0-9.]*\) s$/\1/p' <<<"$out")
	echo "${t:-FAIL}"
}

# ratio OURS UPSTREAM -> okvm's time over upstream's, or "-"
ratio() {
	case "$1$2" in
	*[!0-9.]*) echo - ;;
	*) echo "scale=2; $1 / $2" | bc ;;
	esac
}

read -ra machines <<<"${OKVM_COMPARE_MACHINES:-pc,kernel-irqchip=off}"
for machine in "${machines[@]}"; do
for npt in 1 0; do
	for smp in "${smps[@]}"; do
		up=$(boot upstream "$npt" "$smp" "$machine")
		ours=$(boot okvm "$npt" "$smp" "$machine")
		case $ours in
		FAIL) fails=$((fails + 1)) ;;
		HANG) hung=$((hung + 1)) ;;
		*) booted=$((booted + 1)) ;;
		esac
		rows+=("$(printf '%-22s %-8s %4s %12s %12s %7s' "$machine" \
			"npt=$npt" "$smp" "$up" "$ours" "$(ratio "$ours" "$up")")")
		echo "progress: ${rows[-1]}" >&2
	done
done
done
printf '%-22s %-8s %4s %12s %12s %7s\n' machine mmu vcpus "upstream(s)" \
	"okvm(s)" ratio
printf '%s\n' "${rows[@]}"
echo "okvm: $booted booted, $hung hung, $fails failed"
[ "$fails" = 0 ] && [ "$hung" = 0 ]
