/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What shadow.c (the tree and its faults) and shadow_roots.c (subtrees
 * kept across CR3 loads) share.  Not part of the MMU interface (mmu.h).
 *
 * Every table page of a shadow tree, the root included, has a companion
 * page whose page address is the table's page_private(): entry i of the
 * companion is the guest's entry that the table's entry i was made from,
 * at the same level (for a leaf, the guest's leaf entry as the fault left
 * it, A and D included).  Below a guest page of 2 MiB or 1 GiB, where the
 * guest has no tables of its own, the recorded entry is that page's.  A
 * zero means "unknown" and never matches a present guest entry.
 */
#ifndef OKVM_MMU_SHADOW_H
#define OKVM_MMU_SHADOW_H

#include <linux/mm.h>
#include <linux/io.h>
#include <asm/pgtable_types.h>

#define SH_ADDR_MASK	0x000ffffffffff000ULL

struct okvm_vcpu;
struct okvm_walk_cache;

static inline bool sh_is_huge(u64 pte)
{
	return (pte & (_PAGE_PRESENT | _PAGE_PSE)) ==
	       (_PAGE_PRESENT | _PAGE_PSE);
}

static inline u64 *sh_va(u64 pte)
{
	return phys_to_virt(pte & SH_ADDR_MASK);
}

static inline unsigned int sh_index(u64 la, int level)
{
	return (la >> (12 + 9 * (level - 1))) & 511;
}

/* shadow.c, mmu_lock held */
u64 *okvm_sh_guest_slot(u64 *sptep);
void okvm_sh_zap_entry(struct okvm_vcpu *vcpu, u64 *sptep, int level);
bool okvm_sh_drop_at(struct okvm_vcpu *vcpu, u64 *table, int level, u64 la);
void okvm_sh_sweep_root(struct okvm_vcpu *vcpu);

/* shadow_roots.c */
bool okvm_sh_guest_path(const struct okvm_walk_cache *wc, u64 la, u64 *g);
void okvm_sh_roots_switch(struct okvm_vcpu *vcpu, u64 old, u64 new);
bool okvm_sh_roots_drop_la(struct okvm_vcpu *vcpu, u64 la);
void okvm_sh_roots_forget(struct okvm_vcpu *vcpu);

#endif /* OKVM_MMU_SHADOW_H */
