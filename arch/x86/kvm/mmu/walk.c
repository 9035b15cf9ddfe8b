// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest page-table walker (see walk.h).
 *
 * The walk records every paging-structure entry it used, accumulates the
 * U/S, R/W and XD permissions along the way, checks the access against
 * them, and only then sets the Accessed flags (and Dirty on the leaf for a
 * write) with compare-and-exchange.  A lost race restarts the walk.
 */
#include "walk.h"

#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_US		(1ull << 2)
#define PTE_A		(1ull << 5)
#define PTE_D		(1ull << 6)
#define PTE_PS		(1ull << 7)
#define PTE_XD		(1ull << 63)
#define PTE_ADDR	0x000ffffffffff000ull

#define W_CR0_WP	(1ull << 16)
#define W_CR0_PG	(1ull << 31)
#define W_CR4_PSE	(1ull << 4)
#define W_CR4_PAE	(1ull << 5)
#define W_CR4_LA57	(1ull << 12)
#define W_CR4_SMEP	(1ull << 20)
#define W_CR4_SMAP	(1ull << 21)
#define W_EFER_LMA	(1ull << 10)
#define W_EFER_NXE	(1ull << 11)

#define WALK_MAX_LEVELS		5
#define WALK_MAX_RETRIES	64

enum walk_format { WALK_32BIT, WALK_PAE, WALK_LONG };

struct walk {
	const struct x86_walk_ops *ops;
	void *priv;
	const struct x86_walk_regs *regs;
	struct x86_fault *fault;
	u64 la;
	unsigned int access;
	enum walk_format fmt;
	unsigned int maxphy;		/* clamped to 32..52 */
	unsigned int esize;		/* entry size: 4 or 8 */
	unsigned int bits;		/* index bits per level: 10 or 9 */
	/* Filled by each walk attempt. */
	unsigned int nr;
	u64 e_gpa[WALK_MAX_LEVELS];
	u64 e_val[WALK_MAX_LEVELS];
	bool user_ok, write_ok, xd;
	u64 result;
	unsigned int page_shift;	/* log2 of the leaf's page size */
};

/* Bits hi..lo inclusive; empty when lo > hi. */
static u64 bit_range(unsigned int hi, unsigned int lo)
{
	if (lo > hi)
		return 0;
	return (~0ull >> (63 - hi)) & ~((1ull << lo) - 1);
}

static bool walk_nxe(const struct walk *w)
{
	return w->fmt != WALK_32BIT && (w->regs->efer & W_EFER_NXE);
}

static u32 walk_error_code(const struct walk *w, u32 bits)
{
	unsigned int acc = w->access;

	if (acc & X86_WALK_WRITE)
		bits |= X86_WALK_PF_WRITE;
	if ((acc & X86_WALK_USER) && !(acc & X86_WALK_IMPLICIT))
		bits |= X86_WALK_PF_USER;
	if ((acc & X86_WALK_FETCH) &&
	    ((w->regs->cr4 & W_CR4_SMEP) || walk_nxe(w)))
		bits |= X86_WALK_PF_FETCH;
	return bits;
}

static int walk_fault(struct walk *w, u32 bits)
{
	w->fault->vector = X86_WALK_PF_VECTOR;
	w->fault->has_error_code = true;
	w->fault->error_code = walk_error_code(w, bits);
	w->fault->address = w->la;
	return X86_WALK_FAULT;
}

static int walk_read(struct walk *w, u64 gpa, u64 *val)
{
	int rc;

	*val = 0;
	rc = w->ops->read_phys(w->priv, gpa, val, w->esize);
	if (rc)
		return rc < 0 ? rc : -EFAULT;
	if (w->esize == 4)
		*val &= 0xffffffffull;
	return 0;
}

