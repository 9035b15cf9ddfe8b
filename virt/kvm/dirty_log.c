// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dirty-page logging (KVM_MEM_LOG_DIRTY_PAGES, KVM_GET_DIRTY_LOG).
 *
 * A logging slot is mapped read-only until the guest writes a page; the
 * write fault sets the page's bit and maps it writable.  KVM_GET_DIRTY_LOG
 * takes the bits (clearing them) and unmaps the pages it reports, so their
 * next write is seen again.  Writes KVM itself makes into guest memory mark
 * pages too.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "kvm_core.h"

static unsigned long okvm_dirty_bitmap_bytes(const struct okvm_memslot *slot)
{
	return ALIGN(slot->npages, BITS_PER_LONG) / 8;
}

int okvm_alloc_dirty_bitmap(struct okvm_memslot *slot)
{
	if (!(slot->flags & KVM_MEM_LOG_DIRTY_PAGES))
		return 0;
	slot->dirty_bitmap = kvzalloc(okvm_dirty_bitmap_bytes(slot),
				      GFP_KERNEL_ACCOUNT);
	return slot->dirty_bitmap ? 0 : -ENOMEM;
}

void okvm_free_slot(struct okvm_memslot *slot)
{
	if (!slot)
		return;
	kvfree(slot->dirty_bitmap);
	kfree(slot);
}

void okvm_mark_page_dirty(struct okvm_memslot *slot, u64 gfn)
{
	if (slot->dirty_bitmap)
		set_bit(gfn - slot->base_gfn, slot->dirty_bitmap);
}
EXPORT_SYMBOL_GPL(okvm_mark_page_dirty);

/* Take and clear the bits; unmap every page reported dirty. */
static void okvm_harvest_dirty(struct okvm_vm *vm, struct okvm_memslot *slot,
			       unsigned long *snap)
{
	unsigned long words = okvm_dirty_bitmap_bytes(slot) / sizeof(long);
	unsigned long i, bit;
	bool flush = false;

	spin_lock(&vm->mmu_lock);
	for (i = 0; i < words; i++) {
		snap[i] = xchg(&slot->dirty_bitmap[i], 0);
		for_each_set_bit(bit, &snap[i], BITS_PER_LONG) {
			u64 gfn = slot->base_gfn + i * BITS_PER_LONG + bit;

			flush |= okvm_mmu_unmap_gfn_range(vm, gfn, gfn + 1);
		}
	}
	if (flush)
		okvm_flush_remote_tlbs(vm);
	spin_unlock(&vm->mmu_lock);
}

/* KVM_GET_DIRTY_LOG */
long okvm_get_dirty_log(struct okvm_vm *vm, struct kvm_dirty_log *log)
{
	u16 as_id = log->slot >> 16, id = log->slot;
	struct okvm_memslot *slot;
	unsigned long *snap;
	long r;

	if (as_id || id >= OKVM_USER_MEM_SLOTS)
		return -EINVAL;
	mutex_lock(&vm->slots_lock);
	slot = xa_load(&vm->slots_by_id, id);
	r = -ENOENT;
	if (!slot || !slot->dirty_bitmap)
		goto out;
	r = -ENOMEM;
	snap = kvzalloc(okvm_dirty_bitmap_bytes(slot), GFP_KERNEL_ACCOUNT);
	if (!snap)
		goto out;
	okvm_harvest_dirty(vm, slot, snap);
	r = 0;
	if (copy_to_user(log->dirty_bitmap, snap, okvm_dirty_bitmap_bytes(slot)))
		r = -EFAULT;
	kvfree(snap);
out:
	mutex_unlock(&vm->slots_lock);
	return r;
}
