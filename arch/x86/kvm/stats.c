// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86's statistics in KVM_GET_STATS_FD (virt/kvm/stats.c): the
 * descriptors of enum okvm_x86_vcpu_stat, in its order, with KVM's names
 * so that tools reading them (kvm_stat, the selftests) find them.
 */
#include "kvm_core.h"

#define OKVM_X86_COUNT	(KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_NONE | \
			 KVM_STATS_BASE_POW10)

const struct okvm_stat_desc okvm_arch_vcpu_stat_descs[] = {
	{ "exits", OKVM_X86_COUNT, 0 },
	{ "irq_exits", OKVM_X86_COUNT, 0 },
	{ "halt_exits", OKVM_X86_COUNT, 0 },
	{ "irq_window_exits", OKVM_X86_COUNT, 0 },
	{ "hypercalls", OKVM_X86_COUNT, 0 },
	{ "io_exits", OKVM_X86_COUNT, 0 },
	{ "mmio_exits", OKVM_X86_COUNT, 0 },
	{ "signal_exits", OKVM_X86_COUNT, 0 },
	{ "request_irq_exits", OKVM_X86_COUNT, 0 },
	{ "irq_injections", OKVM_X86_COUNT, 0 },
	{ "nmi_injections", OKVM_X86_COUNT, 0 },
	{ "tlb_flush", OKVM_X86_COUNT, 0 },
};
static_assert(ARRAY_SIZE(okvm_arch_vcpu_stat_descs) == OKVM_ARCH_NR_VCPU_STATS);

/* No x86 VM counters yet; the generic ones are all a VM has. */
const struct okvm_stat_desc okvm_arch_vm_stat_descs[] = {};
