// SPDX-License-Identifier: GPL-2.0-only
/*
 * NX huge pages under shadow paging (Documentation/mmu.md): the guest
 * regions (2 MiB of guest-physical memory) where an instruction fetch
 * found a 2 MiB mapping possible but NX huge pages forbade it, so that
 * 4 KiB was mapped instead.  Each is an NX split, counted in
 * nx_lpage_splits; while it is listed, faults in the region map 4 KiB.
 * The recovery work of nx.c forgets the oldest ones and drops every
 * shadow entry mapping their frames, so that the next read may map
 * 2 MiB again.
 *
 * The splits are per VM (the shadow tables are per vCPU): an xarray
 * indexed by region for the lookup, a list oldest first for recovery.
 * Everything runs under vm->mmu_lock; nothing sleeps.  A split that
 * cannot be recorded (no memory) is simply not one: the region maps
 * 4 KiB for this fault only.
 */
#include <linux/slab.h>
#include <linux/xarray.h>

#include "kvm_core.h"
#include "mmu.h"

#define SPLIT_SHIFT	9	/* frames per 2 MiB region, log2 */
#define SPLIT_GFP	(GFP_NOWAIT | __GFP_NOWARN | __GFP_ACCOUNT)

void okvm_shadow_stat_add(struct okvm_vm *vm, int idx, long n)
{
	okvm_stat_add(&vm->stat[OKVM_VM_NR_GENERIC_STATS + idx], n);
}

void okvm_shadow_nx_init(struct okvm_vm *vm)
{
	xa_init(&vm->arch.sh_splits);
	INIT_LIST_HEAD(&vm->arch.sh_split_list);
}

bool okvm_shadow_is_split(struct okvm_vm *vm, u64 gfn)
{
	lockdep_assert_held(&vm->mmu_lock);
	return xa_load(&vm->arch.sh_splits, gfn >> SPLIT_SHIFT);
}

/* A fetch mapped 4 KiB in gfn's region instead of 2 MiB. */
void okvm_shadow_mark_split(struct okvm_vm *vm, u64 gfn)
{
	struct okvm_shadow_split *s;

	lockdep_assert_held(&vm->mmu_lock);
	if (okvm_shadow_is_split(vm, gfn))
		return;
	s = kmalloc(sizeof(*s), SPLIT_GFP);
	if (!s)
		return;
	s->region = gfn >> SPLIT_SHIFT;
	if (xa_is_err(xa_store(&vm->arch.sh_splits, s->region, s,
			       SPLIT_GFP))) {
		kfree(s);
		return;
	}
	list_add_tail(&s->link, &vm->arch.sh_split_list);
	okvm_shadow_stat_add(vm, OKVM_X86_VM_STAT_NX_LPAGE_SPLITS, 1);
}

static void split_forget(struct okvm_vm *vm, struct okvm_shadow_split *s)
{
	xa_erase(&vm->arch.sh_splits, s->region);
	list_del(&s->link);
	kfree(s);
	okvm_shadow_stat_add(vm, OKVM_X86_VM_STAT_NX_LPAGE_SPLITS, -1);
}

/* Every shadow entry is gone (or the VM is): forget every split. */
void okvm_shadow_forget_splits(struct okvm_vm *vm)
{
	struct okvm_shadow_split *s, *next;

	list_for_each_entry_safe(s, next, &vm->arch.sh_split_list, link)
		split_forget(vm, s);
}

/*
 * Recovery: forget the n oldest splits and drop the shadow entries of
 * their frames.  Returns how many were recovered; the caller flushes
 * every vCPU's TLB.  mmu_lock held.
 */
unsigned long okvm_shadow_recover_nx(struct okvm_vm *vm, unsigned long n)
{
	struct okvm_shadow_split *s;
	unsigned long done = 0;
	u64 first;

	lockdep_assert_held(&vm->mmu_lock);
	while (done < n && !list_empty(&vm->arch.sh_split_list)) {
		s = list_first_entry(&vm->arch.sh_split_list,
				     struct okvm_shadow_split, link);
		first = s->region << SPLIT_SHIFT;
		split_forget(vm, s);
		/* May drop every table, and with them the other splits. */
		okvm_shadow_zap_range(vm, first, first + (1 << SPLIT_SHIFT));
		done++;
	}
	return done;
}

void okvm_shadow_nx_destroy(struct okvm_vm *vm)
{
	spin_lock(&vm->mmu_lock);
	okvm_shadow_forget_splits(vm);
	spin_unlock(&vm->mmu_lock);
	xa_destroy(&vm->arch.sh_splits);
}
