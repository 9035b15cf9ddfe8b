// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest page-table walker tests: page tables are built in the fake RAM for
 * every paging mode, then translations, A/D updates and every #PF kind are
 * checked, with exact error codes.
 */
#include "harness.h"

#define W	X86_WALK_WRITE
#define U	X86_WALK_USER
#define F	X86_WALK_FETCH
#define IMP	X86_WALK_IMPLICIT

#define EC_P	X86_WALK_PF_PRESENT
#define EC_W	X86_WALK_PF_WRITE
#define EC_U	X86_WALK_PF_USER
#define EC_R	X86_WALK_PF_RSVD
#define EC_I	X86_WALK_PF_FETCH

#define FAULT	X86_WALK_FAULT

struct walk_case {
	const char *name;
	enum pt_fmt fmt;
	u64 la, pa;
	unsigned int level;		/* leaf level: 1 = 4K */
	u64 leaf, mid;			/* entry flags; 0 = PTE_ALL */
	/* Tweaks of the control registers after env_set_paging(). */
	u64 cr0_clear, cr4_set, cr4_clear, efer_clear;
	bool ac;
	u8 maxphy;			/* 0: harness default (46) */
	/* Modify the entry at this level after building (0: none). */
	unsigned int poke_level;
	u64 poke_set, poke_clear;
	unsigned int access;
	int rc;				/* 0 or FAULT */
	u64 gpa;			/* expected translation */
	u32 ec;				/* expected error code */
};

#define LA4	0x00007f1234567abcull
#define LA5	0x00ff7f1234567abcull

