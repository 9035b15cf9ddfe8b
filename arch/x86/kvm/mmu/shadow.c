// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shadow paging, for CPUs or module parameters without TDP.
 *
 * Each vCPU owns one shadow table that maps guest linear addresses straight
 * to host pages; the hardware walks it instead of the guest's tables.  It
 * behaves as a large software TLB: a miss is a #PF intercept, resolved by
 * walking the guest's tables (mmu/walk.c) and, through the memslot, the
 * host mapping; guest writes to its own page tables need no tracking,
 * because x86 already obliges the guest to INVLPG or reload CR3 after
 * changing a present entry, and those are where we drop shadow entries
 * (a not-present entry made present is picked up by the next miss).
 *
 * A CR3 write drops what the guest's TLB would drop: every entry but the
 * global ones (guest CR4.PGE and G in its leaf), which the kernel half of
 * most guests is made of; the leaf tables are kept for reuse.  In long
 * mode, the top-level entries the new CR3 does not share (the user half)
 * are set aside instead, to be checked and put back when the guest loads
 * that CR3 again (shadow_roots.c; each entry records the guest entry it
 * was made from, shadow.h).
 *
 * The hardware always runs paged: PAE format (a 4-entry PDPT below 4 GiB)
 * while the guest is outside long mode, including paging off and real
 * mode, and the 4-level format in long mode.  A shadow entry is writable
 * only once the guest's dirty bit is set (a write sets it), user only if
 * the guest's walk allows user access, no-execute if it forbids fetches.
 *
 * Tables are per vCPU but protected by vm->mmu_lock, like the TDP tables.
 * When the host changes the page behind a guest frame, the reverse map
 * (rmap.c) finds the entries that map it in every vCPU's table.
 *
 * Where the guest maps 2 MiB or more and the host and the memslot allow it
 * (huge.c), one 2 MiB leaf (a PS entry of level 2) maps the whole region;
 * NX huge pages make it non-executable and a fetch there maps 4 KiB (an
 * NX split, shadow_nx.c).  Documentation/mmu.md has the rules.
 */
#include <linux/slab.h>
#include <asm/processor-flags.h>

#include "kvm_core.h"
#include "vendor.h"
#include "mmu.h"
#include "walk.h"
#include "shadow.h"

/* Past this many tables a CR3 write starts afresh instead of sweeping. */
#define SH_MAX_PAGES	1024
/* An invalidation of more frames than this drops every table. */
#define SH_ZAP_ALL_GFNS	(1UL << 16)
#define SH_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define SH_HUGE_MASK	(~(u64)(PMD_SIZE - 1))
/*
 * Software bit (ignored by the CPU) of a level-2 entry that points to a
 * 4 KiB table: some of its leaves shadow a guest page of 2 MiB or more,
 * so one guest INVLPG must drop them all.
 */
#define SH_GUEST_HUGE	_PAGE_SOFTW1

/* A live 2 MiB leaf of vcpu's table appeared (n = 1) or went (n = -1). */
static void sh_count_huge(struct okvm_vcpu *vcpu, int n)
{
	vcpu->arch.shadow.nr_huge += n;
	okvm_shadow_stat_add(vcpu->vm, OKVM_X86_VM_STAT_PAGES_2M, n);
}

/*
 * The guest entry recorded for the shadow entry at sptep (shadow.h); for
 * a table's first entry, the table's whole companion.
 */
u64 *okvm_sh_guest_slot(u64 *sptep)
{
	u64 *table = (u64 *)((unsigned long)sptep & PAGE_MASK);
	u64 *guest = (u64 *)page_private(virt_to_page(table));

	return &guest[sptep - table];
}

/* PAE PDPTEs take only P (and cache bits); other tables are permissive. */
static u64 sh_table_entry(struct okvm_shadow *sh, int level, u64 pa)
{
	return (sh->levels == 3 && level == 3) ? pa | _PAGE_PRESENT :
						  pa | SH_TABLE;
}

