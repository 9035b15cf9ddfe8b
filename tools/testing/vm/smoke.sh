#!/bin/bash
# Smoke test of the nested-VM bench (tools/testing/vm/run) itself.
# Boots the VM a few times (~6-8 s each) and checks the plumbing:
# exit codes, output, upstream kvm_amd with NPT, the dmesg scanner, and
# (if kernel headers are there) the "ours" path with stand-in kvm modules.
# Prints "N passed, N failed" last; exits non-zero if anything failed.

set -uo pipefail
VMDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
RUN=$VMDIR/run
pass=0 fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/okvm-smoke.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# check NAME EXPECTED_RC GREP_RE -- run-args...: run the bench, compare the
# exit code and require GREP_RE (if not empty) in its stdout+stderr.
check() {
	local name=$1 want=$2 re=$3 rc t0 t1
	shift 4
	t0=$(date +%s.%N)
	(cd "$tmp" && "$RUN" "$@") >"$tmp/out" 2>&1 </dev/null
	rc=$?
	t1=$(date +%s.%N)
	if [ "$rc" = "$want" ] && { [ -z "$re" ] || grep -qE "$re" "$tmp/out"; }; then
		pass=$((pass + 1))
		printf 'ok   %-28s (exit %s, %.1fs)\n' "$name" "$rc" "$(echo "$t1 - $t0" | bc)"
	else
		fail=$((fail + 1))
		printf 'FAIL %-28s (exit %s, wanted %s; output below)\n' "$name" "$rc" "$want"
		sed 's/^/    | /' "$tmp/out" | tail -n 40
	fi
}

# Stand-in kvm.ko / kvm-amd.ko: kvm registers the 10:232 misc device, kvm_amd
# uses a symbol of kvm so that the load and unload order matters.
build_fake_modules() {
	local kdir=/lib/modules/$1/build
	[ -d "$kdir" ] || return 1
	mkdir -p "$tmp/fake"
	cat >"$tmp/fake/kvm.c" <<'EOF'
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>

static const struct file_operations fake_fops = { .owner = THIS_MODULE };
static struct miscdevice fake_dev = {
	.minor = 232, .name = "kvm", .fops = &fake_fops,
};

int fake_kvm_hello(void) { return 42; }
EXPORT_SYMBOL_GPL(fake_kvm_hello);

static int __init fake_init(void) { return misc_register(&fake_dev); }
static void __exit fake_exit(void) { misc_deregister(&fake_dev); }
module_init(fake_init);
module_exit(fake_exit);
MODULE_LICENSE("GPL");
EOF
	cat >"$tmp/fake/kvm-amd.c" <<'EOF'
#include <linux/module.h>

int fake_kvm_hello(void);
static int answer = 1;
module_param(answer, int, 0444);

static int __init fake_init(void)
{
	pr_info("fake kvm_amd: kvm says %d, answer=%d\n", fake_kvm_hello(), answer);
	return 0;
}
static void __exit fake_exit(void) { }
module_init(fake_init);
module_exit(fake_exit);
MODULE_LICENSE("GPL");
EOF
	echo 'obj-m := kvm.o kvm-amd.o' >"$tmp/fake/Kbuild"
	make -s -C "$kdir" M="$tmp/fake" modules >"$tmp/fake/build.log" 2>&1
}

kver=$(cd "$tmp" && "$RUN" --no-modules -- uname -r 2>/dev/null </dev/null)

check "boot, uname -r" 0 "^${kver:-unknown}\$" -- --no-modules -- uname -r
check "exit code is passed on" 3 "" -- --no-modules -- sh -c 'exit 3'
check "stdout and stderr" 0 "^to-err\$" -- --no-modules -- sh -c 'echo to-err >&2'
check "upstream kvm_amd, NPT" 0 "Nested Paging enabled" -- --upstream -- \
	sh -c 'ls -l /dev/kvm && dmesg | grep -i "Nested Paging"'
check "upstream, --param npt=0" 0 "Nested Paging disabled" -- --upstream \
	--param kvm_amd.npt=0 -- sh -c 'dmesg | grep -i "Nested Paging"'
check "WARNING in dmesg -> 125" 125 "fake splat" -- --no-modules -- \
	sh -c 'echo "WARNING: CPU: 0 PID: 1 at fake splat" >/dev/kmsg'
check "timeout -> 124" 124 "timeout" -- --no-modules --timeout 20 -- sleep 100
if [ -n "$kver" ] && build_fake_modules "$kver"; then
	check "ours (stand-in modules)" 0 "kvm says 42, answer=7" -- \
		--modules "$tmp/fake" --param kvm_amd.answer=7 -- \
		sh -c 'test -c /dev/kvm && dmesg | grep "fake kvm_amd"'
	check "ours, unload failure -> 125" 125 "rmmod kvm failed" -- \
		--modules "$tmp/fake" -- sh -c 'sleep 100 </dev/kvm & sleep 0.2'
else
	echo "skip ours (stand-in modules): no headers for '$kver' or build failed"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
