// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reverse map of shadow paging: which shadow entries may map a guest
 * frame.  With it, an invalidation of a few host pages (KSM merging or
 * unmerging one, reclaim, a dirty-log harvest) drops only the entries of
 * those frames instead of every table of every vCPU.
 *
 * A record names a vCPU and a guest linear page; dropping it walks that
 * vCPU's table for the address and clears the leaf found there.  Records
 * are not removed when a vCPU drops its own entries (CR3 load, INVLPG, a
 * paging-mode change): a stale record at worst clears a leaf that now maps
 * another frame, which then faults in again.
 *
 * The xarray 'xa' is indexed by gfn.  A frame with one record keeps it in
 * the xarray slot as a value; more records go into a chain of descriptors.
 * 2 MiB shadow leaves are recorded the same way in 'xa_huge', indexed by
 * the number of the 2 MiB guest region they map (gfn / 512), with the
 * linear address of the region's first page; an invalidation of any frame
 * of the region finds them there.
 * When a record cannot be kept (no memory, or the map outgrew its bound)
 * the map is marked lost: the next invalidation drops every table of
 * every vCPU (okvm_shadow_zap_all()), which also empties the map.
 *
 * Everything runs under vm->mmu_lock; nothing sleeps.
 */
#include <linux/slab.h>
#include <linux/xarray.h>

#include "kvm_core.h"
#include "mmu.h"

#define RMAP_PER_DESC	14
/* 32768 descriptors of 128 bytes: 4 MiB per VM at most. */
#define RMAP_MAX_DESCS	32768
/* Past this many records a frame's entries are not worth tracking. */
#define RMAP_MAX_CHAIN	8
#define RMAP_GFP	(GFP_NOWAIT | __GFP_NOWARN | __GFP_ACCOUNT)
#define RMAP_IDX_BITS	10	/* OKVM_MAX_VCPUS */
#define RMAP_LA_BITS	36	/* page number of a 48-bit linear address */
#define RMAP_HUGE_SHIFT	9	/* frames per 2 MiB region, log2 */

struct okvm_rmap_desc {
	struct okvm_rmap_desc *next;
	unsigned int n;
	unsigned long rec[RMAP_PER_DESC];
};

static_assert(OKVM_MAX_VCPUS <= (1 << RMAP_IDX_BITS));

__cold void okvm_rmap_init(struct okvm_rmap *rm)
{
	xa_init(&rm->xa);
	xa_init(&rm->xa_huge);
	rm->descs = 0;
	rm->lost = false;
}

static unsigned long rmap_record(struct okvm_vcpu *vcpu, u64 la)
{
	u64 page = (la >> PAGE_SHIFT) & ((1ULL << RMAP_LA_BITS) - 1);

	return (page << RMAP_IDX_BITS) | vcpu->vcpu_idx;
}

/* Clear the leaf a record names; true if one was present. */
static bool rmap_drop_record(struct okvm_vm *vm, unsigned long rec)
{
	unsigned long idx = rec & ((1 << RMAP_IDX_BITS) - 1);
	struct okvm_vcpu *vcpu = xa_load(&vm->vcpus, idx);

	if (!vcpu)
		return false;
	return okvm_shadow_drop_la(vcpu,
				   (u64)(rec >> RMAP_IDX_BITS) << PAGE_SHIFT);
}

static void rmap_free_desc(struct okvm_rmap *rm, struct okvm_rmap_desc *d)
{
	kfree(d);
	rm->descs--;
}

/*
 * Free one xarray entry's descriptors; with drop, first clear the leaf of
 * each record.  True if a present leaf was cleared.
 */
static bool rmap_free_entry(struct okvm_vm *vm, void *entry, bool drop)
{
	struct okvm_rmap *rm = &vm->arch.rmap;
	struct okvm_rmap_desc *d, *next;
	bool cleared = false;
	unsigned int i;

	if (xa_is_value(entry))
		return drop && rmap_drop_record(vm, xa_to_value(entry));
	for (d = entry; d; d = next) {
		for (i = 0; drop && i < d->n; i++)
			cleared |= rmap_drop_record(vm, d->rec[i]);
		next = d->next;
		rmap_free_desc(rm, d);
	}
	return cleared;
}

static struct okvm_rmap_desc *rmap_new_desc(struct okvm_rmap *rm,
					    struct okvm_rmap_desc *next,
					    unsigned long rec)
{
	struct okvm_rmap_desc *d;

	if (rm->descs >= RMAP_MAX_DESCS)
		return NULL;
	d = kmalloc(sizeof(*d), RMAP_GFP);
	if (!d)
		return NULL;
	rm->descs++;
	d->next = next;
	d->n = 1;
	d->rec[0] = rec;
	return d;
}

/*
 * max_mmu_rmap_size: the most records one frame (or region) had, @n
 * being the count of one frame's records after an add.
 */
static void rmap_peak(struct okvm_rmap *rm, unsigned int n)
{
	struct okvm_vm *vm = container_of(rm, struct okvm_vm, arch.rmap);

	okvm_stat_peak(&vm->stat[OKVM_VM_NR_GENERIC_STATS +
				 OKVM_X86_VM_STAT_MAX_MMU_RMAP_SIZE], n);
}

/*
 * Add rec to the chain at head (the entry of idx); false if it cannot.
 * The walk that looks for rec also counts the records, for rmap_peak().
 */