__cold int okvm_shadow_vcpu_init(struct okvm_vcpu *vcpu)
{
	struct okvm_shadow *sh = &vcpu->arch.shadow;
	unsigned long guest;
	struct page *root;

	/* In PAE mode CR3 holds a 32-bit address. */
	root = alloc_page(GFP_KERNEL_ACCOUNT | GFP_DMA32 | __GFP_ZERO);
	guest = get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!root || !guest) {
		if (root)
			__free_page(root);
		free_page(guest);
		return -ENOMEM;
	}
	set_page_private(root, guest);
	INIT_LIST_HEAD(&sh->pages);
	sh->root = page_address(root);
	sh->root_pa = page_to_phys(root);
	sh->levels = 3;
	return 0;
}

/* Free a table page and its companion (shadow.h). */
static void sh_free_page(struct page *page)
{
	free_page(page_private(page));
	set_page_private(page, 0);
	__free_page(page);
}

static void sh_free_list(struct list_head *list)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, list, lru) {
		list_del(&page->lru);
		sh_free_page(page);
	}
}

__cold void okvm_shadow_vcpu_destroy(struct okvm_vcpu *vcpu)
{
	struct okvm_shadow *sh = &vcpu->arch.shadow;

	if (!sh->root)
		return;
	sh_free_list(&sh->pages);
	sh_free_page(virt_to_page(sh->root));
	sh->root = NULL;
}

/* Unhook every table below the root onto 'list'.  mmu_lock held. */
static void sh_detach(struct okvm_vcpu *vcpu, struct list_head *list)
{
	struct okvm_shadow *sh = &vcpu->arch.shadow;

	lockdep_assert_held(&vcpu->vm->mmu_lock);
	okvm_shadow_stat_add(vcpu->vm, OKVM_X86_VM_STAT_MMU_SHADOW_ZAPPED,
			     sh->nr_pages);
	memset(sh->root, 0, PAGE_SIZE);
	list_splice_init(&sh->pages, list);
	sh->nr_pages = 0;
	sh_count_huge(vcpu, -(int)sh->nr_huge);
	okvm_sh_roots_forget(vcpu);
}

/*
 * The guest changed CR0/CR3/CR4/EFER (or userspace set them): start from
 * an empty table in the format the guest's mode needs.
 */
void okvm_shadow_reset(struct okvm_vcpu *vcpu)
{
	struct okvm_shadow *sh = &vcpu->arch.shadow;
	LIST_HEAD(dead);

	spin_lock(&vcpu->vm->mmu_lock);
	sh_detach(vcpu, &dead);
	sh->levels = okvm_is_long_mode(vcpu) ? 4 : 3;
	sh->cr3 = okvm_vendor->get_cr(vcpu, 3) & SH_ADDR_MASK;
	spin_unlock(&vcpu->vm->mmu_lock);
	sh_free_list(&dead);	/* this vCPU is not in guest mode */
	okvm_make_request(vcpu, OKVM_REQ_TLB_FLUSH);
	okvm_vendor->set_mmu_root(vcpu, sh->root_pa);
}

/*
 * Clear every leaf that is not global below table, of 'level'.  The
 * tables stay.  mmu_lock held.
 */
static void sh_sweep(struct okvm_vcpu *vcpu, u64 *table, int level)
{
	unsigned int i;

	for (i = 0; i < PTRS_PER_PTE; i++) {
		u64 pte = table[i];

		if (!(pte & _PAGE_PRESENT))
			continue;
		if (level > 2 || (level == 2 && !sh_is_huge(pte))) {
			sh_sweep(vcpu, sh_va(pte), level - 1);
			continue;
		}
		if (pte & _PAGE_GLOBAL)
			continue;
		WRITE_ONCE(table[i], 0);
		if (level == 2)
			sh_count_huge(vcpu, -1);
	}
}

/* A leaf that is not global may now be under la's root entry. */
static void sh_mark_nonglobal(struct okvm_vcpu *vcpu, u64 la, u64 bits)
{
	struct okvm_shadow *sh = &vcpu->arch.shadow;

	if (!(bits & _PAGE_GLOBAL))
		__set_bit(sh_index(la, sh->levels), sh->nonglobal);
}

/*
 * Clear every leaf that is not global in vcpu's tree: below the root
 * entries marked as holding some (sh_mark_nonglobal()), so that the
 * kernel half, all global in most guests, is not walked at every CR3
 * load.  mmu_lock held.
 */
void okvm_sh_sweep_root(struct okvm_vcpu *vcpu)
{
	struct okvm_shadow *sh = &vcpu->arch.shadow;
	unsigned int i;

	for (i = 0; i < PTRS_PER_PGD; i++)
		if (__test_and_clear_bit(i, sh->nonglobal) &&
		    (sh->root[i] & _PAGE_PRESENT))
			sh_sweep(vcpu, sh_va(sh->root[i]), sh->levels - 1);
}