static const struct walk_case walk_cases[] = {
	/* ---- translations in every mode ---- */
	{ "32-bit 4K read", PT_32, 0x12345678, 0x00abc000, 1,
	  .gpa = 0x00abc678 },
	{ "32-bit 4K la above 4G is truncated", PT_32, 0x112345678ull,
	  0x00abc000, 1, .gpa = 0x00abc678 },
	{ "32-bit 4M page (PSE)", PT_32, 0x12345678, 0x40000000, 2,
	  .gpa = 0x40345678 },
	{ "32-bit 4M page PSE-36 high bits", PT_32, 0x12345678,
	  0x1240000000ull, 2, .maxphy = 40, .gpa = 0x1240345678ull },
	{ "32-bit PSE-36 bit above MAXPHYADDR is reserved", PT_32, 0x12345678,
	  0x1240000000ull, 2, .maxphy = 36, .rc = FAULT, .ec = EC_P | EC_R },
	{ "32-bit 4M bit 21 reserved", PT_32, 0x12345678, 0x40000000, 2,
	  .maxphy = 40, .poke_level = 2, .poke_set = 1ull << 21, .rc = FAULT,
	  .ec = EC_P | EC_R },
	{ "32-bit PS ignored without CR4.PSE", PT_32, 0x12345678, 0x00abc000,
	  1, .cr4_clear = CR4_PSE, .poke_level = 2, .poke_set = PTE_PS,
	  .gpa = 0x00abc678 },
	{ "PAE 4K", PT_PAE, 0xc0345678, 0x12345000ull, 1, .gpa = 0x12345678 },
	{ "PAE 2M", PT_PAE, 0xc0345678, 0x7fe00000ull, 2, .gpa = 0x7ff45678 },
	{ "PAE 4K above 4G physical", PT_PAE, 0x80001234, 0x3456789000ull, 1,
	  .gpa = 0x3456789234ull },
	{ "long 4K", PT_L4, LA4, 0x123456000ull, 1, .gpa = 0x123456abcull },
	{ "long 2M", PT_L4, LA4, 0x40000000ull, 2, .gpa = 0x40167abcull },
	{ "long 1G", PT_L4, LA4, 0x1c0000000ull, 3, .gpa = 0x1f4567abcull },
	{ "long ignores bits 63:48", PT_L4, 0xffff800000001234ull,
	  0x5000, 1, .gpa = 0x5234 },
	{ "la57 4K", PT_L5, LA5, 0x123456000ull, 1, .gpa = 0x123456abcull },
	{ "la57 1G", PT_L5, LA5, 0x80000000ull, 3, .gpa = 0xb4567abcull },
	{ "long max MAXPHYADDR=52", PT_L4, LA4, 0xf123456789000ull, 1,
	  .maxphy = 52, .gpa = 0xf123456789abcull },

	/* ---- not present, at every level ---- */
	{ "32-bit PTE not present", PT_32, 0x12345678, 0x1000, 1,
	  .leaf = PTE_W | PTE_U, .access = W, .rc = FAULT, .ec = EC_W },
	{ "32-bit PDE not present", PT_32, 0x12345678, 0x1000, 1,
	  .poke_level = 2, .poke_clear = PTE_P, .access = U, .rc = FAULT,
	  .ec = EC_U },
	{ "PAE PDPTE not present", PT_PAE, 0x40001000, 0x1000, 1,
	  .poke_level = 3, .poke_clear = PTE_P, .rc = FAULT, .ec = 0 },
	{ "PAE PDE not present", PT_PAE, 0x40001000, 0x1000, 1,
	  .poke_level = 2, .poke_clear = PTE_P, .access = F, .rc = FAULT,
	  .ec = EC_I },
	{ "long PML4E not present", PT_L4, LA4, 0x1000, 1, .poke_level = 4,
	  .poke_clear = PTE_P, .access = U | W, .rc = FAULT,
	  .ec = EC_U | EC_W },
	{ "long PDPTE not present", PT_L4, LA4, 0x1000, 1, .poke_level = 3,
	  .poke_clear = PTE_P, .rc = FAULT, .ec = 0 },
	{ "long PDE not present", PT_L4, LA4, 0x1000, 1, .poke_level = 2,
	  .poke_clear = PTE_P, .rc = FAULT, .ec = 0 },
	{ "long PTE not present, fetch", PT_L4, LA4, 0x1000, 1,
	  .leaf = PTE_W, .access = F | U, .rc = FAULT, .ec = EC_I | EC_U },
	{ "la57 PML5E not present", PT_L5, LA5, 0x1000, 1, .poke_level = 5,
	  .poke_clear = PTE_P, .rc = FAULT, .ec = 0 },

	/* ---- write protection ---- */
	{ "user write to read-only", PT_L4, LA4, 0x1000, 1,
	  .leaf = PTE_P | PTE_U, .access = U | W, .rc = FAULT,
	  .ec = EC_P | EC_W | EC_U },
	{ "user write, read-only PDE", PT_L4, LA4, 0x1000, 1,
	  .mid = PTE_P | PTE_U, .access = U | W, .rc = FAULT,
	  .ec = EC_P | EC_W | EC_U },
	{ "supervisor write to read-only, WP=1", PT_L4, LA4, 0x1000, 1,
	  .leaf = PTE_P, .access = W, .rc = FAULT, .ec = EC_P | EC_W },
	{ "supervisor write to read-only, WP=0", PT_L4, LA4, 0x1000, 1,
	  .leaf = PTE_P, .cr0_clear = CR0_WP, .access = W, .gpa = 0x1abc },
	{ "user write to read-only, WP=0 still faults", PT_32, 0x12345678,
	  0x1000, 1, .leaf = PTE_P | PTE_U, .cr0_clear = CR0_WP,
	  .access = U | W, .rc = FAULT, .ec = EC_P | EC_W | EC_U },
	{ "32-bit supervisor write read-only WP=1", PT_32, 0x12345678, 0x1000,
	  1, .mid = PTE_P | PTE_U, .access = W, .rc = FAULT,
	  .ec = EC_P | EC_W },
	{ "PAE write to read-only 2M", PT_PAE, 0x40201000, 0x200000, 2,
	  .leaf = PTE_P | PTE_U, .access = W | U, .rc = FAULT,
	  .ec = EC_P | EC_W | EC_U },

	/* ---- user/supervisor ---- */
	{ "user read of supervisor page", PT_L4, LA4, 0x1000, 1,
	  .leaf = PTE_P | PTE_W, .access = U, .rc = FAULT, .ec = EC_P | EC_U },
	{ "user read, supervisor PML4E", PT_L4, LA4, 0x1000, 1,
	  .poke_level = 4, .poke_clear = PTE_U, .access = U, .rc = FAULT,
	  .ec = EC_P | EC_U },
	{ "32-bit user read of supervisor 4M", PT_32, 0x12345678, 0x400000, 2,
	  .leaf = PTE_P | PTE_W, .access = U, .rc = FAULT, .ec = EC_P | EC_U },
	{ "32-bit user fetch of supervisor page: no I/D bit", PT_32,
	  0x12345678, 0x1000, 1, .leaf = PTE_P, .access = U | F, .rc = FAULT,
	  .ec = EC_P | EC_U },
	{ "supervisor read of user page", PT_L4, LA4, 0x1000, 1,
	  .gpa = 0x1abc },

	/* ---- NX ---- */
	{ "fetch from NX page", PT_L4, LA4, 0x1000, 1,
	  .leaf = PTE_ALL | PTE_NX, .access = F, .rc = FAULT,
	  .ec = EC_P | EC_I },
	{ "user fetch from NX page", PT_L4, LA4, 0x1000, 1,
	  .leaf = PTE_ALL | PTE_NX, .access = F | U, .rc = FAULT,
	  .ec = EC_P | EC_I | EC_U },
	{ "fetch, NX in PDPTE", PT_L4, LA4, 0x1000, 1, .poke_level = 3,
	  .poke_set = PTE_NX, .access = F, .rc = FAULT, .ec = EC_P | EC_I },
	{ "read from NX page is fine", PT_L4, LA4, 0x1000, 1,
	  .leaf = PTE_ALL | PTE_NX, .gpa = 0x1abc },
	{ "PAE fetch from NX 2M", PT_PAE, 0x40201000, 0x200000, 2,
	  .leaf = PTE_ALL | PTE_NX, .access = F, .rc = FAULT,
	  .ec = EC_P | EC_I },
	{ "NX bit without EFER.NXE is reserved", PT_L4, LA4, 0x1000, 1,
	  .leaf = PTE_ALL | PTE_NX, .efer_clear = EFER_NXE, .access = F,
	  .rc = FAULT, .ec = EC_P | EC_R },
	{ "fetch without NXE: no I/D bit", PT_L4, LA4, 0x1000, 1,
	  .leaf = PTE_W, .efer_clear = EFER_NXE, .access = F, .rc = FAULT,
	  .ec = 0 },

	/* ---- SMEP / SMAP ---- */
	{ "SMEP: supervisor fetch of user page", PT_L4, LA4, 0x1000, 1,
	  .cr4_set = CR4_SMEP, .access = F, .rc = FAULT, .ec = EC_P | EC_I },
	{ "SMEP: supervisor fetch of supervisor page", PT_L4, LA4, 0x1000, 1,
	  .leaf = PTE_P, .cr4_set = CR4_SMEP, .access = F, .gpa = 0x1abc },
	{ "SMEP: user page via supervisor PDE is supervisor", PT_L4, LA4,
	  0x1000, 1, .mid = PTE_P | PTE_W, .cr4_set = CR4_SMEP, .access = F,
	  .gpa = 0x1abc },
	{ "SMEP on 32-bit paging sets I/D", PT_32, 0x12345678, 0x1000, 1,
	  .cr4_set = CR4_SMEP, .access = F, .rc = FAULT, .ec = EC_P | EC_I },
	{ "SMEP: user fetch of user page", PT_L4, LA4, 0x1000, 1,
	  .cr4_set = CR4_SMEP, .access = F | U, .gpa = 0x1abc },
	{ "SMAP: supervisor read of user page, AC=0", PT_L4, LA4, 0x1000, 1,
	  .cr4_set = CR4_SMAP, .rc = FAULT, .ec = EC_P },
	{ "SMAP: supervisor write of user page, AC=0", PT_L4, LA4, 0x1000, 1,
	  .cr4_set = CR4_SMAP, .access = W, .rc = FAULT, .ec = EC_P | EC_W },
	{ "SMAP: supervisor read of user page, AC=1", PT_L4, LA4, 0x1000, 1,
	  .cr4_set = CR4_SMAP, .ac = true, .gpa = 0x1abc },
	{ "SMAP AC=1: write to read-only user page with WP", PT_L4, LA4,
	  0x1000, 1, .leaf = PTE_P | PTE_U, .cr4_set = CR4_SMAP, .ac = true,
	  .access = W, .rc = FAULT, .ec = EC_P | EC_W },
	{ "SMAP: implicit access ignores AC", PT_L4, LA4, 0x1000, 1,
	  .cr4_set = CR4_SMAP, .ac = true, .access = IMP, .rc = FAULT,
	  .ec = EC_P },
	{ "SMAP: implicit access at CPL3 is supervisor", PT_L4, LA4, 0x1000, 1,
	  .cr4_set = CR4_SMAP, .ac = true, .access = IMP | U, .rc = FAULT,
	  .ec = EC_P },
	{ "implicit access at CPL3 to supervisor page", PT_L4, LA4, 0x1000, 1,
	  .leaf = PTE_P | PTE_W, .access = IMP | U, .gpa = 0x1abc },
	{ "SMAP: supervisor page unaffected", PT_L4, LA4, 0x1000, 1,
	  .leaf = PTE_P | PTE_W, .cr4_set = CR4_SMAP, .gpa = 0x1abc },
	{ "SMAP: user access unaffected", PT_L4, LA4, 0x1000, 1,
	  .cr4_set = CR4_SMAP, .access = U | W, .gpa = 0x1abc },
	{ "SMAP on PAE", PT_PAE, 0x40001000, 0x1000, 1,
	  .cr4_set = CR4_SMAP, .rc = FAULT, .ec = EC_P },

	/* ---- reserved bits ---- */
	{ "PTE bit above MAXPHYADDR", PT_L4, LA4, 0x1000, 1, .poke_level = 1,
	  .poke_set = 1ull << 46, .rc = FAULT, .ec = EC_P | EC_R },
	{ "PTE bit below MAXPHYADDR is address", PT_L4, LA4, 0x1000, 1,
	  .poke_level = 1, .poke_set = 1ull << 45, .gpa = 0x200000001abcull },
	{ "PML4E bit 51 reserved, write", PT_L4, LA4, 0x1000, 1,
	  .poke_level = 4, .poke_set = 1ull << 51, .access = W, .rc = FAULT,
	  .ec = EC_P | EC_R | EC_W },
	{ "PML4E PS reserved", PT_L4, LA4, 0x1000, 1, .poke_level = 4,
	  .poke_set = PTE_PS, .access = U, .rc = FAULT,
	  .ec = EC_P | EC_R | EC_U },
	{ "PML5E PS reserved", PT_L5, LA5, 0x1000, 1, .poke_level = 5,
	  .poke_set = PTE_PS, .rc = FAULT, .ec = EC_P | EC_R },
	{ "long 2M page bit 13 reserved", PT_L4, LA4, 0x40000000, 2,
	  .poke_level = 2, .poke_set = 1ull << 13, .rc = FAULT,
	  .ec = EC_P | EC_R },
	{ "long 1G page bit 29 reserved", PT_L4, LA4, 0x40000000, 3,
	  .poke_level = 3, .poke_set = 1ull << 29, .rc = FAULT,
	  .ec = EC_P | EC_R },
	{ "long 2M page PAT bit 12 is fine", PT_L4, LA4, 0x40000000, 2,
	  .poke_level = 2, .poke_set = 1ull << 12, .gpa = 0x40167abcull },
	{ "long bits 62:52 ignored", PT_L4, LA4, 0x1000, 1, .poke_level = 1,
	  .poke_set = 0x7ff0000000000000ull, .gpa = 0x1abc },
	{ "PAE PTE bit 62 reserved", PT_PAE, 0x40001000, 0x1000, 1,
	  .poke_level = 1, .poke_set = 1ull << 62, .rc = FAULT,
	  .ec = EC_P | EC_R },
	{ "PAE 2M page bit 20 reserved", PT_PAE, 0x40201000, 0x200000, 2,
	  .poke_level = 2, .poke_set = 1ull << 20, .rc = FAULT,
	  .ec = EC_P | EC_R },
	{ "PAE PDPTE bit 1 reserved", PT_PAE, 0x40001000, 0x1000, 1,
	  .poke_level = 3, .poke_set = PTE_W, .rc = FAULT, .ec = EC_P | EC_R },
	{ "PAE PDPTE bit 63 reserved even with NXE", PT_PAE, 0x40001000,
	  0x1000, 1, .poke_level = 3, .poke_set = PTE_NX, .rc = FAULT,
	  .ec = EC_P | EC_R },
	{ "PAE PDPTE not-present ignores reserved bits", PT_PAE, 0x40001000,
	  0x1000, 1, .poke_level = 3, .poke_set = PTE_W,
	  .poke_clear = PTE_P, .rc = FAULT, .ec = 0 },
	{ "reserved bit beats permission", PT_L4, LA4, 0x1000, 1,
	  .leaf = PTE_P, .poke_level = 1, .poke_set = 1ull << 50,
	  .access = U | W, .rc = FAULT, .ec = EC_P | EC_R | EC_U | EC_W },
};