static bool rmap_chain_add(struct okvm_rmap *rm, struct xarray *xa,
			   unsigned long idx, struct okvm_rmap_desc *head,
			   unsigned long rec)
{
	struct okvm_rmap_desc *d;
	unsigned int i, len = 0, n = 0;

	for (d = head; d; d = d->next, len++) {
		for (i = 0; i < d->n; i++)
			if (d->rec[i] == rec)
				return true;
		n += d->n;
	}
	if (head->n < RMAP_PER_DESC) {
		head->rec[head->n++] = rec;
		rmap_peak(rm, n + 1);
		return true;
	}
	if (len >= RMAP_MAX_CHAIN)
		return false;
	d = rmap_new_desc(rm, head, rec);
	if (!d)
		return false;
	/* Replacing a present entry allocates nothing, but be safe. */
	if (xa_is_err(xa_store(xa, idx, d, RMAP_GFP))) {
		rmap_free_desc(rm, d);
		return false;
	}
	rmap_peak(rm, n + 1);
	return true;
}

/* Record rec under idx of xa; on failure the map is marked lost. */
static void rmap_add(struct okvm_rmap *rm, struct xarray *xa,
		     unsigned long idx, unsigned long rec)
{
	struct okvm_rmap_desc *d;
	void *old;

	if (rm->lost)
		return;
	old = xa_load(xa, idx);
	if (!old) {
		if (xa_is_err(xa_store(xa, idx, xa_mk_value(rec), RMAP_GFP)))
			rm->lost = true;
		else
			rmap_peak(rm, 1);
		return;
	}
	if (xa_is_value(old)) {
		if (xa_to_value(old) == rec)
			return;
		d = rmap_new_desc(rm, NULL, xa_to_value(old));
		if (!d) {
			rm->lost = true;
			return;
		}
		if (xa_is_err(xa_store(xa, idx, d, RMAP_GFP))) {
			rmap_free_desc(rm, d);
			rm->lost = true;
			return;
		}
		old = d;
	}
	if (!rmap_chain_add(rm, xa, idx, old, rec))
		rm->lost = true;
}

/*
 * Record that vcpu's shadow entry for linear page la maps gfn.  mmu_lock
 * held.  On failure the map is marked lost (see above).
 */
void okvm_rmap_add(struct okvm_vcpu *vcpu, u64 gfn, u64 la)
{
	struct okvm_rmap *rm = &vcpu->vm->arch.rmap;

	lockdep_assert_held(&vcpu->vm->mmu_lock);
	rmap_add(rm, &rm->xa, gfn, rmap_record(vcpu, la));
}

/* The same for a 2 MiB shadow leaf mapping la's region to gfn's. */
void okvm_rmap_add_huge(struct okvm_vcpu *vcpu, u64 gfn, u64 la)
{
	struct okvm_rmap *rm = &vcpu->vm->arch.rmap;

	lockdep_assert_held(&vcpu->vm->mmu_lock);
	rmap_add(rm, &rm->xa_huge, gfn >> RMAP_HUGE_SHIFT,
		 rmap_record(vcpu, la & ~((1ULL << (PAGE_SHIFT +
						    RMAP_HUGE_SHIFT)) - 1)));
}

/* Drop and forget the records of xa's entries first..last. */
static bool rmap_zap_xa(struct okvm_vm *vm, struct xarray *xa,
			unsigned long first, unsigned long last)
{
	bool cleared = false;
	unsigned long idx;
	void *entry;

	xa_for_each_range(xa, idx, entry, first, last) {
		xa_erase(xa, idx);
		cleared |= rmap_free_entry(vm, entry, true);
	}
	return cleared;
}

/*
 * Clear every shadow entry recorded for [start, end) and forget the
 * records.  True if a present entry was cleared (the caller flushes).
 * mmu_lock held; the map must not be lost.
 */
bool okvm_rmap_zap_range(struct okvm_vm *vm, u64 start, u64 end)
{
	struct okvm_rmap *rm = &vm->arch.rmap;
	bool cleared;

	lockdep_assert_held(&vm->mmu_lock);
	WARN_ON_ONCE(rm->lost);
	if (start >= end)
		return false;
	cleared = rmap_zap_xa(vm, &rm->xa, start, end - 1);
	cleared |= rmap_zap_xa(vm, &rm->xa_huge, start >> RMAP_HUGE_SHIFT,
			       (end - 1) >> RMAP_HUGE_SHIFT);
	return cleared;
}

/* Forget every record, without touching the tables.  mmu_lock held. */
__cold void okvm_rmap_reset(struct okvm_vm *vm)
{
	struct okvm_rmap *rm = &vm->arch.rmap;
	unsigned long gfn;
	void *entry;

	xa_for_each(&rm->xa, gfn, entry) {
		xa_erase(&rm->xa, gfn);
		rmap_free_entry(vm, entry, false);
	}
	xa_for_each(&rm->xa_huge, gfn, entry) {
		xa_erase(&rm->xa_huge, gfn);
		rmap_free_entry(vm, entry, false);
	}
	WARN_ON_ONCE(rm->descs);
	rm->lost = false;
}

bool okvm_rmap_lost(struct okvm_vm *vm)
{
	return vm->arch.rmap.lost;
}

__cold void okvm_rmap_destroy(struct okvm_vm *vm)
{
	spin_lock(&vm->mmu_lock);
	okvm_rmap_reset(vm);
	spin_unlock(&vm->mmu_lock);
	xa_destroy(&vm->arch.rmap.xa);
	xa_destroy(&vm->arch.rmap.xa_huge);
}
