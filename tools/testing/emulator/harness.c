// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fake guest memory for the emulator/walker tests and the fuzzer.
 */
#include <stdarg.h>
#include <stdlib.h>
#include "harness.h"

unsigned int tests_passed, tests_failed;
static const char *cur_test;
static unsigned int cur_msgs;

void test_begin(const char *name)
{
	cur_test = name;
	cur_msgs = 0;
}

void fail_msg(const char *fmt, ...)
{
	va_list ap;

	if (++cur_msgs > 6)
		return;
	printf("  [%s] ", cur_test ? cur_test : "?");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void test_result(const char *name, bool ok)
{
	if (ok) {
		tests_passed++;
	} else {
		tests_failed++;
		printf("FAIL: %s\n", name);
	}
	cur_test = NULL;
}

u64 rnd_next(u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* ---- physical memory ---------------------------------------------------- */

bool env_is_ram(u64 gpa)
{
	return gpa < RAM_SIZE && !(gpa >= MMIO_LOW && gpa < MMIO_LOW + MMIO_LOW_SIZE);
}

u8 *env_phys_ptr(struct env *e, u64 gpa)
{
	if (env_is_ram(gpa))
		return &e->ram[gpa];
	if (gpa >= MMIO_LOW && gpa < MMIO_LOW + MMIO_LOW_SIZE)
		return &e->mmio_low[gpa - MMIO_LOW];
	if (gpa >= MMIO_HIGH && gpa < MMIO_HIGH + MMIO_HIGH_SIZE)
		return &e->mmio_high[gpa - MMIO_HIGH];
	return NULL;
}

void env_poke(struct env *e, u64 gpa, const void *src, unsigned int len)
{
	const u8 *s = src;
	unsigned int i;
	u8 *p;

	for (i = 0; i < len; i++) {
		p = env_phys_ptr(e, gpa + i);
		if (p)
			*p = s[i];
	}
}

void env_peek(struct env *e, u64 gpa, void *dst, unsigned int len)
{
	u8 *d = dst;
	unsigned int i;
	u8 *p;

	for (i = 0; i < len; i++) {
		p = env_phys_ptr(e, gpa + i);
		d[i] = p ? *p : 0xff;
	}
}

u64 env_peek64(struct env *e, u64 gpa)
{
	u8 b[8];
	u64 v = 0;
	int i;

	env_peek(e, gpa, b, 8);
	for (i = 7; i >= 0; i--)
		v = (v << 8) | b[i];
	return v;
}

void env_poke64(struct env *e, u64 gpa, u64 v)
{
	u8 b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (u8)(v >> (8 * i));
	env_poke(e, gpa, b, 8);
}

/* ---- walker callbacks ----------------------------------------------------- */

static int w_read_phys(void *priv, u64 gpa, u64 *val, unsigned int size)
{
	struct env *e = priv;
	u8 b[8];
	unsigned int i;

	if ((size != 4 && size != 8) || (gpa & (size - 1)))
		abort();	/* the walker broke its own contract */
	if (!env_is_ram(gpa))
		return -EFAULT;
	env_peek(e, gpa, b, size);
	*val = 0;
	for (i = 0; i < size; i++)
		*val |= (u64)b[i] << (8 * i);
	return 0;
}

static int w_cmpxchg_phys(void *priv, u64 gpa, u64 old, u64 new,
			  unsigned int size)
{
	struct env *e = priv;
	u64 cur;
	u8 b[8];
	unsigned int i;
	int rc;

	e->cmpxchg_calls++;
	rc = w_read_phys(priv, gpa, &cur, size);
	if (rc)
		return rc;
	if (e->cmpxchg_race) {
		e->cmpxchg_race--;
		return 1;
	}
	if (cur != old)
		return 1;
	for (i = 0; i < size; i++)
		b[i] = (u8)(new >> (8 * i));
	env_poke(e, gpa, b, size);
	return 0;
}

const struct x86_walk_ops env_walk_ops = {
	.read_phys = w_read_phys,
	.cmpxchg_phys = w_cmpxchg_phys,
};

const struct x86_walk_ops env_walk_ops_no_ad = {
	.read_phys = w_read_phys,
};

/* ---- emulator callbacks --------------------------------------------------- */

static int xlate(struct env *e, u64 la, unsigned int access, u64 *gpa)
{
	const struct x86_walk_ops *ops;
	int rc;

	if (!e->paging) {
		*gpa = la;
		return X86_EMU_OK;
	}
	if (e->emu.cpl == 3)
		access |= X86_WALK_USER;
	e->wregs.rflags_ac = e->emu.rflags & RFL_AC;
	ops = e->set_ad ? &env_walk_ops : &env_walk_ops_no_ad;
	rc = x86_walk(ops, e, &e->wregs, la, access, gpa, &e->emu.fault);
	if (rc == 0)
		return X86_EMU_OK;
	if (rc == X86_WALK_FAULT)
		return X86_EMU_FAULT;
	e->walk_errors++;
	return X86_EMU_UNHANDLED;
}

/* Split [la, la+len) at page boundaries and translate every piece first. */
static int xlate_range(struct env *e, u64 la, unsigned int len,
		       unsigned int access, u64 gpa[2], unsigned int n[2],
		       unsigned int *parts)
{
	unsigned int first = 4096 - (unsigned int)(la & 4095);
	int rc;

	if (len == 0 || len > 16)
		abort();
	n[0] = len < first ? len : first;
	n[1] = len - n[0];
	*parts = n[1] ? 2 : 1;
	rc = xlate(e, la, access, &gpa[0]);
	if (rc || !n[1])
		return rc;
	return xlate(e, la + n[0], access, &gpa[1]);
}

static void log_access(struct env *e, bool write, u64 gpa, const u8 *data,
		       unsigned int len)
{
	struct mmio_rec *r;

	if (e->nlog >= MAX_LOG)
		return;
	r = &e->log[e->nlog++];
	r->write = write;
	r->gpa = gpa;
	r->len = len;
	memcpy(r->data, data, len);
}

static struct mmio_rec *find_done(struct env *e, u64 gpa, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < e->ndone; i++)
		if (e->done[i].gpa == gpa && e->done[i].len == len)
			return &e->done[i];
	return NULL;
}

static int mmio_read(struct env *e, u64 gpa, u8 *buf, unsigned int len)
{
	struct mmio_rec *d;

	e->emu.rep_stop = true;
	if (e->defer_io) {
		d = find_done(e, gpa, len);
		if (!d) {
			e->pending.write = false;
			e->pending.gpa = gpa;
			e->pending.len = len;
			e->has_pending = true;
			return X86_EMU_IO_NEEDED;
		}
		memcpy(buf, d->data, len);
	} else {
		env_peek(e, gpa, buf, len);
	}
	log_access(e, false, gpa, buf, len);
	return X86_EMU_OK;
}

bool env_complete_io(struct env *e)
{
	struct mmio_rec *d;

	if (!e->has_pending || e->ndone >= MAX_DONE)
		return false;
	d = &e->done[e->ndone++];
	*d = e->pending;
	env_peek(e, d->gpa, d->data, d->len);
	e->has_pending = false;
	return true;
}

static int env_read(struct x86_emu *emu, u64 la, void *buf, unsigned int len,
		    bool fetch)
{
	struct env *e = emu->priv;
	unsigned int n[2], parts, i, off = 0;
	u64 gpa[2];
	int rc;

	rc = xlate_range(e, la, len, fetch ? X86_WALK_FETCH : 0, gpa, n, &parts);
	if (rc)
		return rc;
	if (fetch)
		e->fetches++;
	for (i = 0; i < parts; i++) {
		if (env_is_ram(gpa[i]) || fetch)
			env_peek(e, gpa[i], (u8 *)buf + off, n[i]);
		else if ((rc = mmio_read(e, gpa[i], (u8 *)buf + off, n[i])))
			return rc;
		off += n[i];
	}
	return X86_EMU_OK;
}

static int env_write(struct x86_emu *emu, u64 la, const void *buf,
		     unsigned int len)
{
	struct env *e = emu->priv;
	unsigned int n[2], parts, i, off = 0;
	u64 gpa[2];
	int rc;

	rc = xlate_range(e, la, len, X86_WALK_WRITE, gpa, n, &parts);
	if (rc)
		return rc;
	if (e->fail_write_nr && ++e->writes_seen == e->fail_write_nr) {
		emu->fault.vector = 14;
		emu->fault.has_error_code = true;
		emu->fault.error_code = X86_WALK_PF_WRITE | X86_WALK_PF_PRESENT;
		emu->fault.address = la;
		return X86_EMU_FAULT;
	}
	for (i = 0; i < parts; i++) {
		if (env_is_ram(gpa[i])) {
			e->ram_writes++;
		} else {
			e->emu.rep_stop = true;
			log_access(e, true, gpa[i], (const u8 *)buf + off, n[i]);
		}
		env_poke(e, gpa[i], (const u8 *)buf + off, n[i]);
		off += n[i];
	}
	e->write_calls++;
	return X86_EMU_OK;
}

const struct x86_emu_ops env_emu_ops = {
	.read = env_read,
	.write = env_write,
};

/* ---- setup ---------------------------------------------------------------- */

void env_init(struct env *e)
{
	memset(e, 0, sizeof(*e));
	e->ram = calloc(1, RAM_SIZE);
	e->mmio_low = calloc(1, MMIO_LOW_SIZE);
	e->mmio_high = calloc(1, MMIO_HIGH_SIZE);
	if (!e->ram || !e->mmio_low || !e->mmio_high)
		abort();
	env_reset(e, true);
}

void env_free(struct env *e)
{
	free(e->ram);
	free(e->mmio_low);
	free(e->mmio_high);
}

void env_reset(struct env *e, bool clear_ram)
{
	u8 *ram = e->ram, *lo = e->mmio_low, *hi = e->mmio_high;

	if (clear_ram) {
		memset(ram, 0, RAM_SIZE);
		memset(lo, 0, MMIO_LOW_SIZE);
		memset(hi, 0, MMIO_HIGH_SIZE);
	}
	memset(e, 0, sizeof(*e));
	e->ram = ram;
	e->mmio_low = lo;
	e->mmio_high = hi;
	e->pt_next = PT_POOL;
	e->set_ad = true;
	e->emu.ops = &env_emu_ops;
	e->emu.priv = e;
	e->emu.mode = X86_EMU_PROT64;
	e->emu.rflags = 0x2;
}

/* ---- page-table builder --------------------------------------------------- */

u64 pt_alloc(struct env *e)
{
	u64 p = e->pt_next;
	static const u8 zero[4096];

	e->pt_next += 4096;
	if (e->pt_next > RAM_SIZE)
		abort();
	env_poke(e, p, zero, sizeof(zero));
	return p;
}

struct pt_geom {
	unsigned int top, bits, esize;
};

static struct pt_geom pt_geom(enum pt_fmt fmt)
{
	struct pt_geom g = { 2, 9, 8 };

	if (fmt == PT_32) {
		g.bits = 10;
		g.esize = 4;
	} else if (fmt == PT_L4) {
		g.top = 4;
	} else if (fmt == PT_L5) {
		g.top = 5;
	}
	return g;
}

static u64 pt_get(struct env *e, u64 gpa, unsigned int esize)
{
	u64 v = env_peek64(e, gpa);

	return esize == 4 ? (v & 0xffffffffull) : v;
}

static void pt_set(struct env *e, u64 gpa, u64 v, unsigned int esize)
{
	u8 b[8];
	unsigned int i;

	for (i = 0; i < esize; i++)
		b[i] = (u8)(v >> (8 * i));
	env_poke(e, gpa, b, esize);
}

static u64 pt_index(const struct pt_geom *g, u64 la, unsigned int level)
{
	return (la >> (12 + g->bits * (level - 1))) & ((1u << g->bits) - 1);
}

#define PT_ADDR 0x000ffffffffff000ull
#define PT_TABLE 0x0000fffffffff000ull

/* Table of the given level on the path of @la, creating it if @mid. */
static u64 pt_descend(struct env *e, enum pt_fmt fmt, u64 root, u64 la,
		      unsigned int level, bool create, u64 mid)
{
	struct pt_geom g = pt_geom(fmt);
	unsigned int lvl = g.top;
	u64 table = root, egpa, v;

	if (fmt == PT_PAE) {
		egpa = root + ((la >> 30) & 3) * 8;
		v = pt_get(e, egpa, 8);
		if (!(v & PTE_P)) {
			if (!create)
				return 0;
			v = pt_alloc(e) | PTE_P;
			pt_set(e, egpa, v, 8);
		}
		table = v & PT_TABLE;
	}
	for (; lvl > level; lvl--) {
		egpa = table + pt_index(&g, la, lvl) * g.esize;
		v = pt_get(e, egpa, g.esize);
		if (!(v & PTE_P)) {
			if (!create)
				return 0;
			v = pt_alloc(e);
		}
		if (create)
			pt_set(e, egpa, (v & PT_ADDR) | mid, g.esize);
		/* Bits 51:48 may be poked reserved bits: never table address. */
		table = v & (g.esize == 4 ? 0xfffff000ull : PT_TABLE);
	}
	return table;
}

u64 pt_map(struct env *e, enum pt_fmt fmt, u64 root, u64 la, u64 pa,
	   unsigned int level, u64 leaf_flags, u64 mid_flags)
{
	struct pt_geom g = pt_geom(fmt);
	u64 table, egpa, v;

	table = pt_descend(e, fmt, root, la, level, true, mid_flags);
	egpa = table + pt_index(&g, la, level) * g.esize;
	if (level == 1)
		v = (pa & PT_ADDR) | leaf_flags;
	else if (fmt == PT_32)
		v = (pa & 0xffc00000ull) | (((pa >> 32) & 0xff) << 13) |
		    leaf_flags | PTE_PS;
	else
		v = (pa & PT_ADDR) | leaf_flags | PTE_PS;
	pt_set(e, egpa, v, g.esize);
	return egpa;
}

u64 pt_entry_gpa(struct env *e, enum pt_fmt fmt, u64 root, u64 la,
		 unsigned int level)
{
	struct pt_geom g = pt_geom(fmt);
	u64 table;

	if (fmt == PT_PAE && level == 3)
		return root + ((la >> 30) & 3) * 8;
	table = pt_descend(e, fmt, root, la, level, false, 0);
	if (!table)
		return 0;
	return table + pt_index(&g, la, level) * g.esize;
}

void env_set_paging(struct env *e, enum pt_fmt fmt, u64 root)
{
	struct x86_walk_regs *r = &e->wregs;

	e->paging = true;
	r->cr0 = CR0_PE | CR0_PG | CR0_WP;
	r->cr3 = root;
	r->maxphyaddr = 46;
	switch (fmt) {
	case PT_32:
		r->cr4 = CR4_PSE;
		r->efer = 0;
		break;
	case PT_PAE:
		r->cr4 = CR4_PAE;
		r->efer = EFER_NXE;
		break;
	case PT_L4:
		r->cr4 = CR4_PAE;
		r->efer = EFER_LME | EFER_LMA | EFER_NXE;
		break;
	case PT_L5:
		r->cr4 = CR4_PAE | CR4_LA57;
		r->efer = EFER_LME | EFER_LMA | EFER_NXE;
		e->emu.la57 = true;
		break;
	}
}
