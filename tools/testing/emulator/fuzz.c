// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz harness for the emulator and the page-table walker.
 *
 * LLVMFuzzerTestOneInput() is the libFuzzer entry (make fuzz, needs clang).
 * Built with -DFUZZ_SMOKE it gets a main() that feeds a deterministic stream
 * of pseudo-random inputs instead (make fuzz-smoke).
 *
 * Input layout (emulator): byte 0 selects mode/paging/deferred MMIO/CPL,
 * byte 1 the flags, bytes 2-9 seed the registers, the rest is code.  Inputs
 * whose byte 0 has bit 7 set go to the walker instead.
 *
 * Checked on every input, besides ASan/UBSan:
 *  - a call that does not return X86_EMU_OK changes no register, RIP or
 *    RFLAGS and writes no memory (RAM or MMIO);
 *  - X86_EMU_OK: at most one write per iteration; RIP moved by exactly the
 *    decoded length, or (REP string in progress) not at all;
 *  - x86_emu_decode() agrees with x86_emu_step() on length and errors, and
 *    never changes state;
 *  - the walker returns 0, X86_WALK_FAULT or a negative errno; a #PF has
 *    vector 14, only P/W/U/RSVD/I-D set, RSVD implies P, CR2 = address;
 *    only the A and D bits of page-table entries ever change.
 */
#include <stdio.h>
#include <stdlib.h>
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz: check failed: %s (%s:%d)\n", \
				#cond, __FILE__, __LINE__);		\
			abort();					\
		}							\
	} while (0)

static struct env fenv;
static bool fuzz_ready;
/* Outcome counters, printed by the smoke driver. */
static unsigned long stat_emu[4], stat_walk[3];
static u64 fuzz_root;

#define FZ_DATA		0x2000ull	/* RAM for data operands */
#define FZ_ABSENT	0x3000ull	/* not present when paging */
#define FZ_RO		0x4000ull	/* read-only when paging */
#define FZ_SUP		0x5000ull	/* supervisor-only when paging */
#define FZ_PT_AREA	0x10000ull	/* walker fuzz tables live here */
#define FZ_PT_SIZE	0x4000ull

/* Identity-map the low 64K (with a few special pages) and the MMIO page. */
static void fuzz_build_tables(struct env *e)
{
	u64 a, fl;

	e->pt_next = PT_POOL;
	fuzz_root = pt_alloc(e);
	for (a = 0; a < 0x10000; a += 4096) {
		if (a == FZ_ABSENT)
			continue;
		fl = PTE_ALL;
		if (a == FZ_RO)
			fl = PTE_P | PTE_U;
		else if (a == FZ_SUP)
			fl = PTE_P | PTE_W;
		pt_map(e, PT_L4, fuzz_root, a, a, 1, fl, PTE_ALL);
	}
	pt_map(e, PT_L4, fuzz_root, MMIO_HIGH, MMIO_HIGH, 1, PTE_ALL, PTE_ALL);
	pt_map(e, PT_L4, fuzz_root, MMIO_LOW, MMIO_LOW, 1, PTE_ALL, PTE_ALL);
}

static void fuzz_init(void)
{
	u64 seed = 0x1234567887654321ull, v;
	unsigned int i;

	env_init(&fenv);
	for (i = 0; i < 0x10000; i += 8) {
		v = rnd_next(&seed);
		memcpy(&fenv.ram[i], &v, 8);
	}
	fuzz_build_tables(&fenv);
	fuzz_ready = true;
}

/* A register value that is likely to address something interesting. */
static u64 fuzz_reg(u64 *seed)
{
	u64 r = rnd_next(seed);

	switch (r & 7) {
	case 0:
		return FZ_DATA + ((r >> 8) & 0xfff);
	case 1:
		return MMIO_HIGH + ((r >> 8) & 0xfff);
	case 2:
		return (r >> 8) & 0x7;		/* small: counts, bit offsets */
	case 3:
		return (r >> 8) & 0xffff;
	case 4:
		return ((r >> 8) & 0x3) * 0x1000 + 0x3ff8;	/* page edges */
	case 5:
		return MMIO_LOW + ((r >> 8) & 0xffff);
	default:
		return rnd_next(seed);
	}
}