/* Check A on every entry of the path, D on the leaf iff @write. */
static bool check_ad(struct env *e, const struct walk_case *c, u64 root,
		     bool expect_set)
{
	unsigned int top = c->fmt == PT_32 || c->fmt == PT_PAE ? 2 :
			   (c->fmt == PT_L4 ? 4 : 5);
	unsigned int lvl;
	u64 v, gpa;
	bool ok = true, write = c->access & W;

	for (lvl = top; lvl >= c->level; lvl--) {
		gpa = pt_entry_gpa(e, c->fmt, root, c->la, lvl);
		v = env_peek64(e, gpa);
		if (!!(v & PTE_A) != expect_set) {
			fail_msg("A at level %u is %d", lvl, !!(v & PTE_A));
			ok = false;
		}
		if (lvl == c->level && !!(v & PTE_D) != (expect_set && write)) {
			fail_msg("D at level %u is %d", lvl, !!(v & PTE_D));
			ok = false;
		}
		if (lvl != c->level && (v & PTE_D)) {
			fail_msg("D set on non-leaf level %u", lvl);
			ok = false;
		}
	}
	if (c->fmt == PT_PAE && (env_peek64(e, root + ((c->la >> 30) & 3) * 8) &
				 PTE_A)) {
		fail_msg("A set in a PAE PDPTE");
		ok = false;
	}
	return ok;
}