/* May entries be set aside at this CR3 load (shadow_roots.c)? */
static bool sh_keeps_roots(struct okvm_vcpu *vcpu, u64 old, u64 new)
{
	return old != new && vcpu->arch.shadow.levels == 4 &&
	       !(okvm_vendor->get_cr(vcpu, 4) & X86_CR4_LA57);
}

/* The guest loaded CR3 (and nothing else changed its paging mode). */
void okvm_shadow_new_cr3(struct okvm_vcpu *vcpu)
{
	struct okvm_shadow *sh = &vcpu->arch.shadow;
	int levels = okvm_is_long_mode(vcpu) ? 4 : 3;
	u64 old = sh->cr3;

	if (levels != sh->levels) {
		okvm_shadow_reset(vcpu);
		return;
	}
	if (sh->nr_pages > okvm_shadow_max_pages(vcpu->vm, SH_MAX_PAGES)) {
		/* mmu_recycled: tables dropped for the table's size alone. */
		okvm_shadow_stat_add(vcpu->vm, OKVM_X86_VM_STAT_MMU_RECYCLED,
				     sh->nr_pages);
		okvm_shadow_reset(vcpu);
		return;
	}
	sh->cr3 = okvm_vendor->get_cr(vcpu, 3) & SH_ADDR_MASK;
	if (sh_keeps_roots(vcpu, old, sh->cr3)) {
		okvm_sh_roots_switch(vcpu, old, sh->cr3);
	} else {
		spin_lock(&vcpu->vm->mmu_lock);
		okvm_sh_sweep_root(vcpu);
		spin_unlock(&vcpu->vm->mmu_lock);
	}
	okvm_make_request(vcpu, OKVM_REQ_TLB_FLUSH);
}

/*
 * Drop every shadow entry of every vCPU (and so every reverse-map
 * record).  The tables are freed only once no vCPU can still be walking
 * them.  mmu_lock held.
 */
void okvm_shadow_zap_all(struct okvm_vm *vm)
{
	struct okvm_vcpu *vcpu;
	unsigned long i;
	LIST_HEAD(dead);

	lockdep_assert_held(&vm->mmu_lock);
	okvm_for_each_vcpu(i, vcpu, vm)
		if (vcpu->arch.shadow.root)
			sh_detach(vcpu, &dead);
	okvm_rmap_reset(vm);
	okvm_shadow_forget_splits(vm);
	okvm_flush_remote_tlbs(vm);
	sh_free_list(&dead);
}

/*
 * Host mappings of guest frames [start, end) changed: drop the shadow
 * entries that map them.  True if the caller must flush TLBs.  mmu_lock
 * held.
 */
bool okvm_shadow_zap_range(struct okvm_vm *vm, u64 start, u64 end)
{
	/*
	 * A whole slot going away or being logged, or the owner exiting:
	 * cheaper to start afresh than to drop records one by one under
	 * this spinlock.
	 */
	if (okvm_rmap_lost(vm) || end - start > SH_ZAP_ALL_GFNS) {
		okvm_shadow_zap_all(vm);
		return false;
	}
	return okvm_rmap_zap_range(vm, start, end);
}

/*
 * Free a table of vcpu's and every table below it.  At once: only this
 * vCPU's hardware walks them, and the vCPU is not in guest mode; it
 * flushes before it enters again.  mmu_lock held.
 */
static void sh_free_tree(struct okvm_vcpu *vcpu, u64 *table, int level)
{
	struct okvm_shadow *sh = &vcpu->arch.shadow;
	struct page *page = virt_to_page(table);
	unsigned int i;

	for (i = 0; level > 1 && i < PTRS_PER_PTE; i++)
		if (table[i] & _PAGE_PRESENT)
			okvm_sh_zap_entry(vcpu, &table[i], level);
	list_del(&page->lru);
	sh_free_page(page);
	sh->nr_pages--;
	okvm_shadow_stat_add(vcpu->vm, OKVM_X86_VM_STAT_MMU_SHADOW_ZAPPED, 1);
}

/*
 * Clear the entry at sptep, in a table of 'level' (or a slot's, level
 * 4), and free the tables below it.  mmu_lock held.
 */
