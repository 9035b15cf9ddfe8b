// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shadow entries kept across CR3 loads.  Alone, shadow.c's tree is a
 * software TLB: a CR3 load empties it of every non-global entry, and the
 * guest's processes fault their pages back in each time they run again.
 *
 * In long mode, a CR3 load sets aside the top-level entries of the tree
 * that the new guest PML4 does not share (its entry at that index is not
 * the one they were made from): in practice the user half of the process
 * being left.  They go to a slot named for the old CR3, with the guest
 * entries they were made from; the shared entries (the kernel half) stay
 * and lose their non-global leaves as before.  When the guest loads a CR3
 * that has a slot, each entry set aside whose guest entry is the same in
 * the new PML4 is checked down to its leaves against the guest's tables as
 * they are now, using the guest entry every shadow entry records
 * (shadow.h): a shadow entry whose guest entry changed, or is not
 * present, is dropped with everything below it.  What is put back is what
 * a TLB filled afresh from the guest's tables could hold: the same
 * frames, the same permissions, with A (and D where writable) already set
 * in the guest's entries.  So no guest write to its tables needs to be
 * tracked: a guest that edits an idle process's tables (reclaim,
 * copy-on-write), clears its A or D bits, or reuses a freed PML4 page
 * finds its change in force.
 *
 * The guest's tables are read through the host's mapping without a host
 * fault (get_user_page_fast_only()), under mmu_lock; a table the host
 * does not have at hand counts as changed.  Host invalidations find the
 * leaves set aside as well (okvm_sh_roots_drop_la(), from the reverse
 * map).  Everything here runs on the vCPU's own thread, outside guest
 * mode, except okvm_sh_roots_drop_la() and okvm_sh_roots_forget(), which
 * any thread may call with mmu_lock held.
 */
#include <linux/highmem.h>
#include <asm/processor-flags.h>

#include "kvm_core.h"
#include "vendor.h"
#include "mmu.h"
#include "shadow.h"

/*
 * The guest's entries for la at each level (g[4] the PML4 entry .. g[1]
 * the leaf; below a large guest page, that page's entry), as the fault's
 * walk left them in its cache.  False if the walk was not a 4-level one
 * or one of them is not in the cache.
 */
bool okvm_sh_guest_path(const struct okvm_walk_cache *wc, u64 la, u64 *g)
{
	u64 table = wc->regs.cr3 & SH_ADDR_MASK;
	int level;

	if (wc->regs.cr4 & X86_CR4_LA57)
		return false;
	for (level = 4; level >= 1; level--) {
		if (!okvm_walk_cache_get(wc, table + 8 * sh_index(la, level),
					 &g[level]))
			return false;
		if (level <= 3 && level > 1 && (g[level] & _PAGE_PSE)) {
			while (--level >= 1)
				g[level] = g[level + 1];
			return true;
		}
		table = g[level] & SH_ADDR_MASK;
	}
	return true;
}

/* The guest's table at gpa, mapped; NULL if the host has no page there. */
static u64 *sh_map_guest(struct okvm_vm *vm, u64 gpa, struct page **page)
{
	const struct okvm_memslot *slot = okvm_gfn_to_slot(vm,
							   gpa >> PAGE_SHIFT);

	if (!slot || !get_user_page_fast_only(okvm_slot_hva(slot,
							    gpa >> PAGE_SHIFT),
					      0, page))
		return NULL;
	return kmap_local_page(*page);
}

static void sh_unmap_guest(u64 *table, struct page *page)
{
	kunmap_local(table);
	put_page(page);
}

/*
 * Drop every entry below table (of 'level') whose guest entry in the
 * guest's table at gpa is no longer the one it was made from.  False if
 * that table cannot be read: the caller drops the whole table.
 */
static bool sh_validate(struct okvm_vcpu *vcpu, u64 *table, int level,
			u64 gpa)
{
	u64 *made = okvm_sh_guest_slot(table);
	struct page *page;
	u64 *guest = sh_map_guest(vcpu->vm, gpa, &page);
	unsigned int i;

	if (!guest)
		return false;
	for (i = 0; i < PTRS_PER_PTE; i++) {
		u64 pte = table[i], now = READ_ONCE(guest[i]);

		if (!(pte & _PAGE_PRESENT))
			continue;
		if (!(now & _PAGE_PRESENT) || now != made[i])
			okvm_sh_zap_entry(vcpu, &table[i], level);
		else if (level > 1 && !(now & _PAGE_PSE) && !sh_is_huge(pte) &&
			 !sh_validate(vcpu, sh_va(pte), level - 1,
				      now & SH_ADDR_MASK))
			okvm_sh_zap_entry(vcpu, &table[i], level);
	}
	sh_unmap_guest(guest, page);
	return true;
}

/* Free what a slot holds. */
static void sh_slot_free(struct okvm_vcpu *vcpu, struct okvm_shadow_slot *s)
{
	unsigned int k;

	for (k = 0; k < s->n; k++)
		okvm_sh_zap_entry(vcpu, &s->spte[k], 4);
	s->n = 0;
}

