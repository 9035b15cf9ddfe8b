#!/bin/bash
# The VMM scenarios (scenarios.sh) on upstream kvm-amd and on okvm, each in
# a fresh nested machine, side by side:
#   compare.sh [SCENARIO...]   (default: virtio vhost legacy microvm
#                               virtio+split)
# QEMU 7.2 (bookworm) always; sid's QEMU 11 and trixie's QEMU 10 with
# OKVM_VMM_SUITES="sid trixie" (the default), each from its own root
# (tools/testing/sid-check qemu, tools/testing/suite-qemu).  Prints
#   qemu  scenario  upstream-s  okvm-s  ratio
# and exits 0 only if every okvm run passed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.." || exit 2
scen=("$@")
[ $# -gt 0 ] || scen=(virtio vhost legacy microvm virtio+split)
qargs=()
for s in ${OKVM_VMM_SUITES-sid trixie}; do
	if [ "$s" = sid ]; then
		b=$(tools/testing/sid-check qemu) || exit 1
	else
		b=$(tools/testing/suite-qemu "$s") || exit 1
	fi
	qargs+=(-q "$b")
done
declare -A res
for kind in upstream okvm; do
	opt=(--modules "${OKVM_MODULES:-.}")
	[ "$kind" = upstream ] && opt=(--upstream)
	out=$(tools/testing/vm/run "${opt[@]}" --timeout 900 -- env OKVM_GUEST_TIMEOUT=300 \
		tools/testing/vmm/scenarios.sh -q "" "${qargs[@]}" "${scen[@]}" 2>&1)
	printf '%s\n' "$out" | grep -E '^\[.*(missing|ok$|exit)|^RESULT' >&2
	while read -r _ ver s r t; do
		[ "$r" = ok ] || t=$r
		res[$kind $ver $s]=$t
	done < <(grep '^RESULT' <<<"$out")
done
num() { [[ $1 =~ ^[0-9.]+$ ]]; }
fail=0
rows=()
for key in "${!res[@]}"; do
	[[ $key == okvm\ * ]] || continue
	read -r _ ver s <<<"$key"
	up=${res[upstream $ver $s]:--} ours=${res[$key]} ratio=-
	num "$ours" || fail=1
	num "$ours" && num "$up" && ratio=$(echo "scale=2; $ours / $up" | bc)
	rows+=("$(printf '%-8s %-14s %10s %10s %6s' "$ver" "$s" "$up" "$ours" "$ratio")")
done
# A nested machine that died reports nothing: count okvm's results.
[ ${#rows[@]} = $(( (${#qargs[@]} / 2 + 1) * ${#scen[@]} )) ] || fail=1
printf '%-8s %-14s %10s %10s %6s\n' qemu scenario upstream okvm ratio
printf '%s\n' "${rows[@]}" | sort
exit "$fail"
