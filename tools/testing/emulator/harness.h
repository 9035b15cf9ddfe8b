/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fake guest for the emulator and walker unit tests and the fuzzer:
 * guest RAM, MMIO windows that log every access, an optional deferred-MMIO
 * mode that behaves like the kernel (IO_NEEDED, exit, re-run), and a
 * page-table builder for every paging mode.
 */
#ifndef EMUTEST_HARNESS_H
#define EMUTEST_HARNESS_H

#include <stdio.h>
#include "emulate.h"
#include "mmu/walk.h"

/*
 * Guest physical map:
 *   [0, RAM_SIZE)              RAM, except the low MMIO window
 *   [MMIO_LOW, +MMIO_LOW_SIZE) MMIO backed by an array (reachable in 16-bit)
 *   [MMIO_HIGH, +MMIO_HIGH_SIZE) MMIO backed by an array
 *   anything else              MMIO with nothing behind: reads 0xff
 */
#define RAM_SIZE	0x200000ull
#define MMIO_LOW	0xa0000ull
#define MMIO_LOW_SIZE	0x20000ull
#define MMIO_HIGH	0xd0000000ull
#define MMIO_HIGH_SIZE	0x10000ull

#define CODE_ADDR	0x1000ull	/* default CS:RIP (CS base 0) */
#define PT_POOL		0x100000ull	/* page tables built from here up */

#define MAX_LOG		64
#define MAX_DONE	8

struct mmio_rec {
	bool write;
	u64 gpa;
	u32 len;
	u8 data[16];
};

struct env {
	struct x86_emu emu;
	u8 *ram;
	u8 *mmio_low;
	u8 *mmio_high;
	/* Paging: when false, linear == physical. */
	bool paging;
	struct x86_walk_regs wregs;
	bool set_ad;			/* pass cmpxchg_phys to the walker */
	u64 pt_next;			/* page-table allocator */
	/* Every MMIO access (reads are logged when they return data). */
	struct mmio_rec log[MAX_LOG];
	unsigned int nlog;
	/* Deferred MMIO reads, as the kernel does them. */
	bool defer_io;
	struct mmio_rec done[MAX_DONE];	/* reads completed by "userspace" */
	unsigned int ndone;
	struct mmio_rec pending;
	bool has_pending;
	/* Counters. */
	unsigned int ram_writes;	/* RAM pieces written */
	unsigned int write_calls;	/* successful ops->write calls */
	unsigned int fetches;
	unsigned int walk_errors;	/* x86_walk() returned an errno */
	/* Fault injection: fail the Nth write (1-based) with #PF; 0 = never. */
	unsigned int fail_write_nr;
	unsigned int writes_seen;
	/* cmpxchg_phys reports "changed" this many times before working. */
	unsigned int cmpxchg_race;
	unsigned int cmpxchg_calls;
};

extern const struct x86_emu_ops env_emu_ops;
extern const struct x86_walk_ops env_walk_ops;
extern const struct x86_walk_ops env_walk_ops_no_ad;

void env_init(struct env *e);
void env_free(struct env *e);
/* Clear memory, logs and registers; paging off; mode PROT64. */
void env_reset(struct env *e, bool clear_ram);

/* Byte access to guest-physical memory (RAM or MMIO backing). */
u8 *env_phys_ptr(struct env *e, u64 gpa);
void env_poke(struct env *e, u64 gpa, const void *src, unsigned int len);
void env_peek(struct env *e, u64 gpa, void *dst, unsigned int len);
u64 env_peek64(struct env *e, u64 gpa);
void env_poke64(struct env *e, u64 gpa, u64 v);
bool env_is_ram(u64 gpa);

/* Complete the pending deferred MMIO read ("userspace" answered it). */
bool env_complete_io(struct env *e);

/* Page-table builder. */
enum pt_fmt { PT_32, PT_PAE, PT_L4, PT_L5 };
u64 pt_alloc(struct env *e);
/*
 * Map @la to @pa with a leaf at @level (1: 4K; 2: 2M/4M; 3: 1G) with
 * @leaf_flags; intermediate entries get @mid_flags.  Returns the gpa of the
 * leaf entry.  @root is CR3's table (for PAE the 32-byte PDPT).
 */
u64 pt_map(struct env *e, enum pt_fmt fmt, u64 root, u64 la, u64 pa,
	   unsigned int level, u64 leaf_flags, u64 mid_flags);
/* Gpa of the entry at @level on the path of @la (0 if the path is missing). */
u64 pt_entry_gpa(struct env *e, enum pt_fmt fmt, u64 root, u64 la,
		 unsigned int level);
/* Set CR0/CR3/CR4/EFER for @fmt with the root @root; turns paging on. */
void env_set_paging(struct env *e, enum pt_fmt fmt, u64 root);

#define PTE_P	0x1ull
#define PTE_W	0x2ull
#define PTE_U	0x4ull
#define PTE_A	0x20ull
#define PTE_D	0x40ull
#define PTE_PS	0x80ull
#define PTE_NX	(1ull << 63)
#define PTE_ALL	(PTE_P | PTE_W | PTE_U)

#define CR0_PE	(1ull << 0)
#define CR0_WP	(1ull << 16)
#define CR0_PG	(1ull << 31)
#define CR4_PSE	(1ull << 4)
#define CR4_PAE	(1ull << 5)
#define CR4_LA57 (1ull << 12)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

#define RFL_CF	0x1ull
#define RFL_PF	0x4ull
#define RFL_AF	0x10ull
#define RFL_ZF	0x40ull
#define RFL_SF	0x80ull
#define RFL_DF	0x400ull
#define RFL_OF	0x800ull
#define RFL_AC	(1ull << 18)
#define RFL_ARITH (RFL_CF | RFL_PF | RFL_AF | RFL_ZF | RFL_SF | RFL_OF)

/* Test bookkeeping shared by the test files. */
extern unsigned int tests_passed, tests_failed;
void test_begin(const char *name);
void test_result(const char *name, bool ok);
/* Print a failure detail (only the first few per test are shown). */
void fail_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Simple deterministic PRNG (xorshift64*). */
u64 rnd_next(u64 *state);

/* Native ALU reference (test_flags.c): runs the operation on this CPU. */
enum nat_op {
	N_ADD, N_OR, N_ADC, N_SBB, N_AND, N_SUB, N_XOR, N_CMP,
	N_TEST, N_INC, N_DEC, N_NEG, N_NOT, N_NR
};
u64 native_alu(enum nat_op op, unsigned int size, u64 a, u64 b, u64 fl_in,
	       u64 *fl_out);
/* RFLAGS bits the architecture defines after @op. */
u64 native_defined_flags(enum nat_op op);

void run_emulator_tests(struct env *e);
void run_walk_tests(struct env *e);
void run_flags_tests(struct env *e);

#endif /* EMUTEST_HARNESS_H */
