// SPDX-License-Identifier: GPL-2.0-only
/*
 * Two-dimensional paging (AMD NPT, Intel EPT): one second-level table per VM
 * mapping guest-physical frames to host pages, 4 KiB or 2 MiB at a time.
 * The entry format comes from the vendor (struct okvm_pte_fmt); the walk is
 * the same.  Documentation/mmu.md has the rules for 2 MiB leaves.
 *
 * All functions run with vm->mmu_lock held and never sleep: new table pages
 * come from a cache the caller filled beforehand, or from the VM's detached
 * tables.  A table page is freed only when the VM dies: a last-level table
 * that leaves the tree (its 2 MiB region zapped whole, replaced by a 2 MiB
 * leaf, or recovered from an NX split) goes to tdp->free and is reused
 * after the TLB flush its detach asked for.
 *
 * A last-level table's page->private holds the first gfn of its region
 * shifted left by one, with bit 0 set while the table is an NX split
 * (listed on tdp->nx_splits, oldest first, instead of tdp->pages).
 */
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/list.h>

#include "kvm_core.h"
#include "mmu.h"

#define TDP_ADDR_MASK	0x000ffffffffff000ULL
#define TDP_ENTRIES	512
#define TDP_NX_SPLIT	1UL

static u64 *tdp_table_va(u64 pte)
{
	return phys_to_virt(pte & TDP_ADDR_MASK);
}

static u64 tdp_index(u64 gfn, int level)
{
	return (gfn >> (9 * (level - 1))) & (TDP_ENTRIES - 1);
}

static bool tdp_present(struct okvm_tdp *tdp, u64 pte)
{
	return pte & tdp->fmt->present;
}

static bool tdp_huge(struct okvm_tdp *tdp, u64 pte)
{
	return tdp_present(tdp, pte) && (pte & tdp->fmt->huge);
}

static void tdp_stat(struct okvm_tdp *tdp, int idx, long n)
{
	okvm_stat_add(&tdp->stat[idx], n);
}

__cold int okvm_tdp_init(struct okvm_tdp *tdp, const struct okvm_pte_fmt *fmt,
		  int levels, u64 *stat)
{
	struct page *root;

	root = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!root)
		return -ENOMEM;
	INIT_LIST_HEAD(&tdp->pages);
	INIT_LIST_HEAD(&tdp->free);
	INIT_LIST_HEAD(&tdp->nx_splits);
	list_add(&root->lru, &tdp->pages);
	tdp->nr_pages = 1;
	tdp->root = page_address(root);
	tdp->root_pa = page_to_phys(root);
	tdp->levels = levels;
	tdp->fmt = fmt;
	tdp->stat = stat;
	return 0;
}

static void tdp_free_list(struct list_head *list)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, list, lru) {
		list_del(&page->lru);
		set_page_private(page, 0);
		__free_page(page);
	}
}

__cold void okvm_tdp_destroy(struct okvm_tdp *tdp)
{
	if (!tdp->root)
		return;
	tdp_free_list(&tdp->pages);
	tdp_free_list(&tdp->nx_splits);
	tdp_free_list(&tdp->free);
	tdp->root = NULL;
	tdp->nr_pages = 0;
}

/* A zeroed table page: a detached one, else one of the caller's spares. */
static struct page *tdp_take_table(struct okvm_tdp *tdp, struct page ***spare)
{
	struct page *page;

	page = list_first_entry_or_null(&tdp->free, struct page, lru);
	if (page) {
		list_del(&page->lru);
		clear_page(page_address(page));
	} else {
		page = **spare;
		if (!page)
			return NULL;
		*(*spare)++ = NULL;
	}
	set_page_private(page, 0);
	list_add(&page->lru, &tdp->pages);
	tdp->nr_pages++;
	return page;
}

/* Clear every leaf of a last-level table; true if one was present. */
static bool tdp_clear_leaves(struct okvm_tdp *tdp, u64 *table, u64 lo, u64 hi)
{
	bool zapped = false;
	u64 i;

	for (i = lo; i < hi; i++) {
		if (!tdp_present(tdp, table[i]))
			continue;
		WRITE_ONCE(table[i], 0);
		tdp_stat(tdp, OKVM_X86_VM_STAT_PAGES_4K, -1);
		zapped = true;
	}
	return zapped;
}

/*
 * Take the last-level table *pde points to out of the tree, its leaves
 * cleared.  The caller must flush every vCPU's TLB before mmu_lock is
 * dropped: the page may be handed out again right after.
 */
static void tdp_detach(struct okvm_tdp *tdp, u64 *pde)
{
	struct page *page = virt_to_page(tdp_table_va(*pde));

	tdp_clear_leaves(tdp, page_address(page), 0, TDP_ENTRIES);
	WRITE_ONCE(*pde, 0);
	if (page_private(page) & TDP_NX_SPLIT)
		tdp_stat(tdp, OKVM_X86_VM_STAT_NX_LPAGE_SPLITS, -1);
	set_page_private(page, 0);
	list_move(&page->lru, &tdp->free);
	tdp->nr_pages--;
	WRITE_ONCE(tdp->detached, tdp->detached + 1);
}

