/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest page-table walker: translates a guest linear address to a guest
 * physical address the way the guest's own MMU would, for every x86 paging
 * mode, and reports the #PF the guest would have taken.  Freestanding: it
 * is also built in userspace by tools/testing/emulator.
 */
#ifndef OKVM_MMU_WALK_H
#define OKVM_MMU_WALK_H

#include "../freestanding.h"

/* Access flags for x86_walk(). */
#define X86_WALK_WRITE		1u	/* data write */
#define X86_WALK_USER		2u	/* at CPL 3 (else supervisor) */
#define X86_WALK_FETCH		4u	/* instruction fetch */
/*
 * Implicit supervisor access (descriptor tables, ...).  The access is a
 * supervisor one even when X86_WALK_USER is also given, the error code has
 * U/S clear, and SMAP applies to it whatever EFLAGS.AC says.
 */
#define X86_WALK_IMPLICIT	8u

/* x86_walk() return value when *fault holds a #PF to inject. */
#define X86_WALK_FAULT		1

/* #PF error-code bits, as the hardware reports them. */
#define X86_WALK_PF_PRESENT	(1u << 0)	/* protection/reserved bit */
#define X86_WALK_PF_WRITE	(1u << 1)
#define X86_WALK_PF_USER	(1u << 2)
#define X86_WALK_PF_RSVD	(1u << 3)
#define X86_WALK_PF_FETCH	(1u << 4)	/* SMEP, or PAE with NXE */

#define X86_WALK_PF_VECTOR	14

struct x86_walk_ops {
	/*
	 * Read a naturally aligned 4- or 8-byte guest-physical value.
	 * 0, or a negative errno when there is no memory there.
	 */
	int (*read_phys)(void *priv, u64 gpa, u64 *val, unsigned int size);
	/*
	 * Compare-and-exchange a guest PTE to set the A/D bits.  0 when done,
	 * 1 when the value in memory was not @old (the walker restarts),
	 * negative errno on error.  May be NULL: then A/D are not set.
	 */
	int (*cmpxchg_phys)(void *priv, u64 gpa, u64 old, u64 new,
			    unsigned int size);
};

/*
 * Guest control state.  Long mode is EFER.LMA (bit 10), not LME.  A zero
 * maxphyaddr means 52.
 */
struct x86_walk_regs {
	u64 cr0, cr3, cr4, efer;
	u8 maxphyaddr;
	bool rflags_ac;
};

/* An exception to inject into the guest. */
struct x86_fault {
	u8 vector;
	bool has_error_code;
	u32 error_code;
	u64 address;		/* CR2 for #PF */
};

/*
 * Translate linear address @la for an access described by @access
 * (X86_WALK_* flags).  Returns 0 with *@gpa set; X86_WALK_FAULT with
 * *@fault set to the #PF (vector 14, error code, CR2) the guest would
 * take; or a negative errno if a page-table read hit no memory (or
 * cmpxchg_phys failed, or -EAGAIN if the A/D update kept racing).
 *
 * Paging off (CR0.PG=0): gpa = la, truncated to 32 bits unless EFER.LMA.
 * CR4.PAE=0: 32-bit paging (4M pages with CR4.PSE, PSE-36).  CR4.PAE=1
 * without EFER.LMA: PAE paging (the four PDPTEs are read from CR3 on each
 * walk).  EFER.LMA: 4-level paging, or 5-level paging with CR4.LA57.
 * The canonical-address check is the caller's job; bits of @la above the
 * paging width are ignored.
 */
int x86_walk(const struct x86_walk_ops *ops, void *priv,
	     const struct x86_walk_regs *regs, u64 la, unsigned int access,
	     u64 *gpa, struct x86_fault *fault);

/*
 * x86_walk() that also stores the leaf entry it translated through in
 * *@leaf (as read, before any A/D update; 0 with paging off), so that the
 * caller can see its G and PAT bits.
 */
int x86_walk_leaf(const struct x86_walk_ops *ops, void *priv,
		  const struct x86_walk_regs *regs, u64 la,
		  unsigned int access, u64 *gpa, u64 *leaf,
		  struct x86_fault *fault);

/*
 * x86_walk_leaf() that also gives the size of the guest's page, as a
 * shift: 12 (4K, and with paging off), 21 (2M), 22 (32-bit 4M) or 30 (1G).
 */
int x86_walk_page(const struct x86_walk_ops *ops, void *priv,
		  const struct x86_walk_regs *regs, u64 la,
		  unsigned int access, u64 *gpa, u64 *leaf,
		  unsigned int *page_shift, struct x86_fault *fault);

#endif /* OKVM_MMU_WALK_H */
