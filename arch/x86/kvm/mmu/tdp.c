// SPDX-License-Identifier: GPL-2.0-only
/*
 * Two-dimensional paging (AMD NPT, Intel EPT): one second-level table per VM
 * mapping guest-physical frames to host pages, 4 KiB at a time.  The entry
 * format comes from the vendor (struct okvm_pte_fmt); the walk is the same.
 *
 * All functions run with vm->mmu_lock held and never sleep: new table pages
 * come from a cache the caller filled beforehand.  Table pages are kept until
 * the VM dies.
 */
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/list.h>

#include "mmu.h"

#define TDP_ADDR_MASK	0x000ffffffffff000ULL
#define TDP_ENTRIES	512

static u64 *tdp_table_va(u64 pte)
{
	return phys_to_virt(pte & TDP_ADDR_MASK);
}

static u64 tdp_index(u64 gfn, int level)
{
	return (gfn >> (9 * (level - 1))) & (TDP_ENTRIES - 1);
}

int okvm_tdp_init(struct okvm_tdp *tdp, const struct okvm_pte_fmt *fmt,
		  int levels)
{
	struct page *root;

	root = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!root)
		return -ENOMEM;
	INIT_LIST_HEAD(&tdp->pages);
	list_add(&root->lru, &tdp->pages);
	tdp->nr_pages = 1;
	tdp->root = page_address(root);
	tdp->root_pa = page_to_phys(root);
	tdp->levels = levels;
	tdp->fmt = fmt;
	return 0;
}

void okvm_tdp_destroy(struct okvm_tdp *tdp)
{
	struct page *page, *next;

	if (!tdp->root)
		return;
	list_for_each_entry_safe(page, next, &tdp->pages, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
	tdp->root = NULL;
	tdp->nr_pages = 0;
}

/*
 * Map gfn to the host page at hpa.  *spare holds pre-allocated zeroed pages
 * (a NULL-terminated array of levels - 1 entries) consumed for missing
 * tables.  *was_present tells whether a translation was replaced, which the
 * caller must flush.
 */
int okvm_tdp_map(struct okvm_tdp *tdp, u64 gfn, u64 hpa, bool writable,
		 struct page **spare, bool *was_present)
{
	const struct okvm_pte_fmt *fmt = tdp->fmt;
	u64 *table = tdp->root;
	int level;

	if (gfn >> (9 * tdp->levels))
		return -ERANGE;
	for (level = tdp->levels; level > 1; level--) {
		u64 *pte = &table[tdp_index(gfn, level)];

		if (!(*pte & fmt->present)) {
			struct page *page = *spare;

			if (!page)
				return -ENOMEM;
			*spare++ = NULL;
			list_add(&page->lru, &tdp->pages);
			tdp->nr_pages++;
			WRITE_ONCE(*pte, fmt->table(page_to_phys(page)));
		}
		table = tdp_table_va(*pte);
	}
	table = &table[tdp_index(gfn, 1)];
	*was_present = *table & fmt->present;
	WRITE_ONCE(*table, fmt->leaf(hpa, writable));
	return 0;
}

static bool tdp_zap_table(struct okvm_tdp *tdp, u64 *table, int level,
			  u64 base, u64 start, u64 end)
{
	u64 span = 1ULL << (9 * (level - 1));
	bool zapped = false;
	unsigned int i;

	i = start > base ? (start - base) / span : 0;
	for (; i < TDP_ENTRIES; i++) {
		u64 lo = base + i * span;
		u64 pte = table[i];

		if (lo >= end)
			break;
		if (!(pte & tdp->fmt->present))
			continue;
		if (level == 1) {
			WRITE_ONCE(table[i], 0);
			zapped = true;
		} else {
			zapped |= tdp_zap_table(tdp, tdp_table_va(pte),
						level - 1, lo, start, end);
		}
	}
	return zapped;
}

/* Unmap [start_gfn, end_gfn).  True if anything was unmapped. */
bool okvm_tdp_zap_range(struct okvm_tdp *tdp, u64 start_gfn, u64 end_gfn)
{
	if (!tdp->root || start_gfn >= end_gfn)
		return false;
	return tdp_zap_table(tdp, tdp->root, tdp->levels, 0, start_gfn,
			     end_gfn);
}

static void tdp_walk_table(struct okvm_tdp *tdp, u64 *table, int level,
			   u64 base, okvm_tdp_leaf_fn fn, void *arg)
{
	u64 span = 1ULL << (9 * (level - 1));
	unsigned int i;

	for (i = 0; i < TDP_ENTRIES; i++) {
		u64 pte = READ_ONCE(table[i]);

		if (!(pte & tdp->fmt->present))
			continue;
		if (level == 1)
			fn(arg, base + i, &table[i]);
		else
			tdp_walk_table(tdp, tdp_table_va(pte), level - 1,
				       base + i * span, fn, arg);
	}
}

/*
 * Call fn for every present leaf.  Tables are never freed while the VM
 * lives, so this may run without mmu_lock; fn then sees leaves that an
 * invalidation may clear at any time.
 */
void okvm_tdp_for_each_leaf(struct okvm_tdp *tdp, okvm_tdp_leaf_fn fn,
			    void *arg)
{
	if (tdp->root)
		tdp_walk_table(tdp, tdp->root, tdp->levels, 0, fn, arg);
}
