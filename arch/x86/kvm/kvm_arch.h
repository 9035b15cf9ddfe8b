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

/* kvm_run, the port I/O data page, the coalesced MMIO ring. */
#define OKVM_VCPU_MMAP_PAGES	(KVM_COALESCED_MMIO_PAGE_OFFSET + 1)

/* Any interrupt makes the CPU leave guest mode: a reschedule IPI. */
static inline void okvm_arch_kick_cpu(struct okvm_vcpu *vcpu, int cpu)
{
	smp_send_reschedule(cpu);
}

#endif /* OKVM_X86_KVM_ARCH_H */