/* Reserved bits of a present entry at @level (1 = PTE). */
static u64 walk_rsvd(const struct walk *w, unsigned int level, u64 e)
{
	unsigned int m = w->maxphy;
	u64 r;

	if (w->fmt == WALK_32BIT) {
		if (level != 2 || !(e & PTE_PS) || !(w->regs->cr4 & W_CR4_PSE))
			return 0;
		/* PSE-36: PDE bits 20:13 hold physical bits 39:32. */
		if (m > 40)
			m = 40;
		return bit_range(21, 13 + m - 32);
	}
	if (w->fmt == WALK_LONG)
		r = bit_range(51, m);
	else
		r = bit_range(62, m);
	if (!walk_nxe(w))
		r |= PTE_XD;
	if (w->fmt == WALK_LONG && level >= 4)
		r |= PTE_PS;
	else if (e & PTE_PS) {
		if (level == 3)
			r |= bit_range(29, 13);
		else if (level == 2)
			r |= bit_range(20, 13);
	}
	return r;
}

static bool walk_is_leaf(const struct walk *w, unsigned int level, u64 e)
{
	if (level == 1)
		return true;
	if (!(e & PTE_PS))
		return false;
	if (w->fmt == WALK_32BIT)
		return level == 2 && (w->regs->cr4 & W_CR4_PSE);
	return level <= 3;
}

static u64 walk_leaf_address(const struct walk *w, unsigned int level, u64 e)
{
	u64 size = 1ull << (12 + w->bits * (level - 1));

	if (w->fmt == WALK_32BIT && level == 2)
		return (e & 0xffc00000ull) | (((e >> 13) & 0xff) << 32) |
		       (w->la & (size - 1));
	return (e & PTE_ADDR & ~(size - 1)) | (w->la & (size - 1));
}

/* Walk from the table at @table, whose entries are level @level. */
static int walk_tables(struct walk *w, u64 table, unsigned int level)
{
	u64 idx, gpa, e;
	int rc;

	for (;;) {
		idx = (w->la >> (12 + w->bits * (level - 1))) &
		      ((1u << w->bits) - 1);
		gpa = table + idx * w->esize;
		rc = walk_read(w, gpa, &e);
		if (rc)
			return rc;
		if (!(e & PTE_P))
			return walk_fault(w, 0);
		if (e & walk_rsvd(w, level, e))
			return walk_fault(w, X86_WALK_PF_PRESENT |
					     X86_WALK_PF_RSVD);
		w->e_gpa[w->nr] = gpa;
		w->e_val[w->nr] = e;
		w->nr++;
		w->user_ok = w->user_ok && (e & PTE_US);
		w->write_ok = w->write_ok && (e & PTE_RW);
		if (walk_nxe(w) && (e & PTE_XD))
			w->xd = true;
		if (walk_is_leaf(w, level, e)) {
			w->result = walk_leaf_address(w, level, e);
			w->page_shift = 12 + w->bits * (level - 1);
			return 0;
		}
		if (w->fmt == WALK_32BIT)
			table = e & 0xfffff000ull;
		else
			table = e & PTE_ADDR;
		level--;
	}
}

/* PAE paging: the PDPTE stage has no permission bits and no A flag. */
static int walk_pae(struct walk *w)
{
	u64 gpa, e, rsvd;
	int rc;

	gpa = (w->regs->cr3 & 0xffffffe0ull) + ((w->la >> 30) & 3) * 8;
	rc = walk_read(w, gpa, &e);
	if (rc)
		return rc;
	if (!(e & PTE_P))
		return walk_fault(w, 0);
	rsvd = bit_range(2, 1) | bit_range(8, 5) | bit_range(63, w->maxphy);
	if (e & rsvd)
		return walk_fault(w, X86_WALK_PF_PRESENT | X86_WALK_PF_RSVD);
	return walk_tables(w, e & PTE_ADDR, 2);
}

static int walk_once(struct walk *w)
{
	const struct x86_walk_regs *regs = w->regs;
	u64 root;

	w->nr = 0;
	w->user_ok = true;
	w->write_ok = true;
	w->xd = false;
	switch (w->fmt) {
	case WALK_32BIT:
		return walk_tables(w, regs->cr3 & 0xfffff000ull, 2);
	case WALK_PAE:
		return walk_pae(w);
	case WALK_LONG:
	default:
		root = regs->cr3 & PTE_ADDR & bit_range(w->maxphy - 1, 0);
		return walk_tables(w, root,
				   (regs->cr4 & W_CR4_LA57) ? 5 : 4);
	}
}

