// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86's statistics in KVM_GET_STATS_FD (virt/kvm/stats.c): the
 * descriptors of enum okvm_x86_vcpu_stat, in its order, with KVM's names
 * and in KVM's relative order (the counters KVM has and okvm has not
 * are left out) so that tools reading them (kvm_stat, the selftests)
 * find them.  The debugfs files (virt/kvm/debugfs.c) come from here too.
 */
#include "kvm_core.h"

const struct okvm_stat_desc okvm_arch_vcpu_stat_descs[] = {
	{ "pf_taken", OKVM_STAT_COUNT, 0 },
	{ "pf_fixed", OKVM_STAT_COUNT, 0 },
	{ "pf_emulate", OKVM_STAT_COUNT, 0 },
	{ "pf_guest", OKVM_STAT_COUNT, 0 },
	{ "tlb_flush", OKVM_STAT_COUNT, 0 },
	{ "invlpg", OKVM_STAT_COUNT, 0 },
	{ "exits", OKVM_STAT_COUNT, 0 },
	{ "io_exits", OKVM_STAT_COUNT, 0 },
	{ "mmio_exits", OKVM_STAT_COUNT, 0 },
	{ "signal_exits", OKVM_STAT_COUNT, 0 },
	{ "irq_window_exits", OKVM_STAT_COUNT, 0 },
	{ "nmi_window_exits", OKVM_STAT_COUNT, 0 },
	{ "halt_exits", OKVM_STAT_COUNT, 0 },
	{ "request_irq_exits", OKVM_STAT_COUNT, 0 },
	{ "irq_exits", OKVM_STAT_COUNT, 0 },
	{ "insn_emulation", OKVM_STAT_COUNT, 0 },
	{ "insn_emulation_fail", OKVM_STAT_COUNT, 0 },
	{ "hypercalls", OKVM_STAT_COUNT, 0 },
	{ "irq_injections", OKVM_STAT_COUNT, 0 },
	{ "nmi_injections", OKVM_STAT_COUNT, 0 },
};
static_assert(ARRAY_SIZE(okvm_arch_vcpu_stat_descs) == OKVM_ARCH_NR_VCPU_STATS);

/* In the order of enum okvm_x86_vm_stat. */
const struct okvm_stat_desc okvm_arch_vm_stat_descs[] = {
	{ "pages_4k", OKVM_STAT_NOW, 0 },
	{ "pages_2m", OKVM_STAT_NOW, 0 },
	{ "pages_1g", OKVM_STAT_NOW, 0 },
	{ "nx_lpage_splits", OKVM_STAT_NOW, 0 },
};
static_assert(ARRAY_SIZE(okvm_arch_vm_stat_descs) == OKVM_ARCH_NR_VM_STATS);
