// SPDX-License-Identifier: GPL-2.0-only
/*
 * Whether a TDP fault may map a 2 MiB leaf (Documentation/mmu.md, "2 MiB
 * leaves"): the guest frame's whole 2 MiB region lies in one memslot, at a
 * user address with the same offset in its 2 MiB, the slot logs no dirty
 * pages, and the host maps the address with one 2 MiB (or 1 GiB) entry of
 * its own page table, whose page is the one the fault took.
 *
 * The host's table is read without its locks, with interrupts off (table
 * pages of a live mm are freed only after an IPI or an RCU grace period,
 * as for the lockless get_user_pages), under mmu_lock after the MMU
 * notifier's sequence check: any change to the range since the page was
 * taken would have made the fault retry, and any later one zaps the leaf.
 */
#include <linux/mm.h>
#include <linux/pgtable.h>

#include "kvm_core.h"
#include "mmu.h"

#define HUGE_FRAMES	(PMD_SIZE >> PAGE_SHIFT)

static bool huge_slot_allows(const struct okvm_memslot *slot, u64 gfn)
{
	u64 first = gfn & ~(u64)(HUGE_FRAMES - 1);

	if (slot->dirty_bitmap)
		return false;
	if (first < slot->base_gfn ||
	    first + HUGE_FRAMES > okvm_slot_end_gfn(slot))
		return false;
	return !(((slot->userspace_addr >> PAGE_SHIFT) - slot->base_gfn) &
		 (HUGE_FRAMES - 1));
}

/*
 * The pfn the host's huge entry maps at hva, or 0 if hva is not in a
 * 2 MiB or 1 GiB mapping (or one not writable when @write).
 */
static unsigned long huge_host_pfn(struct mm_struct *mm, unsigned long hva,
				   bool write)
{
	unsigned long flags, pfn = 0;
	pgd_t pgd;
	p4d_t p4d;
	pud_t pud;
	pmd_t pmd;

	local_irq_save(flags);
	pgd = READ_ONCE(*pgd_offset(mm, hva));
	if (pgd_none(pgd) || !pgd_present(pgd))
		goto out;
	p4d = READ_ONCE(*p4d_offset(&pgd, hva));
	if (p4d_none(p4d) || !p4d_present(p4d))
		goto out;
	pud = READ_ONCE(*pud_offset(&p4d, hva));
	if (pud_none(pud) || !pud_present(pud))
		goto out;
	if (pud_leaf(pud)) {
		if (!write || pud_write(pud))
			pfn = pud_pfn(pud) + ((hva & ~PUD_MASK) >> PAGE_SHIFT);
		goto out;
	}
	pmd = READ_ONCE(*pmd_offset(&pud, hva));
	if (pmd_none(pmd) || !pmd_present(pmd) || !pmd_leaf(pmd))
		goto out;
	if (!write || pmd_write(pmd))
		pfn = pmd_pfn(pmd) + ((hva & ~PMD_MASK) >> PAGE_SHIFT);
out:
	local_irq_restore(flags);
	return pfn;
}

/* May f be mapped with a 2 MiB leaf?  mmu_lock held, sequence checked. */
bool okvm_host_maps_huge(struct okvm_vm *vm, const struct okvm_fault *f)
{
	unsigned long hva;

	lockdep_assert_held(&vm->mmu_lock);
	if (!huge_slot_allows(f->slot, f->gfn))
		return false;
	hva = okvm_slot_hva(f->slot, f->gfn);
	return huge_host_pfn(vm->mm, hva, f->pfn.writable) ==
	       page_to_pfn(f->pfn.page);
}