struct fuzz_snap {
	u64 gpr[16], rip, rflags;
	unsigned int writes;
};

/* Successful ops->write calls (a write may touch RAM and MMIO pieces). */
static unsigned int fuzz_writes(const struct env *e)
{
	return e->write_calls;
}

static void fuzz_snap(const struct env *e, struct fuzz_snap *s)
{
	memcpy(s->gpr, e->emu.gpr, sizeof(s->gpr));
	s->rip = e->emu.rip;
	s->rflags = e->emu.rflags;
	s->writes = fuzz_writes(e);
}

static bool fuzz_same(const struct env *e, const struct fuzz_snap *s)
{
	return !memcmp(s->gpr, e->emu.gpr, sizeof(s->gpr)) &&
	       s->rip == e->emu.rip && s->rflags == e->emu.rflags;
}

static void fuzz_setup(struct env *e, const uint8_t *data, size_t size)
{
	struct x86_emu *emu = &e->emu;
	u64 seed = 0x9e3779b97f4a7c15ull;
	unsigned int i;
	u8 sel = data[0];

	env_reset(e, false);
	emu->mode = (enum x86_emu_mode)(sel % 5);
	e->defer_io = sel & 0x20;
	emu->cpl = (sel & 0x40) ? 3 : 0;
	/* CF PF AF ZF SF from their own bits, DF from bit 1, OF from bit 3. */
	emu->rflags = 0x2 | ((u64)data[1] & 0xd5) | (((u64)data[1] & 0x2) << 9) |
		      (((u64)data[1] & 0x8) << 8);
	for (i = 2; i < 10 && i < size; i++)
		seed = (seed ^ data[i]) * 0x100000001b3ull;
	for (i = 0; i < 16; i++)
		emu->gpr[i] = fuzz_reg(&seed);
	for (i = 0; i < X86_SEG_NR; i++)
		emu->seg_base[i] = (rnd_next(&seed) & 1) ? 0 : fuzz_reg(&seed);
	emu->rep_batch = (rnd_next(&seed) & 3) * 5;
	emu->rip = (rnd_next(&seed) & 1) ? CODE_ADDR : FZ_ABSENT - 6;
	emu->seg_base[X86_SEG_CS] = 0;
	/* Paging needs protected mode. */
	if (emu->mode >= X86_EMU_PROT16 && (sel & 0x10)) {
		env_set_paging(e, PT_L4, fuzz_root);
		if (sel & 0x08)
			e->wregs.cr4 |= CR4_SMAP | CR4_SMEP;
	}
	if (size > 10)
		env_poke(e, emu->rip, data + 10, size - 10 > 24 ? 24 : size - 10);
}

static u64 rip_mask(enum x86_emu_mode m)
{
	if (m == X86_EMU_PROT64)
		return ~0ull;
	return m == X86_EMU_PROT32 ? 0xffffffffull : 0xffff;
}

static void fuzz_emulator(const uint8_t *data, size_t size)
{
	struct env *e = &fenv;
	struct x86_emu_info info;
	struct fuzz_snap s;
	unsigned int tries, nlog;
	int rc, drc;

	fuzz_setup(e, data, size);
	fuzz_snap(e, &s);
	drc = x86_emu_decode(&e->emu, &info);
	CHECK(fuzz_same(e, &s) && fuzz_writes(e) == s.writes);
	CHECK(drc != X86_EMU_OK || (info.len >= 1 && info.len <= 15));
	for (tries = 0;; tries++) {
		fuzz_snap(e, &s);
		nlog = e->nlog;
		rc = x86_emu_step(&e->emu);
		CHECK(rc >= X86_EMU_OK && rc <= X86_EMU_UNHANDLED);
		if (rc != X86_EMU_OK)
			CHECK(fuzz_same(e, &s) && fuzz_writes(e) == s.writes);
		if (rc != X86_EMU_IO_NEEDED || !e->defer_io || tries > 4)
			break;
		e->nlog = nlog;
		if (!env_complete_io(e))
			break;
	}
	stat_emu[rc]++;
	if (rc == X86_EMU_IO_NEEDED)
		CHECK(e->has_pending || !e->defer_io);
	if (drc == X86_EMU_UNHANDLED)
		CHECK(rc == X86_EMU_UNHANDLED);
	if (rc == X86_EMU_UNHANDLED && !e->walk_errors)
		CHECK(drc == X86_EMU_UNHANDLED || info.kind != X86_EMU_INFO_OTHER);
	if (rc != X86_EMU_OK)
		return;
	CHECK(drc == X86_EMU_OK && info.kind == X86_EMU_INFO_OTHER);
	if (!info.string) {
		CHECK(fuzz_writes(e) - s.writes <= 1);
		CHECK(e->emu.rip == ((s.rip + info.len) & rip_mask(e->emu.mode)));
	} else {
		CHECK(fuzz_writes(e) - s.writes <=
		      (e->emu.rep_batch ? e->emu.rep_batch : 1));
		CHECK(e->emu.rip == s.rip ||
		      e->emu.rip == ((s.rip + info.len) & rip_mask(e->emu.mode)));
		if (!info.rep)
			CHECK(e->emu.rip != s.rip);
	}
}