void okvm_sh_zap_entry(struct okvm_vcpu *vcpu, u64 *sptep, int level)
{
	u64 pte = *sptep;

	WRITE_ONCE(*sptep, 0);
	okvm_make_request(vcpu, OKVM_REQ_TLB_FLUSH);
	if (!(pte & _PAGE_PRESENT) || level == 1)
		return;
	if (level == 2 && sh_is_huge(pte))
		sh_count_huge(vcpu, -1);
	else
		sh_free_tree(vcpu, sh_va(pte), level - 1);
}

/* A new table under *pte, from the vCPU's cache; false if it is empty. */
static bool sh_new_table(struct okvm_vcpu *vcpu, u64 *pte, int level,
			 struct page **cache)
{
	struct okvm_shadow *sh = &vcpu->arch.shadow;
	struct page *page = cache[0];

	if (!page || !cache[1])
		return false;
	set_page_private(page, (unsigned long)page_address(cache[1]));
	cache[0] = cache[1] = NULL;
	list_add(&page->lru, &sh->pages);
	sh->nr_pages++;
	okvm_shadow_stat_add(vcpu->vm, OKVM_X86_VM_STAT_MMU_CACHE_MISS, 1);
	WRITE_ONCE(*pte, sh_table_entry(sh, level, page_to_phys(page)));
	return true;
}

/*
 * The entry at 'level' (1: a 4 KiB leaf, 2: a 2 MiB one) for la,
 * allocating tables from the vCPU's cache (two pages each, shadow.h).  A
 * 2 MiB leaf in the way of a 4 KiB one is dropped.  g: the guest's
 * entries of la by level (okvm_sh_guest_path()), or NULL if not known; a
 * table made from another guest entry than g's is dropped first.
 */
static u64 *sh_entry(struct okvm_vcpu *vcpu, u64 la, int stop, const u64 *g)
{
	struct okvm_shadow *sh = &vcpu->arch.shadow;
	struct page **cache = vcpu->arch.mmu_cache;
	u64 *table = sh->root;
	int level;

	for (level = sh->levels; level > stop; level--) {
		u64 *pte = &table[sh_index(la, level)];

		if ((level == 2 && sh_is_huge(*pte)) ||
		    (g && (*pte & _PAGE_PRESENT) &&
		     *okvm_sh_guest_slot(pte) != g[level]))
			okvm_sh_zap_entry(vcpu, pte, level);
		if (!(*pte & _PAGE_PRESENT)) {
			if (!sh_new_table(vcpu, pte, level, cache))
				return NULL;
			cache += 2;
			*okvm_sh_guest_slot(pte) = g ? g[level] : 0;
		}
		table = sh_va(*pte);
	}
	return &table[sh_index(la, stop)];
}

/*
 * The level-2 entry for la below table (of 'level'), or NULL if a table
 * above it is missing.
 */
static u64 *sh_lookup_pde(u64 *table, int level, u64 la)
{
	for (; level > 2; level--) {
		u64 *pte = &table[sh_index(la, level)];

		if (!(*pte & _PAGE_PRESENT))
			return NULL;
		table = sh_va(*pte);
	}
	return &table[sh_index(la, 2)];
}

/* The same in vcpu's tree. */
static u64 *sh_live_pde(struct okvm_vcpu *vcpu, u64 la)
{
	struct okvm_shadow *sh = &vcpu->arch.shadow;

	return sh->root ? sh_lookup_pde(sh->root, sh->levels, la) : NULL;
}

/*
 * Clear the leaf (4 KiB or 2 MiB) for la below table, of 'level', if
 * present; true if it was.  mmu_lock held.
 */
bool okvm_sh_drop_at(struct okvm_vcpu *vcpu, u64 *table, int level, u64 la)
{
	u64 *pte = sh_lookup_pde(table, level, la);

	if (!pte || !(*pte & _PAGE_PRESENT))
		return false;
	/* A level-2 PS entry; okvm never sets a 4 KiB leaf's PAT bit. */
	if (*pte & _PAGE_PSE)
		sh_count_huge(vcpu, -1);
	else
		pte = &sh_va(*pte)[sh_index(la, 1)];
	if (!(*pte & _PAGE_PRESENT))
		return false;
	WRITE_ONCE(*pte, 0);
	return true;
}