/* True when the accumulated permissions forbid the access. */
static bool walk_denied(const struct walk *w)
{
	unsigned int acc = w->access;
	bool implicit = acc & X86_WALK_IMPLICIT;
	u64 cr4 = w->regs->cr4;

	if ((acc & X86_WALK_USER) && !implicit) {
		if (!w->user_ok)
			return true;
		if ((acc & X86_WALK_WRITE) && !w->write_ok)
			return true;
		return (acc & X86_WALK_FETCH) && w->xd;
	}
	if (acc & X86_WALK_FETCH)
		return w->xd || ((cr4 & W_CR4_SMEP) && w->user_ok);
	if ((cr4 & W_CR4_SMAP) && w->user_ok &&
	    (implicit || !w->regs->rflags_ac))
		return true;
	return (acc & X86_WALK_WRITE) && !w->write_ok &&
	       (w->regs->cr0 & W_CR0_WP);
}

/* 0 when done, 1 when an entry changed under us, negative on error. */
static int walk_set_ad(struct walk *w)
{
	unsigned int i;
	u64 old, new;
	int rc;

	if (!w->ops->cmpxchg_phys)
		return 0;
	for (i = 0; i < w->nr; i++) {
		old = w->e_val[i];
		new = old | PTE_A;
		if (i == w->nr - 1 && (w->access & X86_WALK_WRITE))
			new |= PTE_D;
		if (new == old)
			continue;
		rc = w->ops->cmpxchg_phys(w->priv, w->e_gpa[i], old, new,
					  w->esize);
		if (rc)
			return rc < 0 ? rc : 1;
	}
	return 0;
}

static void walk_init(struct walk *w, const struct x86_walk_regs *regs,
		      u64 la)
{
	unsigned int m = regs->maxphyaddr ? regs->maxphyaddr : 52;

	w->maxphy = m < 32 ? 32 : (m > 52 ? 52 : m);
	if (!(regs->cr4 & W_CR4_PAE)) {
		w->fmt = WALK_32BIT;
		w->esize = 4;
		w->bits = 10;
	} else {
		w->fmt = (regs->efer & W_EFER_LMA) ? WALK_LONG : WALK_PAE;
		w->esize = 8;
		w->bits = 9;
	}
	w->la = w->fmt == WALK_LONG ? la : (la & 0xffffffffull);
}

int x86_walk(const struct x86_walk_ops *ops, void *priv,
	     const struct x86_walk_regs *regs, u64 la, unsigned int access,
	     u64 *gpa, struct x86_fault *fault)
{
	u64 leaf;

	return x86_walk_leaf(ops, priv, regs, la, access, gpa, &leaf, fault);
}

int x86_walk_leaf(const struct x86_walk_ops *ops, void *priv,
		  const struct x86_walk_regs *regs, u64 la,
		  unsigned int access, u64 *gpa, u64 *leaf,
		  struct x86_fault *fault)
{
	unsigned int shift;

	return x86_walk_page(ops, priv, regs, la, access, gpa, leaf, &shift,
			     fault);
}

int x86_walk_page(const struct x86_walk_ops *ops, void *priv,
		  const struct x86_walk_regs *regs, u64 la,
		  unsigned int access, u64 *gpa, u64 *leaf,
		  unsigned int *page_shift, struct x86_fault *fault)
{
	struct walk w;
	unsigned int tries;
	int rc;

	*leaf = 0;
	*page_shift = 12;
	if (!(regs->cr0 & W_CR0_PG)) {
		*gpa = (regs->efer & W_EFER_LMA) ? la : (la & 0xffffffffull);
		return 0;
	}
	memset(&w, 0, sizeof(w));
	w.ops = ops;
	w.priv = priv;
	w.regs = regs;
	w.fault = fault;
	w.access = access;
	walk_init(&w, regs, la);
	for (tries = 0; tries < WALK_MAX_RETRIES; tries++) {
		rc = walk_once(&w);
		if (rc)
			return rc;
		if (walk_denied(&w))
			return walk_fault(&w, X86_WALK_PF_PRESENT);
		rc = walk_set_ad(&w);
		if (rc == 1)
			continue;
		if (rc)
			return rc;
		*gpa = w.result;
		*leaf = w.e_val[w.nr - 1];
		*page_shift = w.page_shift;
		return 0;
	}
	return -EAGAIN;
}