/* ---- walker ---------------------------------------------------------- */

static u8 pt_before[FZ_PT_SIZE];

/* Keep most table pointers inside the fuzzed area so walks go deep. */
static void fuzz_fill_tables(struct env *e, const uint8_t *data, size_t size,
			     bool wide)
{
	unsigned int i, k, n = FZ_PT_SIZE / 8;
	u64 v, page;

	for (i = 0; i < n; i++) {
		v = 0;
		for (k = 0; k < 8; k++)
			v |= (u64)data[(i * 8 + k) % size] << (8 * k);
		v ^= (u64)i * 0x9e3779b97f4a7c15ull;
		if ((v >> 9) & 7)	/* mostly present, so walks go deep */
			v |= 1;
		if (v & 0x400)		/* often no high reserved/ignored bits */
			v &= 0x80000000ffffffffull | 0x000fffff00000000ull;
		if (!(v & 0x100)) {
			page = FZ_PT_AREA + ((v >> 12) & 3) * 0x1000;
			if (wide)
				v = (v & ~0x000ffffffffff000ull) | page;
			else
				v = (v & ~0xfffff000fffff000ull) | page |
				    (page << 32);
		}
		memcpy(&e->ram[FZ_PT_AREA + i * 8], &v, 8);
	}
}

/* Only A (bit 5) and D (bit 6) may change in page-table memory. */
static void fuzz_check_tables(struct env *e)
{
	unsigned int i;

	for (i = 0; i < FZ_PT_SIZE; i++)
		CHECK(((pt_before[i] ^ e->ram[FZ_PT_AREA + i]) &
		       ((i & 3) == 0 ? ~0x60 : 0xff)) == 0);
}