/*
 * Clear vcpu's entries for la, in its tree and in the entries it set
 * aside; the caller flushes TLBs if this returns true.  mmu_lock held.
 */
bool okvm_shadow_drop_la(struct okvm_vcpu *vcpu, u64 la)
{
	struct okvm_shadow *sh = &vcpu->arch.shadow;
	bool cleared;

	lockdep_assert_held(&vcpu->vm->mmu_lock);
	if (!sh->root)
		return false;
	cleared = okvm_sh_drop_at(vcpu, sh->root, sh->levels, la);
	return okvm_sh_roots_drop_la(vcpu, la) || cleared;
}

/*
 * The 4 KiB leaves under a level-2 entry that shadow a guest's large
 * page: the guest drops such a page with one INVLPG of any address in it.
 */
static void sh_drop_guest_huge(struct okvm_vcpu *vcpu, u64 la)
{
	u64 *pde = sh_live_pde(vcpu, la), *table;
	int i;

	if (!pde || sh_is_huge(*pde) || !(*pde & SH_GUEST_HUGE) ||
	    !(*pde & _PAGE_PRESENT))
		return;
	table = sh_va(*pde);
	for (i = 0; i < 512; i++)
		WRITE_ONCE(table[i], 0);
}

/* Mark la's level-2 entry: a leaf under it shadows a large guest page. */
static void sh_mark_guest_huge(struct okvm_vcpu *vcpu, u64 la)
{
	u64 *pde = sh_live_pde(vcpu, la);

	if (pde && (*pde & _PAGE_PRESENT) && !sh_is_huge(*pde))
		WRITE_ONCE(*pde, *pde | SH_GUEST_HUGE);
}

/* INVLPG: forget one linear address (or the guest's large page it is in). */
void okvm_shadow_invlpg(struct okvm_vcpu *vcpu, u64 la)
{
	spin_lock(&vcpu->vm->mmu_lock);
	okvm_shadow_drop_la(vcpu, la);
	sh_drop_guest_huge(vcpu, la);
	spin_unlock(&vcpu->vm->mmu_lock);
	okvm_make_request(vcpu, OKVM_REQ_TLB_FLUSH);
}

/*
 * Does the guest's walk allow 'access' at la?  No A/D side effects; the
 * fault's own walk left its entries in @wc.
 */
static bool sh_probe(struct okvm_vcpu *vcpu, struct okvm_walk_cache *wc,
		     u64 la, unsigned int access)
{
	struct x86_fault fault;
	unsigned int shift;
	u64 gpa, leaf;

	return okvm_walk_leaf(vcpu, wc, la, access, false, &gpa, &leaf, &shift,
			      &fault) == 0;
}

/*
 * The shadow entry's flags for an access the guest's walk allowed, whose
 * leaf entry was guest_leaf.
 */
static u64 sh_leaf_bits(struct okvm_vcpu *vcpu, struct okvm_walk_cache *wc,
			u64 la, unsigned int access, u64 guest_leaf)
{
	u64 bits = _PAGE_PRESENT | _PAGE_ACCESSED;
	unsigned int user = access & X86_WALK_USER;

	if ((guest_leaf & _PAGE_GLOBAL) && (wc->regs.cr4 & X86_CR4_PGE))
		bits |= _PAGE_GLOBAL;
	if (access & X86_WALK_WRITE)
		bits |= _PAGE_RW | _PAGE_DIRTY;
	/*
	 * A kernel write that only the guest's CR0.WP=0 allows must not make
	 * the page writable for its user mode: such an entry is kernel-only,
	 * and a user access faults again and gets its own entry.
	 */
	if ((user || sh_probe(vcpu, wc, la, X86_WALK_USER)) &&
	    (user || !(access & X86_WALK_WRITE) ||
	     sh_probe(vcpu, wc, la, X86_WALK_USER | X86_WALK_WRITE)))
		bits |= _PAGE_USER;
	if (!(access & X86_WALK_FETCH) &&
	    (wc->regs.efer & EFER_NX) &&
	    !sh_probe(vcpu, wc, la, X86_WALK_FETCH | user))
		bits |= _PAGE_NX;
	return bits;
}