static void setup_case(struct env *e, const struct walk_case *c, u64 *root)
{
	struct x86_walk_regs *r = &e->wregs;
	unsigned int esize = c->fmt == PT_32 ? 4 : 8;
	u64 gpa, v;

	env_reset(e, true);
	*root = pt_alloc(e);
	pt_map(e, c->fmt, *root, c->la, c->pa, c->level,
	       c->leaf ? c->leaf : PTE_ALL, c->mid ? c->mid : PTE_ALL);
	env_set_paging(e, c->fmt, *root);
	r->cr0 &= ~c->cr0_clear;
	r->cr4 = (r->cr4 | c->cr4_set) & ~c->cr4_clear;
	r->efer &= ~c->efer_clear;
	r->rflags_ac = c->ac;
	if (c->maxphy)
		r->maxphyaddr = c->maxphy;
	if (c->poke_level) {
		gpa = pt_entry_gpa(e, c->fmt, *root, c->la, c->poke_level);
		v = env_peek64(e, gpa);
		v = (v | c->poke_set) & ~c->poke_clear;
		env_poke(e, gpa, &v, esize);
	}
}

static bool run_walk_case(struct env *e, const struct walk_case *c)
{
	struct x86_fault f;
	u64 root, gpa = 0xdead, la;
	bool ok = true;
	int rc;

	setup_case(e, c, &root);
	memset(&f, 0, sizeof(f));
	rc = x86_walk(&env_walk_ops, e, &e->wregs, c->la, c->access, &gpa, &f);
	la = c->fmt == PT_32 || c->fmt == PT_PAE ? c->la & 0xffffffffull : c->la;
	if (rc != c->rc) {
		fail_msg("rc %d, want %d (ec %#x)", rc, c->rc, f.error_code);
		return false;
	}
	if (rc == 0 && gpa != c->gpa) {
		fail_msg("gpa %#llx, want %#llx", (unsigned long long)gpa,
			 (unsigned long long)c->gpa);
		ok = false;
	}
	if (rc == FAULT && (f.vector != 14 || !f.has_error_code ||
			    f.error_code != c->ec || f.address != la)) {
		fail_msg("fault vec %u ec %#x addr %#llx, want ec %#x addr %#llx",
			 f.vector, f.error_code, (unsigned long long)f.address,
			 c->ec, (unsigned long long)la);
		ok = false;
	}
	/* A/D are only checked when the whole path exists. */
	if (!c->poke_clear && (c->leaf ? c->leaf : PTE_ALL) & PTE_P)
		ok &= check_ad(e, c, root, rc == 0);
	return ok;
}

