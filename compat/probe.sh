#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Print the -D flags of compat/compat.h for the kernel headers in $1 (the
# kernel source tree Kbuild calls srctree).  An API is detected by what
# its header declares, since distributions backport API changes.
src=$1

# has FILE REGEX MACRO: -DMACRO if FILE (under $src) matches REGEX.
has() {
	grep -qE "$2" "$src/$1" 2>/dev/null && printf ' -D%s' "$3"
}

has include/linux/syscore_ops.h 'void register_syscore\(struct syscore \*' \
	OKVM_HAVE_SYSCORE_DATA
[ -e "$src/arch/x86/include/asm/cpuid/api.h" ] &&
	printf ' -D%s' OKVM_HAVE_ASM_CPUID_API
has arch/x86/include/asm/svm.h 'u64 misc_ctl;' OKVM_HAVE_VMCB_MISC_CTL
has include/linux/hrtimer.h 'void hrtimer_setup\(' OKVM_HAVE_HRTIMER_SETUP
has include/linux/smp.h 'trace_ipi_send_cpu' OKVM_HAVE_TRACE_IPI_SEND
has include/linux/eventfd.h 'void eventfd_signal\(struct eventfd_ctx \*ctx\)' \
	OKVM_HAVE_EVENTFD_SIGNAL_NO_COUNT
has arch/x86/include/asm/virt.h 'int x86_virt_get_ref\(int' \
	OKVM_HAVE_X86_VIRT_REF
has include/linux/timekeeping.h 'void ktime_get_snapshot_id\(' \
	OKVM_HAVE_KTIME_GET_SNAPSHOT_ID
if ! grep -qE '(define|void) wrmsrl\b' "$src/arch/x86/include/asm/msr.h" \
	2>/dev/null; then
	has arch/x86/include/asm/msr.h 'rdmsrq' OKVM_HAVE_RDMSRQ
fi
echo