/*
 * The access a fill maps for: a read through a guest entry that is
 * already dirty maps the page writable at once where the guest allows the
 * write, as a TLB fill would, so that the guest's first write does not
 * fault again.  Not for a kernel read with CR0.WP clear, whose entry
 * would then be kernel-only (sh_leaf_bits()).
 */
static unsigned int sh_fill_access(struct okvm_vcpu *vcpu,
				   struct okvm_walk_cache *wc, u64 la,
				   unsigned int access, u64 guest_leaf)
{
	unsigned int user = access & X86_WALK_USER;

	if ((access & X86_WALK_WRITE) || !(guest_leaf & _PAGE_DIRTY) ||
	    (!user && !(wc->regs.cr0 & X86_CR0_WP)) ||
	    !sh_probe(vcpu, wc, la, user | X86_WALK_WRITE))
		return access;
	return access | X86_WALK_WRITE;
}

/*
 * A fault may also fill the rest of its aligned group of this many pages:
 * through a guest page of 2 MiB or more, where the neighbours need no
 * guest entry of their own, SH_PREFETCH_HUGE; else SH_PREFETCH.
 */
#define SH_PREFETCH	8
#define SH_PREFETCH_HUGE 16
/*
 * The flags of a guest leaf that decide a neighbour's shadow flags, given
 * the tables above it (the fault's): what the walk allows (R/W, U/S, NX,
 * the protection key), D and G.
 */
#define SH_NEAR_KEY	(_PAGE_RW | _PAGE_USER | _PAGE_DIRTY | _PAGE_GLOBAL | \
			 _PAGE_NX | _PAGE_PKEY_MASK)

/*
 * A page of the group worth filling: where, what, with which flags, from
 * which guest entry.
 */
struct sh_near {
	u64 la, gfn, bits, guest;
};

struct sh_install_arg {
	u64 la;
	u64 bits;
	const u64 *g;		/* la's guest entries by level, or NULL */
	bool guest_huge;	/* the guest maps la with a page of 2 MiB+ */
	bool fetch;
	/* Planned by sh_prefetch_plan(), filled by sh_prefetch(). */
	unsigned int nr_near;
	struct sh_near near[SH_PREFETCH_HUGE - 1];
	/* Pages sh_prefetch() mapped, released by sh_prefetch_done(). */
	unsigned int nr_pages;
	unsigned int dirty;	/* bit i: pages[i] was mapped writable */
	struct page *pages[SH_PREFETCH_HUGE - 1];
};

/*
 * May the fault be mapped with a 2 MiB leaf?  The guest's page, the
 * memslot and the host's mapping must all allow it, and NX huge pages
 * must not forbid it: with them on, a fetch maps 4 KiB and makes the
 * region an NX split (so do later faults there until it is recovered),
 * and without EFER.NX a 2 MiB leaf could not be made non-executable.
 */
static bool sh_want_huge(struct okvm_vcpu *vcpu, const struct okvm_fault *f,
			 const struct sh_install_arg *a)
{
	struct okvm_vm *vm = vcpu->vm;

	if (!a->guest_huge || !okvm_host_maps_huge(vm, f))
		return false;
	if (!okvm_nx_huge_pages_apply(vm))
		return true;
	if (a->fetch) {
		okvm_shadow_mark_split(vm, f->gfn);
		return false;
	}
	return (okvm_vendor->get_efer(vcpu) & EFER_NX) &&
	       !okvm_shadow_is_split(vm, f->gfn);
}

/* Map la's 2 MiB region with one leaf.  mmu_lock held. */
static int sh_install_huge(struct okvm_vcpu *vcpu, const struct okvm_fault *f,
			   u64 bits, const struct sh_install_arg *a)
{
	u64 *pde = sh_entry(vcpu, a->la, 2, a->g);

	if (!pde)
		return -ENOMEM;
	if (okvm_nx_huge_pages_apply(vcpu->vm))
		bits |= _PAGE_NX;
	if (sh_is_huge(*pde))
		okvm_make_request(vcpu, OKVM_REQ_TLB_FLUSH);
	else if (*pde & _PAGE_PRESENT)
		okvm_sh_zap_entry(vcpu, pde, 2);
	if (!sh_is_huge(*pde))
		sh_count_huge(vcpu, 1);
	okvm_rmap_add_huge(vcpu, f->gfn, a->la);
	*okvm_sh_guest_slot(pde) = a->g ? a->g[2] : 0;
	WRITE_ONCE(*pde, (page_to_phys(f->pfn.page) & SH_HUGE_MASK) |
			 bits | _PAGE_PSE);
	return 0;
}

