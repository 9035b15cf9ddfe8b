// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memslots: guest-physical ranges backed by the VM owner's user memory.
 *
 * Slots are immutable once published (but for ->retired, set when they are
 * unpublished).  Two xarrays index them: by id (only
 * used under slots_lock) and by last gfn (read under vm->srcu by vCPU faults
 * and MMU notifiers; xa_find() on it finds the slot covering a gfn).  A delete
 * or move unpublishes the old slot, waits for SRCU readers, zaps its
 * second-level mappings and only then frees it.  While that happens
 * vm->slots_updating is set so a faulting vCPU retries instead of taking the
 * hole for MMIO.
 */
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kvm_core.h"

#define OKVM_VALID_MEM_FLAGS	(KVM_MEM_LOG_DIRTY_PAGES | OKVM_ARCH_MEM_FLAGS)
#define OKVM_MEM_MAX_NR_PAGES	((1ULL << 31) - 1)

enum okvm_slot_change {
	OKVM_SLOT_CREATE,
	OKVM_SLOT_DELETE,
	OKVM_SLOT_MOVE,
	OKVM_SLOT_FLAGS,
};

static struct okvm_memslot *okvm_slot_lookup(struct okvm_vm *vm, u64 gfn)
{
	unsigned long idx = gfn;
	struct okvm_memslot *slot;

	slot = xa_find(&vm->slots_by_end, &idx, ULONG_MAX, XA_PRESENT);
	if (slot && gfn >= slot->base_gfn)
		return slot;
	return NULL;
}

/*
 * vm->slot_cache remembers the slots xarray lookups found last, one per
 * entry (a slot goes to entry id % OKVM_SLOT_CACHE), so that the common
 * case costs a few range checks: a shadow fault walks the guest's tables
 * in one slot and maps a page of another, and each would evict the other
 * from a single entry.  Readers fill an entry under vm->srcu; a writer
 * unpublishing a slot sets slot->retired and then takes the slot out of
 * its entry.  Each side orders its store before its load of the other's
 * variable (full barriers), so either the writer sees the reader's fill
 * and clears it, or the reader sees ->retired and takes its own fill back,
 * inside its read section.  Either way, once the writer's grace period is
 * over no reader can load the slot from the cache any more, and it may be
 * freed.
 */
static struct okvm_memslot **okvm_slot_cache_entry(struct okvm_vm *vm,
						   struct okvm_memslot *slot)
{
	return &vm->slot_cache[slot->id % OKVM_SLOT_CACHE];
}

static void okvm_slot_cache_fill(struct okvm_vm *vm, struct okvm_memslot *slot)
{
	struct okvm_memslot **entry = okvm_slot_cache_entry(vm, slot);

	WRITE_ONCE(*entry, slot);
	smp_mb();
	if (READ_ONCE(slot->retired))
		cmpxchg(entry, slot, NULL);
}

/* Before the grace period that precedes freeing @slot.  slots_lock held. */
static void okvm_slot_cache_drop(struct okvm_vm *vm, struct okvm_memslot *slot)
{
	lockdep_assert_held(&vm->slots_lock);
	WRITE_ONCE(slot->retired, true);
	smp_mb();
	cmpxchg(okvm_slot_cache_entry(vm, slot), slot, NULL);
}

/* The slot covering gfn, or NULL.  Caller holds vm->srcu (or slots_lock). */
struct okvm_memslot *okvm_gfn_to_slot(struct okvm_vm *vm, u64 gfn)
{
	struct okvm_memslot *slot;
	int i;

	for (i = 0; i < OKVM_SLOT_CACHE; i++) {
		slot = READ_ONCE(vm->slot_cache[i]);
		if (slot && gfn - slot->base_gfn < slot->npages &&
		    !READ_ONCE(slot->retired))
			return slot;
	}
	slot = okvm_slot_lookup(vm, gfn);
	if (slot)
		okvm_slot_cache_fill(vm, slot);
	return slot;
}
EXPORT_SYMBOL_GPL(okvm_gfn_to_slot);

