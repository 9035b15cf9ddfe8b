// SPDX-License-Identifier: GPL-2.0-only
/*
 * MMU notifier: when the host changes or drops the user mapping behind a
 * memslot (munmap, madvise, KSM merging, reclaim, migration), the matching
 * second-level mappings go away before the host page can be reused.
 *
 * The arch's fault path (on x86 arch/x86/kvm/mmu/mmu.c) samples
 * vm->mmu_seq before it looks up the host page and installs the mapping
 * only if no invalidation is in flight (mmu_invalidating == 0) and mmu_seq
 * has not moved since.
 */
#include <linux/mmu_notifier.h>
#include <linux/mm.h>

#include "kvm_core.h"

static struct okvm_vm *mn_to_vm(struct mmu_notifier *mn)
{
	return container_of(mn, struct okvm_vm, mn);
}

/* Zap every gfn whose host address falls in [start, end). */
static void okvm_zap_hva_range(struct okvm_vm *vm, unsigned long start,
			       unsigned long end)
{
	struct okvm_memslot *slot;
	unsigned long i;

	lockdep_assert_held(&vm->mmu_lock);
	xa_for_each(&vm->slots_by_end, i, slot) {
		unsigned long s_end = slot->userspace_addr +
				      (slot->npages << PAGE_SHIFT);
		unsigned long lo = max(start, (unsigned long)slot->userspace_addr);
		unsigned long hi = min(end, s_end);
		u64 first, last;

		if (lo >= hi)
			continue;
		first = slot->base_gfn + ((lo - slot->userspace_addr) >> PAGE_SHIFT);
		last = slot->base_gfn +
		       ((hi - slot->userspace_addr + PAGE_SIZE - 1) >> PAGE_SHIFT);
		okvm_mmu_zap_gfn_range(vm, first, last);
	}
}

static int okvm_mn_invalidate_start(struct mmu_notifier *mn,
				    const struct mmu_notifier_range *range)
{
	struct okvm_vm *vm = mn_to_vm(mn);
	int idx;

	idx = srcu_read_lock(&vm->srcu);
	spin_lock(&vm->mmu_lock);
	vm->mmu_invalidating++;
	okvm_zap_hva_range(vm, range->start, range->end);
	spin_unlock(&vm->mmu_lock);
	srcu_read_unlock(&vm->srcu, idx);
	return 0;
}

static void okvm_mn_invalidate_end(struct mmu_notifier *mn,
				   const struct mmu_notifier_range *range)
{
	struct okvm_vm *vm = mn_to_vm(mn);

	spin_lock(&vm->mmu_lock);
	vm->mmu_seq++;
	smp_wmb();
	vm->mmu_invalidating--;
	WARN_ON_ONCE(vm->mmu_invalidating < 0);
	spin_unlock(&vm->mmu_lock);
}

/* The owner's address space is going away: drop every mapping. */
static void okvm_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct okvm_vm *vm = mn_to_vm(mn);

	spin_lock(&vm->mmu_lock);
	okvm_mmu_zap_gfn_range(vm, 0, U64_MAX);
	vm->mmu_seq++;
	spin_unlock(&vm->mmu_lock);
}

static const struct mmu_notifier_ops okvm_mmu_notifier_ops = {
	.invalidate_range_start = okvm_mn_invalidate_start,
	.invalidate_range_end = okvm_mn_invalidate_end,
	.release = okvm_mn_release,
};

int okvm_mmu_notifier_register(struct okvm_vm *vm)
{
	vm->mn.ops = &okvm_mmu_notifier_ops;
	return mmu_notifier_register(&vm->mn, vm->mm);
}

void okvm_mmu_notifier_unregister(struct okvm_vm *vm)
{
	mmu_notifier_unregister(&vm->mn, vm->mm);
}