/* Turn a freshly linked last-level table into an NX split of its region. */
static void tdp_mark_nx_split(struct okvm_tdp *tdp, u64 *pde, u64 gfn)
{
	struct page *page = virt_to_page(tdp_table_va(*pde));

	gfn &= ~(u64)(TDP_ENTRIES - 1);
	set_page_private(page, (unsigned long)(gfn << 1) | TDP_NX_SPLIT);
	list_move_tail(&page->lru, &tdp->nx_splits);
	tdp_stat(tdp, OKVM_X86_VM_STAT_NX_LPAGE_SPLITS, 1);
}

/* The level-2 entry of gfn, making the tables above it; NULL: no memory. */
static u64 *tdp_walk_to_pde(struct okvm_tdp *tdp, u64 gfn,
			    struct page ***spare)
{
	u64 *table = tdp->root;
	int level;

	for (level = tdp->levels; level > 2; level--) {
		u64 *pte = &table[tdp_index(gfn, level)];

		if (!tdp_present(tdp, *pte)) {
			struct page *page = tdp_take_table(tdp, spare);

			if (!page)
				return NULL;
			WRITE_ONCE(*pte, tdp->fmt->table(page_to_phys(page)));
		}
		table = tdp_table_va(*pte);
	}
	return &table[tdp_index(gfn, 2)];
}

/* A 2 MiB leaf for the region of req->gfn, replacing what was there. */
static void tdp_map_huge(struct okvm_tdp *tdp, u64 *pde,
			 struct okvm_tdp_req *req)
{
	const struct okvm_pte_fmt *fmt = tdp->fmt;
	u64 old = *pde, leaf;

	if (tdp_huge(tdp, old)) {
		req->flush = true;
	} else {
		if (tdp_present(tdp, old)) {
			tdp_detach(tdp, pde);
			req->flush_all = true;
		}
		tdp_stat(tdp, OKVM_X86_VM_STAT_PAGES_2M, 1);
	}
	leaf = fmt->leaf(req->hpa & ~(u64)(PMD_SIZE - 1), req->writable) |
	       fmt->huge;
	if (req->nx)
		leaf = (leaf & ~fmt->exec) | fmt->nx;
	WRITE_ONCE(*pde, leaf);
}

/* Whether req may get a 2 MiB leaf, given the level-2 entry there. */
static bool tdp_want_huge(struct okvm_tdp *tdp, u64 pde,
			  const struct okvm_tdp_req *req)
{
	if (!req->huge || (req->nx && req->fetch))
		return false;
	/* While NX huge pages are on, a split region stays split. */
	if (req->nx && tdp_present(tdp, pde) && !tdp_huge(tdp, pde)) {
		struct page *page = virt_to_page(tdp_table_va(pde));

		return !(page_private(page) & TDP_NX_SPLIT);
	}
	return true;
}

/*
 * Map req->gfn to the host page at req->hpa: with a 2 MiB leaf when
 * req->huge says the host and the memslot allow one (and NX huge pages do
 * not forbid it), else with a 4 KiB one.  spare: a NULL-terminated array of
 * pre-allocated zeroed pages (levels - 1 at least) consumed for missing
 * tables.  On return req->flush says a translation was replaced (this vCPU
 * flushes) and req->flush_all that a table was detached (every vCPU must
 * flush before mmu_lock is dropped).
 */
int okvm_tdp_map(struct okvm_tdp *tdp, struct okvm_tdp_req *req,
		 struct page **spare)
{
	const struct okvm_pte_fmt *fmt = tdp->fmt;
	u64 *pde, *pte;

	if (req->gfn >> (9 * tdp->levels))
		return -ERANGE;
	pde = tdp_walk_to_pde(tdp, req->gfn, &spare);
	if (!pde)
		return -ENOMEM;
	if (tdp_want_huge(tdp, *pde, req)) {
		tdp_map_huge(tdp, pde, req);
		return 0;
	}
	if (tdp_huge(tdp, *pde)) {
		/* An instruction fetch from an NX 2 MiB leaf: split it. */
		WRITE_ONCE(*pde, 0);
		tdp_stat(tdp, OKVM_X86_VM_STAT_PAGES_2M, -1);
		req->flush = true;
	}
	if (!tdp_present(tdp, *pde)) {
		struct page *page = tdp_take_table(tdp, &spare);

		if (!page)
			return -ENOMEM;
		WRITE_ONCE(*pde, fmt->table(page_to_phys(page)));
		if (req->huge && req->nx && req->fetch)
			tdp_mark_nx_split(tdp, pde, req->gfn);
	}
	pte = &tdp_table_va(*pde)[tdp_index(req->gfn, 1)];
	if (tdp_present(tdp, *pte))
		req->flush = true;
	else
		tdp_stat(tdp, OKVM_X86_VM_STAT_PAGES_4K, 1);
	WRITE_ONCE(*pte, fmt->leaf(req->hpa, req->writable));
	return 0;
}