/* ---- special cases ---------------------------------------------------- */

static bool t_paging_off(struct env *e)
{
	struct x86_walk_regs r = { .cr0 = CR0_PE };
	struct x86_fault f;
	u64 gpa = 0;
	bool ok;

	ok = !x86_walk(&env_walk_ops, e, &r, 0x123456789ull, W, &gpa, &f) &&
	     gpa == 0x23456789ull;
	r.efer = EFER_LMA;
	ok &= !x86_walk(&env_walk_ops, e, &r, 0x123456789ull, W, &gpa, &f) &&
	      gpa == 0x123456789ull;
	return ok;
}

static bool t_no_cmpxchg(struct env *e)
{
	static const struct walk_case c = { "", PT_L4, LA4, 0x1000, 1,
					    .access = W };
	struct x86_fault f;
	u64 root, gpa;

	setup_case(e, &c, &root);
	if (x86_walk(&env_walk_ops_no_ad, e, &e->wregs, LA4, W, &gpa, &f))
		return false;
	return gpa == 0x1abc && check_ad(e, &c, root, false);
}

static bool t_ad_already_set(struct env *e)
{
	static const struct walk_case c = {
		"", PT_L4, LA4, 0x1000, 1, .leaf = PTE_ALL | PTE_A | PTE_D,
		.mid = PTE_ALL | PTE_A, .access = W };
	struct x86_fault f;
	u64 root, gpa;

	setup_case(e, &c, &root);
	if (x86_walk(&env_walk_ops, e, &e->wregs, LA4, W, &gpa, &f))
		return false;
	return e->cmpxchg_calls == 0;
}

