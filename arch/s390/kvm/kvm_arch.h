/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * s390's part of the generic structures, included by virt/kvm/kvm_core.h.
 * There is no s390 back end yet (stub.c): nothing to keep per VM or vCPU.
 */
#ifndef OKVM_S390_KVM_ARCH_H
#define OKVM_S390_KVM_ARCH_H

struct okvm_vm_arch {
};

struct okvm_vcpu_arch {
};

/* No counters of its own in KVM_GET_STATS_FD (stub.c has the empty lists). */
#define OKVM_ARCH_NR_VM_STATS	0
#define OKVM_ARCH_NR_VCPU_STATS	0

/* No fault path maps a KVM_MEM_READONLY slot read-only: refused. */
#define OKVM_ARCH_MEM_FLAGS	0

/* kvm_run alone: s390's UAPI has no port I/O page, no coalesced ring. */
#define OKVM_VCPU_MMAP_PAGES	1

/* No guest ever runs, so no CPU is ever in guest mode. */
static inline void okvm_arch_kick_cpu(struct okvm_vcpu *vcpu, int cpu)
{
}

#endif /* OKVM_S390_KVM_ARCH_H */