/* Zap [start, end) below a level-2 entry; the region starts at lo. */
static bool tdp_zap_pde(struct okvm_tdp *tdp, u64 *pde, u64 lo, u64 start,
			u64 end)
{
	u64 hi = lo + TDP_ENTRIES;

	if (tdp_huge(tdp, *pde)) {
		WRITE_ONCE(*pde, 0);
		tdp_stat(tdp, OKVM_X86_VM_STAT_PAGES_2M, -1);
		return true;
	}
	if (start <= lo && end >= hi) {
		tdp_detach(tdp, pde);
		return true;
	}
	return tdp_clear_leaves(tdp, tdp_table_va(*pde),
				max(start, lo) - lo, min(end, hi) - lo);
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
		if (!tdp_present(tdp, pte))
			continue;
		if (level == 2)
			zapped |= tdp_zap_pde(tdp, &table[i], lo, start, end);
		else
			zapped |= tdp_zap_table(tdp, tdp_table_va(pte),
						level - 1, lo, start, end);
	}
	return zapped;
}

/*
 * Unmap [start_gfn, end_gfn); a 2 MiB leaf overlapping it goes whole.  True
 * if anything was unmapped or detached: the caller flushes every vCPU.
 */
bool okvm_tdp_zap_range(struct okvm_tdp *tdp, u64 start_gfn, u64 end_gfn)
{
	if (!tdp->root || start_gfn >= end_gfn)
		return false;
	return tdp_zap_table(tdp, tdp->root, tdp->levels, 0, start_gfn,
			     end_gfn);
}

/* The level-2 entry of gfn if the tables above it exist, else NULL. */
static u64 *tdp_find_pde(struct okvm_tdp *tdp, u64 gfn)
{
	u64 *table = tdp->root;
	int level;

	for (level = tdp->levels; level > 2; level--) {
		u64 pte = table[tdp_index(gfn, level)];

		if (!tdp_present(tdp, pte))
			return NULL;
		table = tdp_table_va(pte);
	}
	return &table[tdp_index(gfn, 2)];
}

/*
 * NX huge page recovery: zap the n oldest NX splits so that their regions
 * may be mapped 2 MiB again.  Returns how many were zapped; the caller
 * flushes every vCPU if any.
 */
__cold unsigned long okvm_tdp_recover_nx(struct okvm_tdp *tdp, unsigned long n)
{
	unsigned long done = 0;
	struct page *page;
	u64 *pde;

	while (done < n && !list_empty(&tdp->nx_splits)) {
		page = list_first_entry(&tdp->nx_splits, struct page, lru);
		pde = tdp_find_pde(tdp, page_private(page) >> 1);
		if (WARN_ON_ONCE(!pde || tdp_huge(tdp, *pde) ||
				 !tdp_present(tdp, *pde) ||
				 tdp_table_va(*pde) != page_address(page))) {
			/* Not where it says: keep it, unlisted. */
			set_page_private(page, 0);
			list_move(&page->lru, &tdp->pages);
			tdp_stat(tdp, OKVM_X86_VM_STAT_NX_LPAGE_SPLITS, -1);
			continue;
		}
		tdp_detach(tdp, pde);
		done++;
	}
	return done;
}

static void tdp_walk_table(struct okvm_tdp *tdp, u64 *table, int level,
			   u64 base, okvm_tdp_leaf_fn fn, void *arg)
{
	u64 span = 1ULL << (9 * (level - 1));
	unsigned int i;

	for (i = 0; i < TDP_ENTRIES; i++) {
		u64 pte = READ_ONCE(table[i]);

		if (!tdp_present(tdp, pte))
			continue;
		if (level == 1 || (level == 2 && tdp_huge(tdp, pte)))
			fn(arg, base + i * span, &table[i]);
		else
			tdp_walk_table(tdp, tdp_table_va(pte), level - 1,
				       base + i * span, fn, arg);
	}
}

/*
 * Call fn for every present leaf (a 2 MiB one with the first gfn of its
 * region).  Table pages are never freed while the VM lives, so this may run
 * without mmu_lock; fn then sees leaves that an invalidation may clear at
 * any time, and, when tdp->detached moves, tables reused for other regions
 * (gfn then names the wrong frame).
 */
void okvm_tdp_for_each_leaf(struct okvm_tdp *tdp, okvm_tdp_leaf_fn fn,
			    void *arg)
{
	if (tdp->root)
		tdp_walk_table(tdp, tdp->root, tdp->levels, 0, fn, arg);
}