static bool t_race_restarts(struct env *e)
{
	static const struct walk_case c = { "", PT_L4, LA4, 0x1000, 1,
					    .access = W };
	struct x86_fault f;
	u64 root, gpa;

	setup_case(e, &c, &root);
	e->cmpxchg_race = 2;
	if (x86_walk(&env_walk_ops, e, &e->wregs, LA4, W, &gpa, &f))
		return false;
	return gpa == 0x1abc && e->cmpxchg_calls == 2 + 4 &&
	       check_ad(e, &c, root, true);
}

static bool t_race_gives_up(struct env *e)
{
	static const struct walk_case c = { "", PT_L4, LA4, 0x1000, 1, .leaf = 0 };
	struct x86_fault f;
	u64 root, gpa;

	setup_case(e, &c, &root);
	e->cmpxchg_race = 1000000;
	return x86_walk(&env_walk_ops, e, &e->wregs, LA4, 0, &gpa, &f) ==
	       -EAGAIN;
}

static bool t_table_outside_ram(struct env *e)
{
	static const struct walk_case c = { "", PT_L4, LA4, 0x1000, 1, .leaf = 0 };
	struct x86_fault f;
	u64 root, gpa;

	setup_case(e, &c, &root);
	e->wregs.cr3 = 0x80000000ull;
	return x86_walk(&env_walk_ops, e, &e->wregs, LA4, 0, &gpa, &f) ==
	       -EFAULT;
}

static bool t_pae_pdpte_from_cr3(struct env *e)
{
	static const struct walk_case c = { "", PT_PAE, 0xc0001000, 0x1000, 1, .leaf = 0 };
	struct x86_fault f;
	u64 root, gpa, other;

	/* A PDPT at a 32-byte (not page) aligned CR3. */
	setup_case(e, &c, &root);
	other = root + 0x40;
	env_poke64(e, other + 3 * 8, env_peek64(e, root + 3 * 8));
	env_poke64(e, root + 3 * 8, 0);
	e->wregs.cr3 = other | 0x18;	/* PWT/PCD */
	if (x86_walk(&env_walk_ops, e, &e->wregs, 0xc0001234, 0, &gpa, &f))
		return false;
	return gpa == 0x1234;
}

