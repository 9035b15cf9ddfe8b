// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_SET_NR_MMU_PAGES / KVM_GET_NR_MMU_PAGES (KVM_CAP_MMU_SHADOW_CACHE_
 * CONTROL): a cap on the tables the shadow MMU keeps.
 *
 * What GET reports follows KVM: the value last set; before any SET, one
 * table per 50 guest pages of all memslots (at least 64) once a memslot
 * was ever created, and 0 before that.
 *
 * What the cap does in okvm: each vCPU's shadow table is dropped and
 * started afresh at a CR3 load once it holds more tables than the value
 * set (and never more than SH_MAX_PAGES, shadow.c).  The limit is per
 * vCPU, not for the whole VM as in KVM; with NPT nothing is limited.
 */
#include <linux/kvm.h>

#include "kvm_core.h"
#include "mmu.h"

#define OKVM_MIN_MMU_PAGES		64UL
#define OKVM_SLOT_PAGES_PER_MMU_PAGE	50

long okvm_vm_set_nr_mmu_pages(struct okvm_vm *vm, unsigned long nr)
{
	if (nr < OKVM_MIN_MMU_PAGES)
		return -EINVAL;
	mutex_lock(&vm->slots_lock);
	WRITE_ONCE(vm->arch.mmu_pages_requested, nr);
	mutex_unlock(&vm->slots_lock);
	return 0;
}

long okvm_vm_get_nr_mmu_pages(struct okvm_vm *vm)
{
	unsigned long nr;

	mutex_lock(&vm->slots_lock);
	nr = vm->arch.mmu_pages_requested;
	if (!nr && vm->slot_created)
		nr = max_t(unsigned long, OKVM_MIN_MMU_PAGES,
			   vm->slot_pages / OKVM_SLOT_PAGES_PER_MMU_PAGE);
	mutex_unlock(&vm->slots_lock);
	return nr;
}

/* How many tables one vCPU's shadow table may hold before a CR3 load. */
unsigned long okvm_shadow_max_pages(struct okvm_vm *vm, unsigned long dflt)
{
	unsigned long nr = READ_ONCE(vm->arch.mmu_pages_requested);

	return nr ? min(nr, dflt) : dflt;
}