/*
 * Prefetch: the other pages of the fault's aligned group (SH_PREFETCH or
 * SH_PREFETCH_HUGE pages, which share its last-level shadow table) that
 * the guest has already used are filled too, if the host already backs
 * them.  Planned before mmu_lock, since reading the guest's tables may
 * sleep.  In a guest page of 2 MiB or more they translate through the
 * fault's own guest entry, with its flags.  Through 4 KiB guest entries,
 * each needs its own entry with the accessed bit set (we set no A bit
 * for a guess) and is mapped writable only if its dirty bit is set too.
 * @wc holds the fault's walk, so that only the neighbours' own entries
 * are read.
 */
static void sh_prefetch_plan(struct okvm_vcpu *vcpu,
			     struct okvm_walk_cache *wc,
			     struct sh_install_arg *a, u64 gfn,
			     unsigned int access)
{
	unsigned int i, user = access & X86_WALK_USER, acc, shift;
	unsigned int group = a->guest_huge ? SH_PREFETCH_HUGE : SH_PREFETCH;
	u64 first = a->la & ~(group * PAGE_SIZE - 1), la, gpa, leaf;
	u64 key = _PAGE_PRESENT, bits = 0;
	u64 off = (a->la - first) >> PAGE_SHIFT;
	struct x86_fault fault;
	bool ram;
	int idx;

	a->nr_near = 0;
	/* Not for MMIO, which faults every time and maps nothing. */
	idx = srcu_read_lock(&vcpu->vm->srcu);
	ram = okvm_gfn_to_slot(vcpu->vm, gfn);
	srcu_read_unlock(&vcpu->vm->srcu, idx);
	if (!ram || gfn < off)
		return;
	for (i = 0; i < group; i++) {
		struct sh_near *n = &a->near[a->nr_near];

		la = first + i * PAGE_SIZE;
		if (i == off)
			continue;	/* the fault's own page */
		if (a->guest_huge) {
			*n = (struct sh_near){ la, gfn - off + i, a->bits,
					       a->g ? a->g[1] : 0 };
			a->nr_near++;
			continue;
		}
		if (okvm_walk_leaf(vcpu, wc, la, user, false, &gpa, &leaf,
				   &shift, &fault) ||
		    shift != PAGE_SHIFT || !(leaf & _PAGE_ACCESSED))
			continue;
		/* Same table above: the same leaf flags give the same bits. */
		if ((leaf & SH_NEAR_KEY) != key) {
			key = leaf & SH_NEAR_KEY;
			acc = user;
			if ((leaf & _PAGE_DIRTY) &&
			    sh_probe(vcpu, wc, la, user | X86_WALK_WRITE))
				acc |= X86_WALK_WRITE;
			bits = sh_leaf_bits(vcpu, wc, la, acc, leaf);
		}
		*n = (struct sh_near){ la, gpa >> PAGE_SHIFT, bits,
				       a->g ? leaf : 0 };
		a->nr_near++;
	}
}

/*
 * Fill the planned pages that have no entry yet, taking only pages the
 * host already maps (a fast-only lookup: no host fault, fine under a
 * spinlock), never in a dirty-logged slot (its writes must each fault).
 * @table is the fault's last-level table.  mmu_lock held, in the same
 * critical section as the fault's invalidation check, so no host PTE can
 * change under us.
 */
static void sh_prefetch(struct okvm_vcpu *vcpu, struct sh_install_arg *a,
			u64 *table)
{
	const struct okvm_memslot *slot;
	struct page *page;
	unsigned int i;
	u64 *pte;

	for (i = 0; i < a->nr_near; i++) {
		const struct sh_near *n = &a->near[i];
		bool rw = n->bits & _PAGE_RW;

		pte = &table[sh_index(n->la, 1)];
		slot = okvm_gfn_to_slot(vcpu->vm, n->gfn);
		if ((*pte & _PAGE_PRESENT) || !slot || slot->dirty_bitmap ||
		    (rw && (slot->flags & KVM_MEM_READONLY)) ||
		    !get_user_page_fast_only(okvm_slot_hva(slot, n->gfn),
					     rw ? FOLL_WRITE : 0, &page))
			continue;
		if (rw)
			a->dirty |= 1u << a->nr_pages;
		a->pages[a->nr_pages++] = page;
		okvm_rmap_add(vcpu, n->gfn, n->la);
		sh_mark_nonglobal(vcpu, n->la, n->bits);
		*okvm_sh_guest_slot(pte) = n->guest;
		WRITE_ONCE(*pte, page_to_phys(page) | n->bits);
	}
}