static bool t_32bit_entries_are_4_bytes(struct env *e)
{
	static const struct walk_case c = { "", PT_32, 0x00401000, 0x7000, 1,
					    .access = W };
	struct x86_fault f;
	u64 root, gpa, pte;

	/* The neighbouring 4-byte PTE must not be touched by the update. */
	setup_case(e, &c, &root);
	pte = pt_entry_gpa(e, PT_32, root, 0x00401000, 1);
	env_poke(e, pte + 4, "\x55\x66\x77\x88", 4);
	if (x86_walk(&env_walk_ops, e, &e->wregs, 0x00401000, W, &gpa, &f))
		return false;
	return gpa == 0x7000 && env_peek64(e, pte) ==
	       (0x8877665500000000ull | 0x7000 | PTE_ALL | PTE_A | PTE_D);
}

/* x86_walk_leaf() hands back the leaf as read, G bit and all. */
static bool t_leaf_reported(struct env *e)
{
	static const struct walk_case c = {
		"", PT_L4, LA4, 0x40000000ull, 2, .leaf = PTE_ALL | (1ull << 8),
		.access = W };
	struct x86_walk_regs off = { .cr0 = CR0_PE };
	struct x86_fault f;
	u64 root, gpa, leaf = 0;
	bool ok;

	setup_case(e, &c, &root);
	ok = !x86_walk_leaf(&env_walk_ops, e, &e->wregs, LA4, W, &gpa, &leaf,
			    &f) && gpa == 0x40167abcull &&
	     leaf == (0x40000000ull | PTE_ALL | PTE_PS | (1ull << 8));
	/* Paging off: no leaf. */
	ok &= !x86_walk_leaf(&env_walk_ops, e, &off, 0x1000, 0, &gpa, &leaf,
			     &f) && leaf == 0;
	return ok;
}

/* x86_walk_page() gives the guest's page size: 2M here, 4K paging off. */
static bool t_page_size_reported(struct env *e)
{
	static const struct walk_case c = {
		"", PT_L4, LA4, 0x40000000ull, 2, .access = W };
	struct x86_walk_regs off = { .cr0 = CR0_PE };
	unsigned int shift = 0;
	struct x86_fault f;
	u64 root, gpa, leaf;
	bool ok;

	setup_case(e, &c, &root);
	ok = !x86_walk_page(&env_walk_ops, e, &e->wregs, LA4, W, &gpa, &leaf,
			    &shift, &f) && shift == 21;
	ok &= !x86_walk_page(&env_walk_ops, e, &off, 0x1000, 0, &gpa, &leaf,
			     &shift, &f) && shift == 12;
	return ok;
}

struct special {
	const char *name;
	bool (*fn)(struct env *e);
};

static const struct special specials[] = {
	{ "walk: paging off, 32-bit truncation / LMA", t_paging_off },
	{ "walk: no cmpxchg_phys, no A/D", t_no_cmpxchg },
	{ "walk: A/D already set, no cmpxchg", t_ad_already_set },
	{ "walk: cmpxchg race restarts", t_race_restarts },
	{ "walk: endless race gives -EAGAIN", t_race_gives_up },
	{ "walk: table outside RAM gives errno", t_table_outside_ram },
	{ "walk: PAE PDPT at 32-byte aligned CR3", t_pae_pdpte_from_cr3 },
	{ "walk: 32-bit A/D update is 4 bytes", t_32bit_entries_are_4_bytes },
	{ "walk: x86_walk_leaf reports the leaf entry", t_leaf_reported },
	{ "walk: x86_walk_page reports the page size", t_page_size_reported },
};

void run_walk_tests(struct env *e)
{
	char name[160];
	unsigned int i;

	for (i = 0; i < sizeof(walk_cases) / sizeof(walk_cases[0]); i++) {
		snprintf(name, sizeof(name), "walk: %s", walk_cases[i].name);
		test_begin(name);
		test_result(name, run_walk_case(e, &walk_cases[i]));
	}
	for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) {
		test_begin(specials[i].name);
		test_result(specials[i].name, specials[i].fn(e));
	}
}