static void fuzz_walker(const uint8_t *data, size_t size)
{
	struct env *e = &fenv;
	struct x86_walk_regs r;
	struct x86_fault f;
	u64 la = 0, gpa = 0;
	unsigned int access, maxphy;
	u8 sel = data[0];
	int rc;

	env_reset(e, false);
	memset(&r, 0, sizeof(r));
	if (size > 9)
		memcpy(&la, data + 1, 8);
	r.cr0 = CR0_PE | CR0_PG | ((sel & 1) ? CR0_WP : 0);
	r.cr4 = ((sel & 2) ? CR4_PAE : 0) | ((sel & 4) ? CR4_PSE : 0) |
		((sel & 8) ? CR4_LA57 : 0) |
		((sel & 0x10) ? CR4_SMEP | CR4_SMAP : 0);
	r.efer = ((sel & 0x20) ? EFER_LMA | EFER_LME : 0) |
		 ((sel & 0x40) ? EFER_NXE : 0);
	r.maxphyaddr = size > 9 ? 30 + data[9] % 26 : 0;
	maxphy = r.maxphyaddr ? r.maxphyaddr : 52;
	maxphy = maxphy < 32 ? 32 : (maxphy > 52 ? 52 : maxphy);
	r.rflags_ac = size > 10 && (data[10] & 1);
	r.cr3 = FZ_PT_AREA + (size > 10 ? (data[10] & 0x60) : 0) * 0x80 +
		(size > 10 ? (data[10] & 0x18) : 0);
	access = size > 11 ? data[11] & 0xf : 0;
	fuzz_fill_tables(e, data, size, r.cr4 & CR4_PAE);
	memcpy(pt_before, &e->ram[FZ_PT_AREA], FZ_PT_SIZE);
	rc = x86_walk((size > 12 && (data[12] & 1)) ? &env_walk_ops_no_ad :
		      &env_walk_ops, e, &r, la, access, &gpa, &f);
	CHECK(rc == 0 || rc == X86_WALK_FAULT || rc == -EFAULT);
	stat_walk[rc < 0 ? 2 : rc]++;
	if (rc == X86_WALK_FAULT) {
		CHECK(f.vector == 14 && f.has_error_code);
		CHECK(!(f.error_code & ~0x1fu));
		CHECK(!(f.error_code & X86_WALK_PF_RSVD) ||
		      (f.error_code & X86_WALK_PF_PRESENT));
		CHECK(f.address == (((r.efer & EFER_LMA) && (r.cr4 & CR4_PAE)) ?
				     la : (u32)la));
		CHECK(!!(f.error_code & X86_WALK_PF_WRITE) ==
		      !!(access & X86_WALK_WRITE));
	}
	if (rc == 0 && (r.cr4 & CR4_PAE))
		CHECK(gpa < (1ull << maxphy));
	if (rc == 0 && !(r.cr4 & CR4_PAE))
		CHECK(gpa < (1ull << 40));
	fuzz_check_tables(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!fuzz_ready)
		fuzz_init();
	if (size < 2)
		return 0;
	if (data[0] & 0x80)
		fuzz_walker(data, size);
	else
		fuzz_emulator(data, size);
	return 0;
}

#ifdef FUZZ_SMOKE

/* Bytes that make decodable instructions likely. */
static const u8 interesting[] = {
	0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65,
	0x40, 0x41, 0x44, 0x48, 0x49, 0x4c, 0x4f, 0x0f, 0x0f, 0x0f,
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x09, 0x11, 0x19, 0x21, 0x29,
	0x31, 0x39, 0x3b, 0x63, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86,
	0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8e, 0xa0, 0xa1, 0xa2, 0xa3,
	0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae,
	0xaf, 0xc6, 0xc7, 0xf6, 0xf7, 0xfe, 0xff, 0xa3, 0xab, 0xb3, 0xbb,
	0xba, 0xb6, 0xb7, 0xbe, 0xbf, 0x20, 0x22, 0x07, 0x04, 0x44, 0x84,
	0x05, 0x45, 0x85, 0x24, 0x25, 0xc0, 0xff, 0x00, 0x80, 0x7f,
};

int main(int argc, char **argv)
{
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 0) : 200000;
	u64 seed = 0x0dd5eed5ull, r;
	uint8_t buf[40];
	unsigned long i;
	size_t len, k;

	fuzz_init();
	for (i = 0; i < iters; i++) {
		if (i % 4096 == 0)
			fuzz_build_tables(&fenv);
		r = rnd_next(&seed);
		len = 2 + r % 38;
		for (k = 0; k < len; k++) {
			r = rnd_next(&seed);
			if (k >= 10 && (r & 3))
				buf[k] = interesting[(r >> 8) % sizeof(interesting)];
			else
				buf[k] = (uint8_t)(r >> 16);
		}
		/* One input in four exercises the walker. */
		buf[0] = (buf[0] & 0x7f) | ((i & 3) == 0 ? 0x80 : 0);
		LLVMFuzzerTestOneInput(buf, len);
	}
	env_free(&fenv);
	printf("fuzz-smoke: emulator ok %lu, fault %lu, io %lu, unhandled %lu; "
	       "walker ok %lu, #PF %lu, errno %lu\n", stat_emu[0], stat_emu[1],
	       stat_emu[2], stat_emu[3], stat_walk[0], stat_walk[1],
	       stat_walk[2]);
	printf("fuzz-smoke: %lu inputs, no failures\n", iters);
	return 0;
}

#endif /* FUZZ_SMOKE */