/* A slot for cr3: a free one, else the one set aside longest ago. */
static struct okvm_shadow_slot *sh_slot_get(struct okvm_vcpu *vcpu, u64 cr3)
{
	struct okvm_shadow *sh = &vcpu->arch.shadow;
	struct okvm_shadow_slot *s, *best = &sh->slots[0];

	for (s = sh->slots; s < sh->slots + OKVM_SH_SLOTS; s++) {
		if (!s->n || s->cr3 == cr3) {
			best = s;
			break;
		}
		if (s->used < best->used)
			best = s;
	}
	sh_slot_free(vcpu, best);
	best->cr3 = cr3;
	best->used = ++sh->clock;
	return best;
}

/*
 * Leaving guest PML4 old for one whose entries are pml4 (NULL if it
 * cannot be read): set aside the root's entries made from another guest
 * entry than pml4's.  Past OKVM_SH_SLOT_ROOTS of them, the rest go.
 */
static void sh_stash(struct okvm_vcpu *vcpu, u64 old, const u64 *pml4)
{
	struct okvm_shadow *sh = &vcpu->arch.shadow;
	u64 *made = okvm_sh_guest_slot(sh->root);
	struct okvm_shadow_slot *s = NULL;
	unsigned int i;

	for (i = 0; i < PTRS_PER_PGD; i++) {
		u64 *pte = &sh->root[i];

		if (!(*pte & _PAGE_PRESENT) ||
		    (pml4 && READ_ONCE(pml4[i]) == made[i]))
			continue;
		if (!s)
			s = sh_slot_get(vcpu, old);
		if (!made[i] || s->n == OKVM_SH_SLOT_ROOTS) {
			okvm_sh_zap_entry(vcpu, pte, 4);
			continue;
		}
		s->idx[s->n] = i;
		s->spte[s->n] = *pte;
		s->gpte[s->n++] = made[i];
		WRITE_ONCE(*pte, 0);
	}
}

/*
 * Entering guest PML4 new, whose entries are pml4 (NULL if it cannot be
 * read): put back what its slot holds and still matches the guest.
 */
static void sh_restore(struct okvm_vcpu *vcpu, u64 new, const u64 *pml4)
{
	struct okvm_shadow *sh = &vcpu->arch.shadow;
	struct okvm_shadow_slot *s;
	unsigned int k;

	for (s = sh->slots; s < sh->slots + OKVM_SH_SLOTS; s++)
		if (s->n && s->cr3 == new)
			break;
	if (s == sh->slots + OKVM_SH_SLOTS)
		return;
	for (k = 0; k < s->n; k++) {
		u64 *pte = &sh->root[s->idx[k]];

		if (!pml4 || (*pte & _PAGE_PRESENT) ||
		    READ_ONCE(pml4[s->idx[k]]) != s->gpte[k] ||
		    !sh_validate(vcpu, sh_va(s->spte[k]), 3,
				 s->gpte[k] & SH_ADDR_MASK))
			continue;	/* freed with the slot */
		*okvm_sh_guest_slot(pte) = s->gpte[k];
		__set_bit(s->idx[k], sh->nonglobal);
		WRITE_ONCE(*pte, s->spte[k]);
		s->spte[k] = 0;
	}
	sh_slot_free(vcpu, s);
}

/*
 * The guest loaded CR3 new (a 4-level PML4 address) after old, in the
 * same paging mode: set aside what new does not share, drop the other
 * non-global leaves, and put back what new's slot holds.
 */
void okvm_sh_roots_switch(struct okvm_vcpu *vcpu, u64 old, u64 new)
{
	struct okvm_vm *vm = vcpu->vm;
	struct page *page;
	u64 *pml4;
	int idx;

	idx = srcu_read_lock(&vm->srcu);
	spin_lock(&vm->mmu_lock);
	pml4 = sh_map_guest(vm, new, &page);
	sh_stash(vcpu, old, pml4);
	okvm_sh_sweep_root(vcpu);
	sh_restore(vcpu, new, pml4);
	if (pml4)
		sh_unmap_guest(pml4, page);
	spin_unlock(&vm->mmu_lock);
	srcu_read_unlock(&vm->srcu, idx);
}

/*
 * Clear the leaves for la in what vcpu set aside; true if one was
 * present.  mmu_lock held.
 */
bool okvm_sh_roots_drop_la(struct okvm_vcpu *vcpu, u64 la)
{
	struct okvm_shadow *sh = &vcpu->arch.shadow;
	struct okvm_shadow_slot *s;
	bool cleared = false;
	unsigned int k;

	for (s = sh->slots; s < sh->slots + OKVM_SH_SLOTS; s++)
		for (k = 0; k < s->n; k++)
			if (s->idx[k] == sh_index(la, 4) &&
			    (s->spte[k] & _PAGE_PRESENT))
				cleared |= okvm_sh_drop_at(vcpu,
							   sh_va(s->spte[k]),
							   3, la);
	return cleared;
}

/*
 * The tables are being freed (they are all on the tree's page list): the
 * slots hold nothing any more.  mmu_lock held.
 */
void okvm_sh_roots_forget(struct okvm_vcpu *vcpu)
{
	struct okvm_shadow *sh = &vcpu->arch.shadow;
	unsigned int i;

	for (i = 0; i < OKVM_SH_SLOTS; i++)
		sh->slots[i].n = 0;
}
