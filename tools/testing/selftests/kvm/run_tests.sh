#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# okvm selftests runner: run every test binary in bin/ (or the ones named
# on the command line), one line per test, then "N passed, N failed,
# N skipped".  Exit status is 1 if any test failed.
#
#   run_tests.sh [-t SECONDS] [-v] [TEST...]
#     -t  per-test timeout (default $KVM_TEST_TIMEOUT or 120)
#     -v  print every test's output, not only that of failed tests
#
# A test passes with exit 0 and is skipped with exit 4; anything else,
# including a timeout, is a failure.

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
BIN=$DIR/bin
ORDER=(api vcpu memslots exits memory migrate hotplug unload
       cpuid msrs msr_exit fpu events clock mce paging coalesced ioeventfd irqfd guest_debug irqchip pit
       msi_dest sync_regs stats trace spin quirks pv huge)
# Long tests run only when named (test-all gives them a step of their own
# with a longer timeout): ksm takes minutes of KSM scanning.
SLOW=(ksm)
timeout_s=${KVM_TEST_TIMEOUT:-120}
verbose=0

while getopts "t:v" opt; do
	case $opt in
	t) timeout_s=$OPTARG ;;
	v) verbose=1 ;;
	*) echo "usage: $0 [-t SECONDS] [-v] [TEST...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	# Known tests first in a fixed order, then any other binary.
	for t in "${ORDER[@]}"; do
		[ -x "$BIN/$t" ] && tests+=("$t")
	done
	for f in "$BIN"/*; do
		t=${f##*/}
		[ -f "$f" ] && [ -x "$f" ] || continue
		[[ " ${ORDER[*]} ${SLOW[*]} " == *" $t "* ]] || tests+=("$t")
	done
fi
if [ ${#tests[@]} -eq 0 ]; then
	echo "no test binaries in $BIN (run make first)" >&2
	exit 2
fi

log=$(mktemp -d "${TMPDIR:-/tmp}/kvm-selftests.XXXXXX") || exit 2
trap 'rm -rf "$log"' EXIT

passed=0 failed=0 skipped=0
for t in "${tests[@]}"; do
	out=$log/$t.out
	start=$EPOCHREALTIME
	if [ -x "$BIN/$t" ]; then
		timeout -k 5 "$timeout_s" "$BIN/$t" >"$out" 2>&1 </dev/null
		rc=$?
	else
		echo "no such test binary: $BIN/$t" >"$out"
		rc=127
	fi
	secs=$(awk -v a="$EPOCHREALTIME" -v b="$start" 'BEGIN { printf "%.1f", a - b }')
	case $rc in
	0)
		echo "PASS $t (${secs}s)"
		passed=$((passed + 1))
		;;
	4)
		reason=$(grep -m1 '# SKIP' "$out" | sed 's/.*# SKIP *//')
		echo "SKIP $t${reason:+ ($reason)}"
		skipped=$((skipped + 1))
		;;
	*)
		what="exit $rc"
		[ $rc -eq 124 ] && what="timeout after ${timeout_s}s"
		[ $rc -gt 128 ] && [ $rc -ne 124 ] && what="signal $((rc - 128))"
		echo "FAIL $t ($what, ${secs}s)"
		failed=$((failed + 1))
		[ $verbose -eq 1 ] || sed 's/^/    /' "$out" | tail -n 40
		;;
	esac
	[ $verbose -eq 1 ] && sed 's/^/    /' "$out"
done

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
