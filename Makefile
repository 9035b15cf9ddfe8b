# SPDX-License-Identifier: GPL-2.0-only
#
# make            build kvm.ko, kvm-amd.ko and kvm-intel.ko against KDIR
# make check      the same with W=1 and sparse (C=2); fails on any warning
# make clean
#
# KDIR defaults to the running kernel's build tree, else that of the kernel
# the test benches boot (tools/testing/default-kernel: Debian's 6.1), else
# the newest installed Debian /usr/src/linux-headers-*-amd64.  Another
# kernel: e.g. make KDIR=/lib/modules/6.12.115+deb12-amd64/build.

KDIR ?= $(shell d=/lib/modules/$$(uname -r)/build; \
	if [ -d $$d ]; then echo $$d; \
	elif d=$$(sh tools/testing/default-kernel --kdir); then echo $$d; \
	else ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1; fi)

.PHONY: all modules check clean

all: modules

modules:
	@test -n "$(KDIR)" || { echo "no kernel headers: set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

check:
	@test -n "$(KDIR)" || { echo "no kernel headers: set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null
	@mkdir -p build
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 C=2 modules 2>&1 | tee build/check.log
	@if grep -E '(warning|error):' build/check.log; then \
		echo "make check: warnings found" >&2; exit 1; fi
	@echo "make check: clean"

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf build

# make upstream-selftests: build the Linux 6.1 KVM selftests from Debian's
# linux-source-6.1, run each of them in the nested bench on upstream kvm_amd
# and on okvm, and refresh the table in Documentation/upstream-selftests.md.
# Long (about half an hour); CI runs `tools/testing/upstream-selftests/run --ci`.
.PHONY: upstream-selftests
upstream-selftests: modules
	tools/testing/upstream-selftests/run

# make bench: okvm against the distribution's kvm_amd in one nested bench
# machine, alternating (tools/testing/bench/run, about 10-15 minutes);
# prints the table and writes it to Documentation/bench.md.  BENCH_ARGS,
# e.g. "--reps 5 --boot-reps 2" or "--no-doc"; OKVM_VM_LOCK=FILE runs the
# nested machine under flock FILE.
.PHONY: bench print-kdir
print-kdir:
	@echo $(KDIR)

bench: modules
	tools/testing/bench/run $(BENCH_ARGS)
