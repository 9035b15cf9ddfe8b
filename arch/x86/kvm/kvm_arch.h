/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86's part of the generic structures, included by virt/kvm/kvm_core.h:
 * struct okvm_vm_arch and struct okvm_vcpu_arch live in x86.h, shared with
 * the vendor modules.
 */
#ifndef OKVM_X86_KVM_ARCH_H
#define OKVM_X86_KVM_ARCH_H

#include <linux/smp.h>

#include "x86.h"

/* The second-level MMU maps KVM_MEM_READONLY slots read-only. */
#define OKVM_ARCH_MEM_FLAGS	KVM_MEM_READONLY

/*
 * x86's statistics, after the generic ones (virt/kvm/stats.c); their
 * names, in okvm_arch_vcpu_stat_descs[] (stats.c), are KVM's.
 */
enum okvm_x86_vcpu_stat {
	OKVM_X86_STAT_PF_TAKEN,		/* #PF or NPF handled by the MMU */
	OKVM_X86_STAT_PF_FIXED,		/* ... that installed a translation */
	OKVM_X86_STAT_PF_EMULATE,	/* ... that went to the emulator */
	OKVM_X86_STAT_PF_GUEST,		/* #PF injected into the guest */
	OKVM_X86_STAT_TLB_FLUSH,	/* guest TLB flushes at entry */
	OKVM_X86_STAT_INVLPG,		/* INVLPG intercepted (shadow) */
	OKVM_X86_STAT_EXITS,		/* every exit from the guest */
	OKVM_X86_STAT_IO_EXITS,		/* IN/OUT/INS/OUTS */
	OKVM_X86_STAT_MMIO_EXITS,	/* to userspace: KVM_EXIT_MMIO */
	OKVM_X86_STAT_SIGNAL_EXITS,	/* KVM_EXIT_INTR */
	OKVM_X86_STAT_IRQ_WINDOW_EXITS,	/* interrupt window opened */
	OKVM_X86_STAT_NMI_WINDOW_EXITS,	/* NMI window opened (IRET) */
	OKVM_X86_STAT_HALT_EXITS,	/* HLT */
	OKVM_X86_STAT_REQUEST_IRQ_EXITS, /* KVM_EXIT_IRQ_WINDOW_OPEN */
	OKVM_X86_STAT_IRQ_EXITS,	/* for a host interrupt */
	OKVM_X86_STAT_HOST_STATE_RELOAD, /* host state back after a run */
	OKVM_X86_STAT_FPU_RELOAD,	/* userspace's FPU back after KVM_RUN */
	OKVM_X86_STAT_INSN_EMULATION,	/* instructions emulated */
	OKVM_X86_STAT_INSN_EMULATION_FAIL, /* ... that the emulator refused */
	OKVM_X86_STAT_HYPERCALLS,	/* VMCALL/VMMCALL */
	OKVM_X86_STAT_IRQ_INJECTIONS,	/* external interrupts injected */
	OKVM_X86_STAT_NMI_INJECTIONS,
	OKVM_X86_STAT_DIRECTED_YIELD_ATTEMPTED,	/* KVM_HC_SCHED_YIELD */
	OKVM_X86_STAT_DIRECTED_YIELD_SUCCESSFUL, /* ... that yielded */
	OKVM_X86_STAT_PREEMPTION_REPORTED, /* preempted after a host IRQ */
	OKVM_X86_STAT_PREEMPTION_OTHER,	/* preempted anywhere else */
	OKVM_X86_STAT_GUEST_MODE,	/* running L2: never (no nesting) */
	OKVM_X86_STAT_NOTIFY_WINDOW_EXITS, /* VMX notify exits: never */
	OKVM_ARCH_NR_VCPU_STATS
};
/* The VM's, counted by the TDP MMU (mmu/tdp.c). */
enum okvm_x86_vm_stat {
	OKVM_X86_VM_STAT_MMU_SHADOW_ZAPPED, /* shadow tables freed */
	OKVM_X86_VM_STAT_MMU_PTE_WRITE,	/* never: no write-tracking */
	OKVM_X86_VM_STAT_MMU_PDE_ZAPPED, /* never: no write-tracking */
	OKVM_X86_VM_STAT_MMU_FLOODED,	/* never: no write-tracking */
	OKVM_X86_VM_STAT_MMU_RECYCLED,	/* shadow tables restarted, too big */
	OKVM_X86_VM_STAT_MMU_CACHE_MISS, /* shadow tables allocated */
	OKVM_X86_VM_STAT_MMU_UNSYNC,	/* never: no unsync tables */
	OKVM_X86_VM_STAT_PAGES_4K,	/* live 4 KiB leaves */
	OKVM_X86_VM_STAT_PAGES_2M,	/* live 2 MiB leaves */
	OKVM_X86_VM_STAT_PAGES_1G,	/* 1 GiB leaves: okvm makes none */
	OKVM_X86_VM_STAT_NX_LPAGE_SPLITS, /* regions split by NX huge pages */
	OKVM_X86_VM_STAT_MAX_MMU_RMAP_SIZE, /* peak records of one frame */
	OKVM_X86_VM_STAT_MAX_MMU_PAGE_HASH_COLLISIONS, /* never: no hash */
	OKVM_ARCH_NR_VM_STATS
};

/* kvm_run, the port I/O data page, the coalesced MMIO ring. */
#define OKVM_VCPU_MMAP_PAGES	(KVM_COALESCED_MMIO_PAGE_OFFSET + 1)

/* Any interrupt makes the CPU leave guest mode: a reschedule IPI. */
static inline void okvm_arch_kick_cpu(struct okvm_vcpu *vcpu, int cpu)
{
	smp_send_reschedule(cpu);
}

#endif /* OKVM_X86_KVM_ARCH_H */