static int okvm_check_region(const struct kvm_userspace_memory_region *mem)
{
	u16 as_id = mem->slot >> 16, id = mem->slot;

	if (mem->flags & ~OKVM_VALID_MEM_FLAGS)
		return -EINVAL;
	if (mem->memory_size & (PAGE_SIZE - 1))
		return -EINVAL;
	if ((mem->memory_size >> PAGE_SHIFT) > OKVM_MEM_MAX_NR_PAGES)
		return -EINVAL;
	if (mem->guest_phys_addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (mem->userspace_addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (mem->memory_size &&
	    !access_ok((void __user *)(unsigned long)mem->userspace_addr,
		       mem->memory_size))
		return -EINVAL;
	if (as_id || id >= OKVM_USER_MEM_SLOTS)
		return -EINVAL;
	if (mem->guest_phys_addr + mem->memory_size < mem->guest_phys_addr)
		return -EINVAL;
	if ((mem->guest_phys_addr + mem->memory_size) >> PAGE_SHIFT >
	    (1ULL << 52))
		return -EINVAL;
	return 0;
}

/* Does [base, base + npages) overlap a slot other than 'except'? */
static bool okvm_slot_overlaps(struct okvm_vm *vm, u64 base, u64 npages,
			       struct okvm_memslot *except)
{
	struct okvm_memslot *slot;
	unsigned long idx = base;

	lockdep_assert_held(&vm->slots_lock);
	xa_for_each_start(&vm->slots_by_end, idx, slot, base) {
		if (slot->base_gfn >= base + npages)
			break;
		if (slot != except)
			return true;
	}
	return false;
}

static int okvm_publish_slot(struct okvm_vm *vm, struct okvm_memslot *slot)
{
	int r;

	r = xa_insert(&vm->slots_by_id, slot->id, slot, GFP_KERNEL_ACCOUNT);
	if (r)
		return r;
	r = xa_insert(&vm->slots_by_end, okvm_slot_end_gfn(slot) - 1, slot,
		      GFP_KERNEL_ACCOUNT);
	if (r)
		xa_erase(&vm->slots_by_id, slot->id);
	return r;
}

/*
 * Take a slot out of service: no reader sees it and no mapping remains.
 * The MMU notifier finds mappings only through published slots, so the
 * slot's mappings go first, while it is still published, and none may be
 * made again until it is unpublished and its readers are gone: the retire
 * counts as an invalidation in progress (faults retry) and ends like one.
 */
static void okvm_retire_slot(struct okvm_vm *vm, struct okvm_memslot *slot)
{
	lockdep_assert_held(&vm->slots_lock);
	WRITE_ONCE(vm->slots_updating, 1);
	spin_lock(&vm->mmu_lock);
	vm->mmu_invalidating++;
	okvm_mmu_zap_gfn_range(vm, slot->base_gfn, okvm_slot_end_gfn(slot));
	spin_unlock(&vm->mmu_lock);
	xa_erase(&vm->slots_by_end, okvm_slot_end_gfn(slot) - 1);
	xa_erase(&vm->slots_by_id, slot->id);
	okvm_slot_cache_drop(vm, slot);
	synchronize_srcu_expedited(&vm->srcu);
	spin_lock(&vm->mmu_lock);
	vm->mmu_seq++;
	vm->mmu_invalidating--;
	spin_unlock(&vm->mmu_lock);
}

/*
 * Same id, same range, other flags (dirty logging on or off): swap the
 * objects in place, then drop every mapping made through the old one so
 * that writes fault again and are logged.
 */
static void okvm_replace_slot(struct okvm_vm *vm, struct okvm_memslot *old,
			      struct okvm_memslot *new)
{
	lockdep_assert_held(&vm->slots_lock);
	xa_store(&vm->slots_by_id, new->id, new, GFP_KERNEL_ACCOUNT);
	xa_store(&vm->slots_by_end, okvm_slot_end_gfn(new) - 1, new,
		 GFP_KERNEL_ACCOUNT);
	okvm_slot_cache_drop(vm, old);
	synchronize_srcu_expedited(&vm->srcu);
	spin_lock(&vm->mmu_lock);
	okvm_mmu_zap_gfn_range(vm, old->base_gfn, okvm_slot_end_gfn(old));
	spin_unlock(&vm->mmu_lock);
}

static void okvm_updates_done(struct okvm_vm *vm)
{
	smp_wmb();
	WRITE_ONCE(vm->slots_updating, 0);
}

static int okvm_commit_slot(struct okvm_vm *vm, struct okvm_memslot *old,
			    struct okvm_memslot *new,
			    enum okvm_slot_change change)
{
	int r = 0;

	switch (change) {
	case OKVM_SLOT_CREATE:
		r = okvm_publish_slot(vm, new);
		if (!r) {
			vm->slot_pages += new->npages;
			vm->slot_created = true;
		}
		return r;
	case OKVM_SLOT_DELETE:
		vm->slot_pages -= old->npages;
		okvm_retire_slot(vm, old);
		okvm_updates_done(vm);
		okvm_free_slot(old);
		return 0;
	case OKVM_SLOT_FLAGS:
		okvm_replace_slot(vm, old, new);
		okvm_free_slot(old);
		return 0;
	case OKVM_SLOT_MOVE:
		okvm_retire_slot(vm, old);
		r = okvm_publish_slot(vm, new);
		okvm_updates_done(vm);
		if (r) {
			/* Out of memory: the old slot is gone already. */
			vm->slot_pages -= old->npages;
			okvm_free_slot(new);
		}
		okvm_free_slot(old);
		return r;
	}
	return -EINVAL;
}

static int okvm_classify_change(struct okvm_memslot *old,
				const struct kvm_userspace_memory_region *mem,
				enum okvm_slot_change *change)
{
	if (!mem->memory_size) {
		if (!old)
			return -EINVAL;
		*change = OKVM_SLOT_DELETE;
		return 0;
	}
	if (!old) {
		*change = OKVM_SLOT_CREATE;
		return 0;
	}
	if (mem->userspace_addr != old->userspace_addr ||
	    (mem->memory_size >> PAGE_SHIFT) != old->npages ||
	    ((mem->flags ^ old->flags) & KVM_MEM_READONLY))
		return -EINVAL;
	if ((mem->guest_phys_addr >> PAGE_SHIFT) != old->base_gfn)
		*change = OKVM_SLOT_MOVE;
	else if (mem->flags != old->flags)
		*change = OKVM_SLOT_FLAGS;
	else
		return 1;	/* nothing changes */
	return 0;
}

static int okvm_set_memory_region_locked(struct okvm_vm *vm,
		const struct kvm_userspace_memory_region *mem)
{
	enum okvm_slot_change change;
	struct okvm_memslot *old, *new = NULL;
	int r;

	lockdep_assert_held(&vm->slots_lock);
	old = xa_load(&vm->slots_by_id, (u16)mem->slot);
	r = okvm_classify_change(old, mem, &change);
	if (r)
		return r > 0 ? 0 : r;
	if (change != OKVM_SLOT_DELETE) {
		u64 base = mem->guest_phys_addr >> PAGE_SHIFT;
		u64 npages = mem->memory_size >> PAGE_SHIFT;

		if (okvm_slot_overlaps(vm, base, npages, old))
			return -EEXIST;
		new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
		if (!new)
			return -ENOMEM;
		new->id = (u16)mem->slot;
		new->base_gfn = base;
		new->npages = npages;
		new->userspace_addr = mem->userspace_addr;
		new->flags = mem->flags;
		r = okvm_alloc_dirty_bitmap(new);
		if (r) {
			kfree(new);
			return r;
		}
	}
	r = okvm_commit_slot(vm, old, new, change);
	if (r && change == OKVM_SLOT_CREATE)
		okvm_free_slot(new);
	return r;
}

/* KVM_SET_USER_MEMORY_REGION */
int okvm_set_memory_region(struct okvm_vm *vm,
			   const struct kvm_userspace_memory_region *mem)
{
	int r;

	r = okvm_check_region(mem);
	if (r)
		return r;
	mutex_lock(&vm->slots_lock);
	r = okvm_set_memory_region_locked(vm, mem);
	mutex_unlock(&vm->slots_lock);
	return r;
}

/* VM teardown: no reader is left. */
void okvm_free_memslots(struct okvm_vm *vm)
{
	struct okvm_memslot *slot;
	unsigned long i;

	memset(vm->slot_cache, 0, sizeof(vm->slot_cache));
	xa_for_each(&vm->slots_by_id, i, slot)
		okvm_free_slot(slot);
	xa_destroy(&vm->slots_by_id);
	xa_destroy(&vm->slots_by_end);
}

/*
 * A guest page-table entry, the walkers' read: one load, without
 * copy_from_user()'s object checks and string copy.  0 or -EFAULT.
 */
static int okvm_get_user_u64(void *buf, void __user *hva)
{
	u64 v;

	if (get_user(v, (u64 __user *)hva))
		return -EFAULT;
	memcpy(buf, &v, sizeof(v));
	return 0;
}

/*
 * Guest-physical copies through the owner's mapping.  Must run in the VM
 * owner's context (vCPU ioctls check current->mm).  Returns 0, -EFAULT when
 * the user mapping faults, or -ENOENT when part of the range has no slot.
 */
static int okvm_guest_copy(struct okvm_vm *vm, u64 gpa, void *buf,
			   unsigned long len, bool write)
{
	while (len) {
		unsigned long off = offset_in_page(gpa);
		unsigned long n = min(len, PAGE_SIZE - off);
		struct okvm_memslot *slot;
		void __user *hva;
		int idx;
		unsigned long left;

		idx = srcu_read_lock(&vm->srcu);
		slot = okvm_gfn_to_slot(vm, gpa >> PAGE_SHIFT);
		if (!slot || (write && (slot->flags & KVM_MEM_READONLY))) {
			srcu_read_unlock(&vm->srcu, idx);
			return -ENOENT;
		}
		hva = (void __user *)(okvm_slot_hva(slot, gpa >> PAGE_SHIFT) +
				      off);
		if (write)
			okvm_mark_page_dirty(slot, gpa >> PAGE_SHIFT);
		srcu_read_unlock(&vm->srcu, idx);
		if (write)
			left = copy_to_user(hva, buf, n);
		else if (n == sizeof(u64))
			left = okvm_get_user_u64(buf, hva);
		else
			left = copy_from_user(buf, hva, n);
		if (left)
			return -EFAULT;
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int okvm_read_guest(struct okvm_vm *vm, u64 gpa, void *buf, unsigned long len)
{
	return okvm_guest_copy(vm, gpa, buf, len, false);
}
EXPORT_SYMBOL_GPL(okvm_read_guest);

int okvm_write_guest(struct okvm_vm *vm, u64 gpa, const void *buf,
		     unsigned long len)
{
	return okvm_guest_copy(vm, gpa, (void *)buf, len, true);
}
EXPORT_SYMBOL_GPL(okvm_write_guest);

/*
 * Atomically replace a naturally aligned 4- or 8-byte guest value (A/D bits
 * of guest page tables).  0 done, 1 the value was not 'old', <0 error.
 */
int okvm_cmpxchg_guest64(struct okvm_vm *vm, u64 gpa, u64 old, u64 new,
			 unsigned int size)
{
	struct okvm_memslot *slot;
	unsigned long hva;
	struct page *page;
	void *va;
	int idx, r;

	if (gpa & (size - 1))
		return -EINVAL;
	idx = srcu_read_lock(&vm->srcu);
	slot = okvm_gfn_to_slot(vm, gpa >> PAGE_SHIFT);
	if (!slot || (slot->flags & KVM_MEM_READONLY)) {
		srcu_read_unlock(&vm->srcu, idx);
		return -ENOENT;
	}
	hva = okvm_slot_hva(slot, gpa >> PAGE_SHIFT);
	okvm_mark_page_dirty(slot, gpa >> PAGE_SHIFT);
	srcu_read_unlock(&vm->srcu, idx);
	if (get_user_pages_unlocked(hva, 1, &page, FOLL_WRITE) != 1)
		return -EFAULT;
	va = kmap_local_page(page) + offset_in_page(gpa);
	if (size == 8)
		r = cmpxchg((u64 *)va, old, new) == old ? 0 : 1;
	else
		r = cmpxchg((u32 *)va, (u32)old, (u32)new) == (u32)old ? 0 : 1;
	kunmap_local(va);
	set_page_dirty_lock(page);
	put_page(page);
	return r;
}
EXPORT_SYMBOL_GPL(okvm_cmpxchg_guest64);