/* After the fault: drop the references sh_prefetch() took. */
static void sh_prefetch_done(struct sh_install_arg *a)
{
	unsigned int i;

	for (i = 0; i < a->nr_pages; i++) {
		if (a->dirty & (1u << i))
			set_page_dirty_lock(a->pages[i]);
		put_page(a->pages[i]);
	}
	a->nr_pages = 0;
	a->dirty = 0;
}

/* Point the shadow entry of la at the host page.  mmu_lock held. */
static int sh_install(struct okvm_vcpu *vcpu, const struct okvm_fault *f,
		      void *arg)
{
	struct sh_install_arg *a = arg;
	u64 bits = a->bits, *pte;

	if (!f->pfn.writable)
		bits &= ~(u64)(_PAGE_RW | _PAGE_DIRTY);
	sh_mark_nonglobal(vcpu, a->la, bits);
	if (sh_want_huge(vcpu, f, a))
		return sh_install_huge(vcpu, f, bits, a);
	pte = sh_entry(vcpu, a->la, 1, a->g);
	if (!pte)
		return -ENOMEM;
	if (*pte & _PAGE_PRESENT)
		okvm_make_request(vcpu, OKVM_REQ_TLB_FLUSH);
	okvm_rmap_add(vcpu, f->gfn, a->la);
	*okvm_sh_guest_slot(pte) = a->g ? a->g[1] : 0;
	WRITE_ONCE(*pte, page_to_phys(f->pfn.page) | bits);
	if (a->guest_huge)
		sh_mark_guest_huge(vcpu, a->la);
	sh_prefetch(vcpu, a, pte - sh_index(a->la, 1));
	return 0;
}

/*
 * A #PF intercepted from the guest: either the guest's own page fault (to
 * reflect), a shadow miss (to fill), or an access to MMIO (to emulate).
 */
int okvm_shadow_page_fault(struct okvm_vcpu *vcpu, u64 la, u64 error)
{
	struct okvm_walk_cache wc = { .n = 0 };
	struct sh_install_arg arg;
	unsigned int access = 0, shift;
	struct x86_fault fault;
	u64 gpa, leaf, g[5];
	int r;

	if (error & OKVM_PF_WRITE)
		access |= X86_WALK_WRITE;
	if (error & OKVM_PF_USER)
		access |= X86_WALK_USER;
	if (error & OKVM_PF_FETCH)
		access |= X86_WALK_FETCH;
	if (!okvm_is_long_mode(vcpu))
		la = (u32)la;
	r = okvm_walk_leaf(vcpu, &wc, la, access, true, &gpa, &leaf, &shift,
			   &fault);
	if (r == X86_WALK_FAULT) {
		okvm_inject_fault(vcpu, &fault);
		return 1;
	}
	if (r)
		return okvm_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION,
					   2, la, error);
	r = okvm_mmu_topup(vcpu, 2 * (vcpu->arch.shadow.levels - 1));
	if (r)
		return r;
	arg.g = vcpu->arch.shadow.levels == 4 &&
		okvm_sh_guest_path(&wc, la, g) ? g : NULL;
	arg.la = la;
	arg.bits = sh_leaf_bits(vcpu, &wc, la,
				sh_fill_access(vcpu, &wc, la, access, leaf), leaf);
	arg.guest_huge = shift >= PMD_SHIFT;
	arg.fetch = access & X86_WALK_FETCH;
	arg.nr_pages = 0;
	arg.dirty = 0;
	sh_prefetch_plan(vcpu, &wc, &arg, gpa >> PAGE_SHIFT, access);
	r = okvm_mmu_map_gfn(vcpu, gpa >> PAGE_SHIFT, access & X86_WALK_WRITE,
			     sh_install, &arg);
	sh_prefetch_done(&arg);
	if (r == OKVM_FAULT_MMIO)
		return okvm_emulate_mmio(vcpu);
	return r < 0 ? r : 1;
}
