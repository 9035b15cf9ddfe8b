// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86's statistics in KVM_GET_STATS_FD (virt/kvm/stats.c): the
 * descriptors of enum okvm_x86_vcpu_stat and enum okvm_x86_vm_stat, with
 * Linux 6.1's names, types and order (the vCPU counters 6.1 has and okvm
 * cannot count are left out; Documentation/stats.md) so that tools
 * reading them (kvm_stat, the selftests) find them.  The debugfs files
 * (virt/kvm/debugfs.c) come from here too.
 */
#include "kvm_core.h"

#define X86_VCPU_STAT(e, name, flags) \
	OKVM_STAT_DESC(OKVM_X86_STAT_##e, name, flags, 0)

const struct okvm_stat_desc okvm_arch_vcpu_stat_descs[] = {
	X86_VCPU_STAT(PF_TAKEN, "pf_taken", OKVM_STAT_COUNT),
	X86_VCPU_STAT(PF_FIXED, "pf_fixed", OKVM_STAT_COUNT),
	X86_VCPU_STAT(PF_EMULATE, "pf_emulate", OKVM_STAT_COUNT),
	X86_VCPU_STAT(PF_GUEST, "pf_guest", OKVM_STAT_COUNT),
	X86_VCPU_STAT(TLB_FLUSH, "tlb_flush", OKVM_STAT_COUNT),
	X86_VCPU_STAT(INVLPG, "invlpg", OKVM_STAT_COUNT),
	X86_VCPU_STAT(EXITS, "exits", OKVM_STAT_COUNT),
	X86_VCPU_STAT(IO_EXITS, "io_exits", OKVM_STAT_COUNT),
	X86_VCPU_STAT(MMIO_EXITS, "mmio_exits", OKVM_STAT_COUNT),
	X86_VCPU_STAT(SIGNAL_EXITS, "signal_exits", OKVM_STAT_COUNT),
	X86_VCPU_STAT(IRQ_WINDOW_EXITS, "irq_window_exits", OKVM_STAT_COUNT),
	X86_VCPU_STAT(NMI_WINDOW_EXITS, "nmi_window_exits", OKVM_STAT_COUNT),
	X86_VCPU_STAT(HALT_EXITS, "halt_exits", OKVM_STAT_COUNT),
	X86_VCPU_STAT(REQUEST_IRQ_EXITS, "request_irq_exits", OKVM_STAT_COUNT),
	X86_VCPU_STAT(IRQ_EXITS, "irq_exits", OKVM_STAT_COUNT),
	X86_VCPU_STAT(HOST_STATE_RELOAD, "host_state_reload", OKVM_STAT_COUNT),
	X86_VCPU_STAT(FPU_RELOAD, "fpu_reload", OKVM_STAT_COUNT),
	X86_VCPU_STAT(INSN_EMULATION, "insn_emulation", OKVM_STAT_COUNT),
	X86_VCPU_STAT(INSN_EMULATION_FAIL, "insn_emulation_fail", OKVM_STAT_COUNT),
	X86_VCPU_STAT(HYPERCALLS, "hypercalls", OKVM_STAT_COUNT),
	X86_VCPU_STAT(IRQ_INJECTIONS, "irq_injections", OKVM_STAT_COUNT),
	X86_VCPU_STAT(NMI_INJECTIONS, "nmi_injections", OKVM_STAT_COUNT),
	X86_VCPU_STAT(DIRECTED_YIELD_ATTEMPTED, "directed_yield_attempted", OKVM_STAT_COUNT),
	X86_VCPU_STAT(DIRECTED_YIELD_SUCCESSFUL, "directed_yield_successful", OKVM_STAT_COUNT),
	X86_VCPU_STAT(PREEMPTION_REPORTED, "preemption_reported", OKVM_STAT_COUNT),
	X86_VCPU_STAT(PREEMPTION_OTHER, "preemption_other", OKVM_STAT_COUNT),
	X86_VCPU_STAT(GUEST_MODE, "guest_mode", OKVM_STAT_NOW_BOOL),
	X86_VCPU_STAT(NOTIFY_WINDOW_EXITS, "notify_window_exits", OKVM_STAT_COUNT),
};
static_assert(ARRAY_SIZE(okvm_arch_vcpu_stat_descs) == OKVM_ARCH_NR_VCPU_STATS);

#define X86_VM_STAT(e, name, flags) \
	OKVM_STAT_DESC(OKVM_X86_VM_STAT_##e, name, flags, 0)

/* In KVM's descriptor order. */
const struct okvm_stat_desc okvm_arch_vm_stat_descs[] = {
	X86_VM_STAT(MMU_SHADOW_ZAPPED, "mmu_shadow_zapped", OKVM_STAT_COUNT),
	X86_VM_STAT(MMU_PTE_WRITE, "mmu_pte_write", OKVM_STAT_COUNT),
	X86_VM_STAT(MMU_PDE_ZAPPED, "mmu_pde_zapped", OKVM_STAT_COUNT),
	X86_VM_STAT(MMU_FLOODED, "mmu_flooded", OKVM_STAT_COUNT),
	X86_VM_STAT(MMU_RECYCLED, "mmu_recycled", OKVM_STAT_COUNT),
	X86_VM_STAT(MMU_CACHE_MISS, "mmu_cache_miss", OKVM_STAT_COUNT),
	X86_VM_STAT(MMU_UNSYNC, "mmu_unsync", OKVM_STAT_NOW),
	X86_VM_STAT(PAGES_4K, "pages_4k", OKVM_STAT_NOW),
	X86_VM_STAT(PAGES_2M, "pages_2m", OKVM_STAT_NOW),
	X86_VM_STAT(PAGES_1G, "pages_1g", OKVM_STAT_NOW),
	X86_VM_STAT(NX_LPAGE_SPLITS, "nx_lpage_splits", OKVM_STAT_NOW),
	X86_VM_STAT(MAX_MMU_RMAP_SIZE, "max_mmu_rmap_size", OKVM_STAT_PEAK),
	X86_VM_STAT(MAX_MMU_PAGE_HASH_COLLISIONS, "max_mmu_page_hash_collisions", OKVM_STAT_PEAK),
};
static_assert(ARRAY_SIZE(okvm_arch_vm_stat_descs) == OKVM_ARCH_NR_VM_STATS);
